import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { DeviceRepository } from '../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../src-main/core/devices/device-search-index';
import { useCloseAfterEach } from './close-after-each';
import { finishBulkLoads, seedDevices, seedDevicesInBlocks } from './seed-devices';
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
    finishBulkLoads(bulk);
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
