import zlib from 'node:zlib';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';

/**
 * The raw device record as stored in `devices.raw_record` (migration 0014): one byte naming a dictionary of
 * `device_record_dictionaries`, then the record's JSON text (UTF-8) raw-deflated with that dictionary as preset.
 * Records are written with the newest dictionary and read with the one they name, so a dictionary added later never
 * makes an older record unreadable. Decoding gives back exactly the text that was encoded: the drawer's raw view and
 * the exports show the tenant's JSON as it was sent.
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
  readonly #newest: { id: number; prefix: Buffer; dictionary: Buffer };

  private constructor(rows: readonly { id: number; dictionary: Buffer }[]) {
    this.#dictionaries = new Map(rows.map((r) => [r.id, r.dictionary]));
    const newest = rows.at(-1);
    if (newest === undefined) throw new AppError('DB_CORRUPT', 'The database has no dictionary for device records (device_record_dictionaries is empty).');
    this.#newest = { id: newest.id, prefix: Buffer.from([newest.id]), dictionary: newest.dictionary };
  }

  /** The record's JSON text as stored. */
  encode(json: string): Buffer {
    return Buffer.concat([this.#newest.prefix, zlib.deflateRawSync(Buffer.from(json, 'utf8'), { dictionary: this.#newest.dictionary })]);
  }

  /** The JSON text a stored record was encoded from. `device` names it in the error an unreadable one raises. */
  decode(stored: Uint8Array, device: number | string): string {
    const dictionary = stored.length > 0 ? this.#dictionaries.get(stored[0]!) : undefined;
    if (dictionary === undefined) {
      throw new AppError(
        'DB_CORRUPT',
        `The stored record of device ${device} names a dictionary this database does not have, so it cannot be read. Sync its integration again to store it anew.`,
        { device },
      );
    }
    try {
      return zlib.inflateRawSync(stored.subarray(1), { dictionary }).toString('utf8');
    } catch {
      throw new AppError('DB_CORRUPT', `The stored record of device ${device} is damaged and cannot be read. Sync its integration again to store it anew.`, { device });
    }
  }
}
