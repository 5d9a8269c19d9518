import zlib from 'node:zlib';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';
import { RECORD_HASH_SOURCE, recordHash, VOLATILE_FIELDS } from './record-hash';
import { RECORD_COMPRESSOR_THREAD_LIMITS } from './thread-limits';

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
/** The format byte and the checksum, before the deflated text. */
const HEAD_BYTES = 1 + CHECKSUM_BYTES;

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

  /** The codec of this connection's database (its dictionaries never change while it is open, once it is migrated). */
  static of(db: Db): DeviceRecordCodec {
    let codec = DeviceRecordCodec.#byConnection.get(db);
    if (codec === undefined) {
      codec = DeviceRecordCodec.forMigration(db);
      DeviceRecordCodec.#byConnection.set(db, codec);
    }
    return codec;
  }

  /**
   * A codec of the dictionaries the database holds at this point of its migrations, not kept for the connection: a
   * later migration of the same opening may add a dictionary, which `of` must then see.
   */
  static forMigration(db: Db): DeviceRecordCodec {
    return new DeviceRecordCodec(db.prepare('SELECT id, dictionary FROM device_record_dictionaries ORDER BY id').all() as { id: number; dictionary: Buffer }[]);
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
    // RecordCompressor encodes the same way, with the deflate on a thread of its own.
    return Buffer.concat([headOf(this.#format(), json), zlib.deflateRawSync(Buffer.from(json, 'utf8'), { dictionary: withOwnValues(this.#newest.dictionary, row), chunkSize: DEFLATE_CHUNK })]);
  }

  /**
   * A thread that encodes records as `encode` does, for a bulk load (issue 19): compressing is ~40 % of writing a new
   * device, nearly all of it zlib's fixed cost per call (Node's async zlib pays that on the calling thread too), so a
   * first sync compresses the next page there while this thread writes the current one, on the machine's other core.
   * Call `close` when the load ends.
   */
  compressor(): RecordCompressor {
    return new RecordCompressor({ shared: this.#newest.dictionary, format: this.#format(), encode: (json, row) => this.encode(json, row) });
  }

  /** The first byte of a record written now: the own-values format and the newest dictionary. */
  #format(): number {
    return OWN_VALUES | this.#newest.id;
  }

  /**
   * The JSON text a stored record was encoded from, given the columns of the row it is stored in. `device` names it in
   * the error an unreadable one raises.
   */
  decode(stored: Uint8Array, row: RecordContext, device: number | string): string {
    const format = stored.length > 0 ? stored[0]! : 0;
    const ownValues = (format & OWN_VALUES) !== 0;
    const shared = this.#dictionaries.get(format & ~OWN_VALUES);
    if (shared === undefined || (ownValues && stored.length <= HEAD_BYTES)) {
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

/**
 * What precedes the deflated text in the own-values format, `format` then the CRC-32 of the JSON text (UTF-8), written
 * into `into` at `at` (HEAD_BYTES), as JavaScript source given zlib's crc32: the compressing thread evaluates the same
 * text, so both threads write one head.
 */
const HEAD_SOURCE = String.raw`(crc32) => (format, text, into, at) => {
  into[at] = format;
  into.writeUInt32BE(crc32(text), at + 1);
}`;

// A constant of this module, never input.
// oxlint-disable-next-line typescript/no-implied-eval
const headInto = new Function(`return ${HEAD_SOURCE}`)()(zlib.crc32) as (format: number, text: string | Uint8Array, into: Buffer, at: number) => void;

/** The head of a record encoded on this thread (encode). */
function headOf(format: number, text: string | Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(HEAD_BYTES);
  headInto(format, text, head, 0);
  return head;
}

/**
 * The output buffer each deflate call allocates (Node's default is 16 KiB, a fresh ArrayBuffer a record, as Node's
 * pool serves only allocations under 4 KiB). A record deflates to ~315 B (1,287 B of JSON, 5,000 generated records),
 * so 1 KiB holds nearly all; a longer output takes more rounds of the same call and gives the same bytes (deflate's
 * output does not depend on how its output space is handed over). Measured (CPU, interleaved A/B): the deflate call
 * alone, 5,000 generated records, median of 9 rounds, load 5.6-6.4: 28.0-30.0 us a record at 16 KiB, 24.7-26.0 at
 * 1 KiB (2 KiB 27.2-27.6, 512 B 24.9-27.4); RecordCompressor.compress whole, 20,000 records, median of 14, load 2.5:
 * 60.6-61.1 -> 58.6 us a record. Reusing one zlib handle is no option: a record's preset ends with its own values,
 * and Node sets a handle's dictionary once (reset() re-applies that one) and closes a handle after a sync call.
 */
const DEFLATE_CHUNK = 1024;

/** The shared dictionary, then the row's values as the JSON strings they appear as in the record (nearest last). */
function withOwnValues(shared: Buffer, row: RecordContext): Buffer {
  return Buffer.concat([shared, Buffer.from(ownValues(row), 'utf8')]);
}

/**
 * The preset's own part from a row's RECORD_CONTEXT_COLUMNS values, `values[from]` to `values[to - 1]` in that order, as
 * JavaScript source: the compressing thread evaluates the same text (as record-hash.ts does for recordHash), so the two
 * threads cannot build different presets.
 */
const OWN_VALUES_SOURCE = String.raw`(values, from, to) => {
  let own = '';
  for (let i = from; i < to; i++) {
    const value = values[i];
    if (typeof value === 'string') own += JSON.stringify(value);
  }
  return own;
}`;

// A constant of this module, never input.
// oxlint-disable-next-line typescript/no-implied-eval
const ownValuesOf = new Function(`return ${OWN_VALUES_SOURCE}`)() as (values: readonly (string | null)[], from: number, to: number) => string;

function ownValues(row: RecordContext): string {
  return ownValuesOf(contextValues(row, []), 0, RECORD_CONTEXT_COLUMNS.length);
}

/** Appends the row's RECORD_CONTEXT_COLUMNS values, in their order, to `values` (a batch's rows go into one array). */
function contextValues(row: RecordContext, values: (string | null)[]): (string | null)[] {
  for (const column of RECORD_CONTEXT_COLUMNS) values.push(row[column]);
  return values;
}

function damaged(device: number | string): AppError {
  return new AppError(
    'DB_CORRUPT',
    `The stored record of device ${device} is damaged or no longer matches the device's other columns, so it cannot be read. Sync its integration again to store it anew.`,
    { device },
  );
}

/**
 * Encodes records on a worker thread, in order, a batch per call (DeviceRecordCodec.compressor). It never fails a
 * write: if the thread cannot start or dies, the batches waiting for it, and every later one, are encoded on the
 * calling thread.
 *
 * The thread does the whole batch, even while the writer waits for it: the writer encoding the records the thread had
 * not reached yet (61e2685, a shared counter) made a real first sync slower, the HTTP simulator, the sync worker and
 * this thread sharing two cores: at 100,000 devices 10.4 / 10.5 s without, 11.4 / 11.1 s with (interleaved, load 2.4-2.7),
 * at a million 126 s against 104; the storage path alone did not gain either (8.0-8.9 against 8.7-8.8 s).
 */
export class RecordCompressor {
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #waiting = new Map<number, { records: readonly RecordToEncode[]; spaceId: number | null; resolve: (encoded: Encoded) => void }>();

  constructor(private readonly codec: { shared: Buffer; format: number; encode: (json: string, row: RecordContext) => Buffer }) {
    try {
      const worker = new Worker(COMPRESSOR_SOURCE, {
        eval: true,
        workerData: {
          shared: codec.shared,
          format: codec.format,
          headSource: HEAD_SOURCE,
          headBytes: HEAD_BYTES,
          columns: RECORD_CONTEXT_COLUMNS.length,
          ownValuesSource: OWN_VALUES_SOURCE,
          hashSource: RECORD_HASH_SOURCE,
          volatileFields: VOLATILE_FIELDS,
          deflateChunk: DEFLATE_CHUNK,
        },
        resourceLimits: RECORD_COMPRESSOR_THREAD_LIMITS,
      });
      // Referenced only while a batch is out: an idle compressor never keeps the process alive.
      worker.unref();
      worker.on('message', ({ id, bytes, ends, hashes }: { id: number; bytes: ArrayBuffer; ends: Uint32Array; hashes: ArrayBuffer | null }) => {
        const waiting = this.#waiting.get(id);
        this.#settle(id);
        waiting?.resolve({
          stored: Array.from(ends, (end, i) => {
            const start = i === 0 ? 0 : ends[i - 1]!;
            return Buffer.from(bytes, start, end - start);
          }),
          hashes: hashes === null ? null : Array.from(ends, (_, i) => Buffer.from(hashes, i * HASH_BYTES, HASH_BYTES)),
        });
      });
      worker.on('error', () => this.#failOver());
      worker.on('exit', () => this.#failOver());
      this.#worker = worker;
    } catch {
      this.#worker = null;
    }
  }

  /** The records' stored forms, in their order. Never rejects. */
  async compress(records: readonly RecordToEncode[]): Promise<Buffer[]> {
    return (await this.#encode(records, null)).stored;
  }

  /**
   * The records' stored forms and their recordHash with `spaceId`, in their order, both made on the thread (the hash
   * from the record's JSON text parsed again there: the same object, so the same hash). Never rejects.
   */
  async compressAndHash(records: readonly RecordToEncode[], spaceId: number): Promise<{ stored: Buffer[]; hashes: Buffer[] }> {
    const { stored, hashes } = await this.#encode(records, spaceId);
    return { stored, hashes: hashes! };
  }

  #encode(records: readonly RecordToEncode[], spaceId: number | null): Promise<Encoded> {
    const worker = this.#worker;
    if (worker === null || records.length === 0) return Promise.resolve(this.#encodeHere(records, spaceId));
    const id = this.#nextId++;
    // The records go as objects, not as their JSON text: structured cloning one costs this thread about half of what
    // JSON.stringify and posting the text did (~7 against ~19 µs a record of ~1.3 KB, issue 19), and the thread, which
    // hashes the object, serialises it as JSON.stringify does here (a clone keeps every key, in its order, and every
    // value a JSON record can hold). The rows' values go in one flat array; the thread builds each preset and head.
    const values: (string | null)[] = [];
    for (const record of records) contextValues(record.row, values);
    const message = { id, records: records.map((r) => r.record), values, spaceId, hashBytes: HASH_BYTES };
    return new Promise((resolve) => {
      if (this.#waiting.size === 0) worker.ref();
      this.#waiting.set(id, { records, spaceId, resolve });
      worker.postMessage(message);
    });
  }

  /** Whether batches still go to the thread (false once it failed or was closed: they are encoded on the caller's). */
  get onThread(): boolean {
    return this.#worker !== null;
  }

  /** Stops the thread; batches still out are encoded here. */
  close(): void {
    const worker = this.#worker;
    this.#failOver();
    void worker?.terminate();
  }

  #settle(id: number): void {
    this.#waiting.delete(id);
    if (this.#waiting.size === 0) this.#worker?.unref();
  }

  #failOver(): void {
    this.#worker = null;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const { records, spaceId, resolve } of waiting) resolve(this.#encodeHere(records, spaceId));
  }

  #encodeHere(records: readonly RecordToEncode[], spaceId: number | null): Encoded {
    const texts = records.map((record) => JSON.stringify(record.record));
    return {
      stored: records.map((record, i) => this.codec.encode(texts[i]!, record.row)),
      hashes: spaceId === null ? null : records.map((record, i) => recordHash(record.record, spaceId, texts[i])),
    };
  }
}

/** A batch's stored forms, and their record hashes when they were asked for. */
interface Encoded {
  stored: Buffer[];
  hashes: Buffer[] | null;
}

/** recordHash's length. */
const HASH_BYTES = 16;

/**
 * A record to encode: the record as parsed (its stored text is its JSON.stringify) and the columns of the row it is
 * written with (DeviceRecordCodec.encode).
 */
export interface RecordToEncode {
  record: Record<string, unknown>;
  row: RecordContext;
}

/**
 * CommonJS, evaluated in the compressor's thread: for each record of a batch, its JSON text (JSON.stringify, as
 * DeviceRecordCodec.encode's callers serialise it), its head (HEAD_SOURCE, the same text), then the
 * text deflated with the shared dictionary followed by its own values as preset (withOwnValues, from the same source),
 * all returned as one transferred buffer and where each record ends in it; with a space id, each record's hash too
 * (recordHash, from the same source, of the same object, given the text made for the deflate).
 */
const COMPRESSOR_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const shared = Buffer.from(workerData.shared);
const { format, headBytes, columns, deflateChunk } = workerData;
const headInto = new Function('return ' + workerData.headSource)()(zlib.crc32);
const ownValuesOf = new Function('return ' + workerData.ownValuesSource)();
const recordHash = new Function('return ' + workerData.hashSource)()(require('node:crypto').hash, workerData.volatileFields);
// Reused from record to record, grown when one needs more (UTF-8 takes at most 3 bytes a UTF-16 unit): the preset, the
// shared dictionary then the record's own values (zlib copies it when the call makes its stream), and the record's
// text (read during the call). A fresh Buffer of each, the head's and the head and deflated text concatenated cost
// ~4 us a record (20,000 simulated records, 8 interleaved rounds: 61.8 -> 57.4 us a record on this thread).
let preset = Buffer.concat([shared, Buffer.allocUnsafe(1024)]);
let textSpace = Buffer.allocUnsafe(8192);
parentPort.on('message', ({ id, records, values, spaceId, hashBytes }) => {
  const all = spaceId === null ? null : new Uint8Array(records.length * hashBytes);
  const heads = Buffer.allocUnsafe(records.length * headBytes);
  const deflated = records.map((record, i) => {
    const json = JSON.stringify(record);
    if (all !== null) all.set(recordHash(record, spaceId, json), i * hashBytes);
    if (textSpace.length < json.length * 3) textSpace = Buffer.allocUnsafe(json.length * 3);
    const text = textSpace.subarray(0, textSpace.write(json));
    headInto(format, text, heads, i * headBytes);
    const own = ownValuesOf(values, i * columns, (i + 1) * columns);
    if (preset.length < shared.length + own.length * 3) preset = Buffer.concat([shared, Buffer.allocUnsafe(own.length * 3)]);
    return zlib.deflateRawSync(text, { dictionary: preset.subarray(0, shared.length + preset.write(own, shared.length)), chunkSize: deflateChunk });
  });
  const hashes = all === null ? null : all.buffer;
  const ends = new Uint32Array(deflated.length);
  let length = 0;
  deflated.forEach((record, i) => { length += headBytes + record.length; ends[i] = length; });
  const bytes = new Uint8Array(length);
  deflated.forEach((record, i) => {
    const at = i === 0 ? 0 : ends[i - 1];
    for (let b = 0; b < headBytes; b++) bytes[at + b] = heads[i * headBytes + b];
    bytes.set(record, at + headBytes);
  });
  parentPort.postMessage({ id, bytes: bytes.buffer, ends, hashes }, hashes === null ? [bytes.buffer, ends.buffer] : [bytes.buffer, ends.buffer, hashes]);
});
`;
