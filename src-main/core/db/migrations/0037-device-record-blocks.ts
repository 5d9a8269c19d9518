import type { Migration } from '../migration';

/**
 * Device records stored in blocks (issue 19, the first sync): a bulk load deflates its records BLOCK_RECORDS at a time
 * (DeviceRecordCodec, the IN_BLOCK format) instead of one deflate call each, whose fixed cost was most of the busiest
 * thread's work. A block is one row of `device_record_blocks`, written in the transaction of the first device written
 * into it; `devices.record_block` names it, and the device's `raw_record` holds its head (checksum and slot).
 *
 * `live` counts the device rows that name a block: the sync adds the rows it writes into one in the same transaction,
 * and these triggers take away a row that is deleted or whose record changes (a record rewritten after a change is
 * stored alone, `record_block` NULL; one written again from a bulk load's page goes to that page's block, which may be
 * the same one, then counted again), then delete the block the last one left. A row's `record_block` is set exactly
 * when its `raw_record` is a place in a block (first byte 0x40): an update that breaks that is refused, as a bug of
 * its writer, since the block would then be counted wrong.
 *
 * The id is AUTOINCREMENT so that a deleted block's id is never another block's: a connection that inflated a block
 * keeps it (DeviceRecordCodec's cache). Existing rows keep their records (NULL block).
 */
export const deviceRecordBlocks: Migration = {
  version: 37,
  name: 'device record blocks',
  up(db) {
    db.exec(`
      CREATE TABLE device_record_blocks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dictionary INTEGER NOT NULL,
        records BLOB NOT NULL,
        live INTEGER NOT NULL
      );
      ALTER TABLE devices ADD COLUMN record_block INTEGER;
      CREATE TRIGGER devices_record_block_left AFTER UPDATE OF raw_record, record_block ON devices
        WHEN old.record_block IS NOT NULL AND (new.record_block IS NOT old.record_block OR new.raw_record IS NOT old.raw_record) BEGIN
        UPDATE device_record_blocks SET live = live - 1 WHERE id = old.record_block;
        DELETE FROM device_record_blocks WHERE id = old.record_block AND live <= 0;
      END;
      CREATE TRIGGER devices_record_block_deleted AFTER DELETE ON devices WHEN old.record_block IS NOT NULL BEGIN
        UPDATE device_record_blocks SET live = live - 1 WHERE id = old.record_block;
        DELETE FROM device_record_blocks WHERE id = old.record_block AND live <= 0;
      END;
      CREATE TRIGGER devices_record_block_named BEFORE UPDATE OF raw_record, record_block ON devices
        WHEN (new.record_block IS NOT NULL) IS NOT (substr(new.raw_record, 1, 1) IS x'40') BEGIN
        SELECT RAISE(ABORT, 'a device''s record_block must be set exactly when its raw_record is a place in a block');
      END;
    `);
  },
};
