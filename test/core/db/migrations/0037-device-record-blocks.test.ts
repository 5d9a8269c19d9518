import { describe, expect, it } from 'vitest';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { DeviceRecordCodec, RECORD_CONTEXT_COLUMNS, type RecordContext } from '../../../../src-main/core/sync/device-record-codec';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { NOW, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();

describe('migration 0037: device records in blocks', () => {
  it('keeps every stored record readable, and blocks written after it count their devices until the last one goes', async () => {
    // Schema 36, each device's record stored alone as that console stored it.
    const at36 = databases.upgrade(seedSearchableDevices(databases.at(24), 40), 36);
    const rows = at36.prepare(`SELECT id, ${RECORD_CONTEXT_COLUMNS.join(', ')} FROM devices ORDER BY id`).all() as (RecordContext & { id: number })[];
    const texts = new Map(rows.map((row) => [row.id, JSON.stringify({ guid: row.guid, deviceName: row.device_name, note: `record ${row.id} 📱` })]));
    const codec36 = DeviceRecordCodec.forMigration(at36);
    const write = at36.prepare('UPDATE devices SET raw_record = ? WHERE id = ?');
    for (const row of rows) write.run(codec36.encode(texts.get(row.id)!, row), row.id);

    const db = databases.upgrade(at36);
    expect(db.prepare('SELECT count(*) FROM devices WHERE record_block IS NOT NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM device_record_blocks').pluck().get()).toBe(0);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(rows.map((row) => repository.detail(row.id).raw)).toEqual(rows.map((row) => JSON.parse(texts.get(row.id)!) as unknown));

    // Today's code puts records in blocks (as a bulk load does, here for the first 20 devices, in blocks of its size).
    const codec = DeviceRecordCodec.of(db);
    const compressor = codec.compressor();
    compressor.close();
    const { stored, blocks } = await compressor.compressAndHash(
      rows.slice(0, 20).map((row) => JSON.parse(texts.get(row.id)!) as Record<string, unknown>),
      1,
    );
    const move = db.prepare('UPDATE devices SET raw_record = ?, record_block = ? WHERE id = ?');
    db.transaction(() => {
      const counts = new Map<number, number>();
      stored.forEach((bytes, i) => {
        const block = codec.storeBlock(blocks[i]!);
        move.run(bytes, block, rows[i]!.id);
        counts.set(block, (counts.get(block) ?? 0) + 1);
      });
      for (const [block, devices] of counts) codec.enterBlock(block, devices);
    })();
    const blockIds = db.prepare('SELECT id FROM device_record_blocks ORDER BY id').pluck().all() as number[];
    expect(blockIds.length).toBeGreaterThan(1);
    expect(rows.map((row) => repository.detail(row.id).raw)).toEqual(rows.map((row) => JSON.parse(texts.get(row.id)!) as unknown));
    // Deleted devices leave their block, and so does a record rewritten alone: the last one out takes the block.
    const liveOf = db.prepare('SELECT live FROM device_record_blocks WHERE id = ?').pluck();
    const inFirst = liveOf.get(blockIds[0]) as number;
    db.prepare('DELETE FROM devices WHERE id > ? AND record_block = ?').run(rows[0]!.id, blockIds[0]);
    expect(liveOf.get(blockIds[0])).toBe(1);
    expect(inFirst).toBeGreaterThan(1);
    db.prepare('UPDATE devices SET raw_record = ?, record_block = NULL WHERE id = ?').run(codec.encode(texts.get(rows[0]!.id)!, rows[0]!), rows[0]!.id);
    expect(db.prepare('SELECT id FROM device_record_blocks ORDER BY id').pluck().all()).toEqual(blockIds.slice(1));
    db.prepare('DELETE FROM devices WHERE record_block = ?').run(blockIds[1]);
    expect(db.prepare('SELECT id FROM device_record_blocks ORDER BY id').pluck().all()).toEqual(blockIds.slice(2));
    const live = db.prepare('SELECT coalesce(sum(live), 0) FROM device_record_blocks').pluck().get() as number;
    expect(live).toBe(db.prepare('SELECT count(*) FROM devices WHERE record_block IS NOT NULL').pluck().get());
    expect(repository.detail(rows[0]!.id).raw).toEqual(JSON.parse(texts.get(rows[0]!.id)!));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
