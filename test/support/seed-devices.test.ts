import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { DeviceRepository } from '../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../src-main/core/devices/device-search-index';
import { useCloseAfterEach } from './close-after-each';
import { DEFAULT_SPACES, finishBulkLoads, seedDevices, seedDevicesInBlocks, seedFollowUpRun } from './seed-devices';
import { useTempDir } from './temp-dir';

const tempDir = useTempDir('tec-seed-devices-');
const closeAfterEach = useCloseAfterEach();
const NOW = Date.parse('2026-11-28T12:00:00Z');
const open = (name: string) => closeAfterEach(openDatabase({ file: path.join(tempDir(), name), migrations }).db);
const schemaOf = (db: ReturnType<typeof open>) => db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();

describe('seedDevicesInBlocks', () => {
  it('stores the devices seedDevices stores, with their records in blocks as a bulk load writes them, and the schema as the migrations left it', async () => {
    const bulk = open('bulk.sqlite');
    const fresh = schemaOf(bulk);
    const integration = (k: number) => ({ id: `seeded-${k}`, name: `Seeded ${k}`, platform: 'android' as const });
    for (const k of [1, 2]) await seedDevicesInBlocks(bulk, { count: 700, seed: 'blocks', referenceTime: NOW, integration: integration(k), firstIndex: k * 1000 });
    expect(schemaOf(bulk)).not.toEqual(fresh);
    await finishBulkLoads(bulk);
    expect(schemaOf(bulk)).toEqual(fresh);

    const plain = open('plain.sqlite');
    for (const k of [1, 2]) seedDevices(plain, { count: 700, seed: 'blocks', referenceTime: NOW, integration: integration(k), firstIndex: k * 1000 });
    const columns = 'SELECT guid, ivanti_id, integration_key, space_name, device_name, registration_state, last_checkin, removed_at FROM devices ORDER BY guid';
    expect(bulk.prepare(columns).all()).toEqual(plain.prepare(columns).all());
    expect(bulk.prepare('SELECT count(*) FROM devices WHERE record_block IS NULL OR substr(raw_record, 1, 1) IS NOT x\'40\'').pluck().get()).toBe(0);
    expect(bulk.prepare('SELECT count(*) FROM device_sightings').pluck().get()).toBe(1400);
    expect(bulk.prepare('SELECT count(*) FROM sync_seen').pluck().get()).toBe(0);

    const records = (db: ReturnType<typeof open>) => {
      const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
      const ids = db.prepare('SELECT id FROM devices ORDER BY guid').pluck().all() as number[];
      return ids.map((id) => repository.detail(id).raw);
    };
    expect(records(bulk)).toEqual(records(plain));
  });
});

describe('seedFollowUpRun', () => {
  it('changes and removes devices of every space, whether the spaces were stored one after another or interleaved', async () => {
    const perSpace = (db: ReturnType<typeof open>, kind: string) =>
      db
        .prepare(`SELECT d.space_name, count(*) AS n FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE c.kind = ? GROUP BY d.space_name ORDER BY d.space_name`)
        .all(kind);
    const expected = (n: number) => DEFAULT_SPACES.map((space) => ({ space_name: space.name, n })).sort((a, b) => a.space_name.localeCompare(b.space_name));

    const bulk = open('bulk.sqlite');
    const { integrationId } = await seedDevicesInBlocks(bulk, { count: 1500, seed: 'follow-up', referenceTime: NOW });
    await finishBulkLoads(bulk);
    seedFollowUpRun(bulk, { integrationId, changed: 30, removed: 15, at: NOW + 1000 });
    expect(perSpace(bulk, 'changed')).toEqual(expected(10));
    expect(perSpace(bulk, 'removed')).toEqual(expected(5));

    // Interleaved, it picks the devices it picked by id alone: the first 45 by id.
    const plain = open('plain.sqlite');
    const seeded = seedDevices(plain, { count: 1500, seed: 'follow-up', referenceTime: NOW });
    const lowest = plain.prepare('SELECT guid FROM devices ORDER BY id LIMIT 45').pluck().all();
    const { changedGuids, removedGuids } = seedFollowUpRun(plain, { integrationId: seeded.integrationId, changed: 30, removed: 15, at: NOW + 1000 });
    expect([...changedGuids, ...removedGuids]).toEqual(lowest);
  });
});
