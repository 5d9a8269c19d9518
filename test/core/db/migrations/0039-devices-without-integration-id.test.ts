import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { parseIvantiDevice, type IvantiDevice } from '../../../../src-main/core/ivanti/ivanti-wire';
import { DeviceStore } from '../../../../src-main/core/sync/device-store';
import { IntegrationSpaceStore } from '../../../../src-main/core/sync/integration-space-store';
import { RunSeenSet } from '../../../../src-main/core/sync/run-seen-set';
import { SyncRunStore } from '../../../../src-main/core/sync/sync-run-store';
import { generateDevice } from '../../../simulator/device-generator';
import { hashText } from '../../../simulator/seeded-random';
import { runTec } from '../../../cli/cli-harness';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { NOW, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();
const KEY_FROM_ID_TRIGGERS = ['devices_integration_key_insert', 'devices_integration_key_update'];

const READ_AT = NOW - 60_000;
const LATEST = Math.max(...migrations.map((m) => m.version));

describe('migration 0039: devices and space states without integration ids', () => {
  it('drops the devices’ column and the triggers that followed it (also one a stopped bulk load set aside), keys the space states by integration key, and today’s code names integrations through their keys', () => {
    // Schema 38 with devices of integration 'i-1' (key 1), listed under it by both columns.
    const at38 = databases.upgrade(seedSearchableDevices(databases.at(24), 30), 38);
    // A bulk load stopped by a crash left the insert trigger set aside (DeviceStore.deferIndexes), to be created again:
    // openDatabase creates it before it migrates, and the migration drops it with the other.
    const setAside = at38.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_integration_key_insert'").pluck().get() as string;
    at38.prepare("INSERT INTO deferred_indexes (name, table_name, sql) VALUES ('devices_integration_key_insert', 'devices', ?)").run(setAside);
    at38.exec('DROP TRIGGER devices_integration_key_insert');
    const rows = at38.prepare('SELECT id, guid, integration_key, client_device_identifier, removed_at FROM devices ORDER BY id').all() as {
      id: number;
      guid: string;
      integration_key: number;
      client_device_identifier: string;
      removed_at: number | null;
    }[];
    expect(new Set(rows.map((row) => row.integration_key))).toEqual(new Set([1]));
    // The integration's spaces as a console of 38 recorded them, by its id: its devices' space read to its end at
    // READ_AT (after their sightings' own time, 20), another stale.
    at38.exec(`INSERT INTO integration_spaces (integration_id, space_id, space_name, state, reason, last_read_at, checked_at) VALUES
      ('i-1', 1, 'Default Space', 'current', NULL, ${READ_AT}, ${READ_AT}), ('i-1', 2, 'Field', 'stale', 'HTTP 403', 5, ${READ_AT})`);

    const db = databases.upgrade(at38);
    expect(db.prepare("SELECT name FROM pragma_table_info('devices')").pluck().all()).not.toContain('integration_id');
    expect(db.prepare(`SELECT name FROM sqlite_schema WHERE name IN ('${KEY_FROM_ID_TRIGGERS.join("', '")}')`).pluck().all()).toEqual([]);
    expect(db.prepare('SELECT name FROM deferred_indexes').pluck().all()).toEqual([]);
    expect(db.prepare('SELECT id, guid, integration_key, client_device_identifier, removed_at FROM devices ORDER BY id').all()).toEqual(rows);
    expect(db.prepare("SELECT name FROM pragma_table_info('integration_spaces')").pluck().all()).not.toContain('integration_id');
    expect(db.prepare('SELECT integration_key, space_id, state, last_read_at FROM integration_spaces ORDER BY space_id').raw().all()).toEqual([
      [1, 1, 'current', READ_AT],
      [1, 2, 'stale', 5],
    ]);
    expect(new IntegrationSpaceStore(db).stale('i-1')).toEqual([{ spaceId: 2, spaceName: 'Field', reason: 'HTTP 403', since: 5 }]);

    // The explorer and the "has it synced?" lookup give the integration's id (the drawer too, below).
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    const page = repository.search({ presence: 'all', sort: { column: 'uid', direction: 'asc' } }, { offset: 0, limit: 10 });
    expect(page.length).toBe(10);
    expect(new Set(page.map((row) => row.integrationId))).toEqual(new Set(['i-1']));
    // Last seen when its space was last read to its end, found through the sighting's integration key.
    expect(new Set(page.filter((row) => row.removedAt === null).map((row) => row.lastSeenAt))).toEqual(new Set([new Date(READ_AT).toISOString()]));
    const store = new DeviceStore(db);
    const current = rows.find((row) => row.removed_at === null)!;
    expect(store.find(current.client_device_identifier).map((found) => found.integrationId)).toEqual(['i-1']);

    // Today's sync inserts a device listed under the integration's key alone.
    const runId = new SyncRunStore(db).create('i-1', 'manual', 'tester', NOW);
    const parsed = parseIvantiDevice(generateDevice({ seedHash: hashText('migration-39'), referenceTime: NOW }, 0, { id: 1, name: 'Default Space', gdpr: false }));
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const device: IvantiDevice = parsed.device;
    const seen = RunSeenSet.load(db, runId);
    const written = db.transaction(() =>
      store.writePage({ tenant: 't', integrationIds: ['i-1'], runId, page: 1, pass: 1, space: { id: 1, name: 'Default Space' }, seen, at: NOW }, [device]),
    )();
    expect(written.added).toBe(1);
    const added = db.prepare('SELECT id, integration_key FROM devices WHERE guid = ?').get(device.guid) as { id: number; integration_key: number };
    expect(added.integration_key).toBe(1);
    expect(repository.detail(added.id).integrationId).toBe('i-1');
    expect(store.find(device.guid).map((found) => found.integrationId)).toEqual(['i-1']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('reports its DROP COLUMN as one step that runs whole, then done', () => {
    expect(progressOfUpgrade(databases.upgrade(seedSearchableDevices(databases.at(24), 30), 38), 39)).toEqual([
      [0, 30, 'rewriting each device row without its integration id'],
      [30, 30],
    ]);
  });

  it('says at start-up of tec what it waits for: the copy before the upgrade, then a step that runs whole, not "0 of N devices"', async () => {
    const at38 = databases.upgrade(seedSearchableDevices(databases.at(24), 30), 38);
    // 20 MB more, so that start-up speaks of the copy it makes first (upgradeBackupLine: quiet below 16 MiB).
    at38.exec('CREATE TABLE ballast (b BLOB); INSERT INTO ballast VALUES (zeroblob(20000000));');
    const dataDir = path.dirname(at38.name);
    at38.close();
    const run = await runTec(['integration', 'list', '--json'], { env: { TEC_DATA_DIR: dataDir } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'Upgrading the database to schema 39 (devices and space states without integration ids): rewriting each device row without its integration id (30 devices in one step: no count until it is done).',
    );
    expect(run.stderr).not.toContain('schema 39 (devices and space states without integration ids): 0 of');
    // The copy before the upgrade, said before it is made.
    expect(run.stderr).toMatch(
      new RegExp(`^Copying the database \\(2\\d MB\\) to ${path.join(dataDir, 'console.sqlite').replace(/[.\\/]/g, '\\$&')}\\.before-v38-upgrade-[^ ]+\\.bak before upgrading it from schema 38 to ${LATEST} \\(one step: no count until it is done\\)\\.$`, 'm'),
    );
    expect(run.stderr).toContain('schema 39 (devices and space states without integration ids): 30 of 30 devices.');
  });
});
