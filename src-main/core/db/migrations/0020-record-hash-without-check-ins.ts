import { DeviceRecordCodec, type RecordContext } from '../../sync/device-record-codec';
import { recordHash } from '../../sync/record-hash';
import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/** What a record that cannot be read gets: no hash equals it, so the next sync compares the record, as before. */
const UNREADABLE = Buffer.alloc(0);

/**
 * Record hashes that leave out the check-in times (issue 19). `devices.record_hash` was the SHA-1 of the whole record's
 * JSON text and its space, 28 characters of base64: a device that had only checked in (most of a daily re-sync) hashed
 * differently, so the sync inflated, parsed and compared its stored record to find nothing to record. It becomes a
 * 16-byte BLOB: 12 bytes of the record without its check-in and scan times (VOLATILE_FIELDS) and with its space, 4 of those times alone,
 * computed by the function the sync uses (core/sync/record-hash.ts), as migrations 0007 and 0011 compute their keys.
 *
 * Every stored record is read (DeviceRecordCodec: inflated with the dictionary it names and its row's columns) and
 * hashed anew, so the first re-sync after the upgrade finds an unchanged tenant unchanged. A record that cannot be read gets an empty hash, which
 * compares as changed, as its old one would have. The table is STRICT, so the column is replaced
 * (added, filled, the old one dropped, renamed): two passes over the table, reported as one. All migrations run in one
 * transaction, so a kill mid-way leaves schema 19 and the next start begins again.
 */
export const recordHashWithoutCheckIns: Migration = {
  version: 20,
  name: 'record hashes without check-in times',
  up(db, progress) {
    const codec = DeviceRecordCodec.forMigration(db);
    db.exec("ALTER TABLE devices ADD COLUMN record_hash_19 BLOB NOT NULL DEFAULT x''");
    const { total } = db.prepare('SELECT COUNT(*) AS total FROM devices').get() as { total: number };
    // Every column, not today's RECORD_CONTEXT_COLUMNS: a later version of that list may name a column schema 19 lacks.
    // A record whose columns are missing fails its checksum and is UNREADABLE, never a failed upgrade.
    const read = db.prepare(`SELECT * FROM devices WHERE id > ? ORDER BY id LIMIT ${BATCH}`);
    const write = db.prepare('UPDATE devices SET record_hash_19 = ? WHERE id = ?');
    let done = 0;
    progress(0, total);
    for (let after = 0; ; ) {
      const rows = read.all(after) as (RecordContext & { id: number; space_id: number | null; raw_record: Buffer })[];
      if (rows.length === 0) break;
      for (const row of rows) write.run(hashOf(codec, row), row.id);
      after = rows.at(-1)!.id;
      done += rows.length;
      progress(done, total);
    }
    db.exec('ALTER TABLE devices DROP COLUMN record_hash; ALTER TABLE devices RENAME COLUMN record_hash_19 TO record_hash');
  },
};

/** The stored record's new hash, or UNREADABLE. */
function hashOf(codec: DeviceRecordCodec, row: RecordContext & { id: number; space_id: number | null; raw_record: Buffer }): Buffer {
  let record: unknown;
  try {
    record = JSON.parse(codec.decode(row.raw_record, row, row.id));
  } catch {
    return UNREADABLE;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return UNREADABLE;
  return recordHash(record as Record<string, unknown>, row.space_id ?? 0);
}
