import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../../src-shared/errors';
import { openDatabase } from '../../../../src-main/core/db/database';
import { DeviceRecordCodec } from '../../../../src-main/core/sync/device-record-codec';
import { migrationsUpTo, schemaDump, useDatabaseAtVersion } from '../../../support/database-at-version';
import { finishBulkLoads, seedDevicesInBlocks } from '../../../support/seed-devices';
import { seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();

/** The first byte of a block (its records a group) carries this when its groups are zstd frames (ZSTD_GROUPS). */
const ZSTD_GROUPS = 0x80;

describe('migration 0041: record blocks may be zstd', () => {
  it('changes no table: a database at 40 upgrades to the same schema, its devices untouched', () => {
    const at40 = databases.upgrade(seedSearchableDevices(databases.at(24), 30), 40);
    const before = { schema: schemaDump(at40), devices: at40.prepare('SELECT * FROM devices ORDER BY id').all() };
    const db = databases.upgrade(at40, 41);
    expect(databases.lastUpgrade().schemaVersion).toBe(41);
    expect(schemaDump(db)).toBe(before.schema);
    expect(db.prepare('SELECT * FROM devices ORDER BY id').all()).toEqual(before.devices);
  });

  it('a database a bulk load wrote zstd blocks into is refused, unchanged, by a console that knows only up to 40', async () => {
    const db = databases.upgrade(databases.at(0));
    await seedDevicesInBlocks(db, { integration: { id: 'int-1', name: 'Acme' }, count: 40 });
    await finishBulkLoads(db);
    const blocks = db.prepare('SELECT records FROM device_record_blocks').pluck().all() as Buffer[];
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.every((block) => (block[0]! & ZSTD_GROUPS) !== 0)).toBe(true);
    // This console reads them back.
    const codec = DeviceRecordCodec.of(db);
    const rows = db.prepare('SELECT * FROM devices').all() as (Parameters<DeviceRecordCodec['decode']>[1] & { raw_record: Buffer; guid: string })[];
    expect(rows).toHaveLength(40);
    expect(rows.map((row) => (JSON.parse(codec.decode(row.raw_record, row, row.guid)) as { guid: string }).guid)).toEqual(rows.map((row) => row.guid));
    const file = db.name;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const hash = () => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const bytes = hash();

    let refused: AppError | undefined;
    try {
      openDatabase({ file, migrations: migrationsUpTo(40) }).db.close();
    } catch (error) {
      refused = error as AppError;
    }
    expect(refused?.code).toBe('DB_NEWER_SCHEMA');
    expect(refused?.message).toContain('schema 41; this version knows up to 40');
    expect(hash()).toBe(bytes);
  });
});
