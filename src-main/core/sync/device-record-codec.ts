import zlib from 'node:zlib';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';

/**
 * The `devices` columns that copy a field of the raw record exactly and are written only together with it (by the sync,
 * from the same record: DeviceStore's insert and rewrite, and its check-in update, which needs these fields unchanged).
 * A record's own dictionary is built from them (see DeviceRecordCodec), so no other writer may change one of them
 * alone: a migration that rewrites one must re-encode the record with it. Derived columns (identifier_key,
 * device_name_key) are left out for that reason.
 */
export const RECORD_CONTEXT_COLUMNS = [
  'guid',
  'client_device_identifier',
  'uid',
  'email',
  'display_name',
  'serial_number',
  'imei',
  'udid',
  'wifi_mac',
  'model',
  'device_name',
  'manufacturer',
] as const;

/** A device row's RECORD_CONTEXT_COLUMNS: what its stored record is encoded and decoded with. */
export type RecordContext = { readonly [K in (typeof RECORD_CONTEXT_COLUMNS)[number]]: string | null };

/** Set in the first byte of a record compressed with its own row's values too (the low bits name the dictionary). */
const OWN_VALUES = 0x80;
/** Bytes of the CRC-32 of the JSON text that follow the first byte in that format. */
const CHECKSUM_BYTES = 4;

/**
 * The raw device record as stored in `devices.raw_record`: one byte naming a dictionary of `device_record_dictionaries`,
 * then the record's JSON text (UTF-8) raw-deflated with a preset dictionary. Records are written with the newest
 * dictionary and read with the one they name, so a dictionary added later never makes an older record unreadable.
 * Decoding gives back exactly the text that was encoded: the drawer's raw view and the exports show the tenant's JSON
 * as it was sent.
 *
 * Two formats, told apart by the first byte's high bit:
 * - migration 0014's (bit clear): the preset is the shared dictionary.
 * - the row's own values (bit set): the preset is the shared dictionary followed by the row's RECORD_CONTEXT_COLUMNS
 *   as JSON strings, so the identifiers the row already holds as columns (guid, client identifier, serial, IMEI, names)
 *   cost a back-reference each instead of their incompressible bytes (issue 19: ~115 bytes of a ~390-byte record).
 *   The decoder rebuilds that preset from the row; the CRC-32 of the JSON text stored after the first byte makes a
 *   row whose columns no longer match its record fail loudly instead of giving back another text.
 *
 * Owner of `device_record_dictionaries` (rows written only by migrations; read once per connection).
 */
export class DeviceRecordCodec {
  static readonly #byConnection = new WeakMap<Db, DeviceRecordCodec>();

  /** The codec of this connection's database (its dictionaries never change while it is open). */
  static of(db: Db): DeviceRecordCodec {
    let codec = DeviceRecordCodec.#byConnection.get(db);
    if (codec === undefined) {
      codec = new DeviceRecordCodec(db.prepare('SELECT id, dictionary FROM device_record_dictionaries ORDER BY id').all() as { id: number; dictionary: Buffer }[]);
      DeviceRecordCodec.#byConnection.set(db, codec);
    }
    return codec;
  }

  readonly #dictionaries: Map<number, Buffer>;
  readonly #newest: { id: number; dictionary: Buffer };

  private constructor(rows: readonly { id: number; dictionary: Buffer }[]) {
    this.#dictionaries = new Map(rows.map((r) => [r.id, r.dictionary]));
    const newest = rows.at(-1);
    if (newest === undefined) throw new AppError('DB_CORRUPT', 'The database has no dictionary for device records (device_record_dictionaries is empty).');
    if (newest.id >= OWN_VALUES) throw new AppError('DB_CORRUPT', `The database names a device record dictionary ${newest.id}, above the highest this version reads (${OWN_VALUES - 1}).`);
    this.#newest = newest;
  }

  /** The record's JSON text as stored, with `row`'s columns (the values the row is written with) in its preset. */
  encode(json: string, row: RecordContext): Buffer {
    const text = Buffer.from(json, 'utf8');
    const head = Buffer.alloc(1 + CHECKSUM_BYTES);
    head[0] = OWN_VALUES | this.#newest.id;
    head.writeUInt32BE(zlib.crc32(text), 1);
    return Buffer.concat([head, zlib.deflateRawSync(text, { dictionary: withOwnValues(this.#newest.dictionary, row) })]);
  }

  /**
   * The JSON text a stored record was encoded from, given the columns of the row it is stored in. `device` names it in
   * the error an unreadable one raises.
   */
  decode(stored: Uint8Array, row: RecordContext, device: number | string): string {
    const format = stored.length > 0 ? stored[0]! : 0;
    const ownValues = (format & OWN_VALUES) !== 0;
    const shared = this.#dictionaries.get(format & ~OWN_VALUES);
    if (shared === undefined || (ownValues && stored.length <= 1 + CHECKSUM_BYTES)) {
      throw new AppError(
        'DB_CORRUPT',
        `The stored record of device ${device} names a dictionary this database does not have, so it cannot be read. Sync its integration again to store it anew.`,
        { device },
      );
    }
    let text: Buffer;
    try {
      text = ownValues
        ? zlib.inflateRawSync(stored.subarray(1 + CHECKSUM_BYTES), { dictionary: withOwnValues(shared, row) })
        : zlib.inflateRawSync(stored.subarray(1), { dictionary: shared });
    } catch {
      throw damaged(device);
    }
    if (ownValues && zlib.crc32(text) !== Buffer.from(stored.buffer, stored.byteOffset + 1, CHECKSUM_BYTES).readUInt32BE(0)) throw damaged(device);
    return text.toString('utf8');
  }
}

/** The shared dictionary, then the row's values as the JSON strings they appear as in the record (nearest last). */
function withOwnValues(shared: Buffer, row: RecordContext): Buffer {
  let own = '';
  for (const column of RECORD_CONTEXT_COLUMNS) {
    const value = row[column];
    if (typeof value === 'string') own += JSON.stringify(value);
  }
  return Buffer.concat([shared, Buffer.from(own, 'utf8')]);
}

function damaged(device: number | string): AppError {
  return new AppError(
    'DB_CORRUPT',
    `The stored record of device ${device} is damaged or no longer matches the device's other columns, so it cannot be read. Sync its integration again to store it anew.`,
    { device },
  );
}
