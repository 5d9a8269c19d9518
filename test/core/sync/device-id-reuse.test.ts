/**
 * A device row's id is not AUTOINCREMENT: once the row with the highest id is deleted, SQLite gives that id to the next
 * device inserted. Whatever still points at the old id must not become the new device's (its change history above all).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { parseIvantiDevice, type IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import { DeviceStore } from '../../../src-main/core/sync/device-store';
import { RunSeenSet } from '../../../src-main/core/sync/run-seen-set';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-device-id-reuse-');
const closeAfterEach = useCloseAfterEach();
const NOW = Date.parse('2026-12-06T12:00:00Z');
const TENANT = 'acmecorp.mobileiron.com';
const SPACE = { id: 1, name: 'Default Space' };

function device(id: number, guid: string, deviceName: string): IvantiDevice {
  const parsed = parseIvantiDevice({ id, guid, deviceName, platformType: 'ANDROID', registrationState: 'ACTIVE' });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.device;
}

/** One run of the integration that writes `devices` as one page, as the sync does. */
function sync(db: Db, runId: number, devices: IvantiDevice[]): void {
  db.prepare("INSERT INTO sync_runs (id, integration_id, trigger, status, started_at) VALUES (?, 'int-a', 'manual', 'running', ?)").run(runId, NOW);
  const store = new DeviceStore(db);
  const seen = RunSeenSet.load(db, runId);
  db.transaction(() => store.writePage({ tenant: TENANT, integrationIds: ['int-a'], runId, page: 1, pass: 1, space: SPACE, seen, at: NOW }, devices))();
}

describe('a device id freed by a deleted device', () => {
  it('shows none of the deleted device’s history on the new device that takes its id', () => {
    const db = closeAfterEach(openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db);
    db.exec(
      "INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at) VALUES ('int-a', 'Acme Android', 'ivanti-neurons', 'android', 'all-users', 'acmecorp.mobileiron.com', 'api@acme.example', 1, 1)",
    );
    sync(db, 1, [device(1, 'guid-old', 'Old phone')]);
    sync(db, 2, [device(1, 'guid-old', 'Old phone, renamed')]);
    const old = db.prepare("SELECT id FROM devices WHERE guid = 'guid-old'").pluck().get() as number;
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.detail(old).history.map((h) => h.kind)).toEqual(['changed', 'added']);

    // The row goes by any writer (a cascade, a purge): its history stays for the audit, naming its guid.
    db.prepare('DELETE FROM devices WHERE id = ?').run(old);
    sync(db, 3, [device(2, 'guid-new', 'New phone')]);
    const fresh = db.prepare("SELECT id FROM devices WHERE guid = 'guid-new'").pluck().get() as number;

    expect(repository.detail(fresh).history.map((h) => [h.kind, h.runId])).toEqual([['added', 3]]);
    expect(repository.changesOfFetch(1, { limit: 10 }).changes.map((c) => [c.guid, c.deviceName])).toEqual([['guid-old', null]]);
    expect(repository.changesOfFetch(3, { limit: 10 }).changes.map((c) => [c.guid, c.deviceName])).toEqual([['guid-new', 'New phone']]);
  });
});
