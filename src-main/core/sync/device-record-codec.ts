import zlib from 'node:zlib';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../src-shared/errors';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import { LONGEST_ANSWER_BYTES } from '../ivanti/answer-limit';
import { answerBytes, RECORD_TEXTS_SOURCE } from './received-record-texts';
import { RECORD_HASH_SOURCE, recordHash, VOLATILE_FIELDS } from './record-hash';
import { RECORD_COMPRESSOR_THREAD_LIMITS } from './thread-limits';

/**
 * What this module uses of zstd-napi's binding (N-API, so one build loads in Node and in Electron), declared here so
 * that the code type-checks where the package is not installed yet (it is loaded at run time, and may be missing).
 */
interface ZstdBinding {
  versionNumber(): number;
  compressBound(size: number): number;
  getFrameContentSize(frame: Uint8Array): number | null;
  CDict: new (dictionary: Uint8Array, level: number) => object;
  DDict: new (dictionary: Uint8Array) => object;
  DCtx: new () => { decompressUsingDDict(into: Uint8Array, frame: Uint8Array, dictionary: object): number };
}

/**
 * The zstd binding, or null where it cannot be loaded (a checkout whose node_modules predates the dependency, a broken
 * package): blocks are then written with deflate, which every version reads, and a block written with zstd is
 * refused as unreadable, as a damaged one is.
 */
const zstdPath: string | null = (() => {
  try {
    const path = require.resolve('zstd-napi/binding');
    (require(path) as ZstdBinding).versionNumber();
    return path;
  } catch {
    return null;
  }
})();
const zstd: ZstdBinding | null = zstdPath === null ? null : (require(zstdPath) as ZstdBinding);

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
/**
 * The whole first byte of a record stored in a block (`devices.record_block`, migration 0037): the block names its
 * dictionary, so the other formats' dictionaries are numbered below it.
 */
const IN_BLOCK = 0x40;
/** Bytes of the CRC-32 of the JSON text that follow the first byte in that format. */
const CHECKSUM_BYTES = 4;
/** The format byte and the checksum, before the deflated text. */
const HEAD_BYTES = 1 + CHECKSUM_BYTES;
/** A record in a block is its head alone, then its slot in the block (one byte: a block holds at most 256 records). */
const BLOCKED_BYTES = HEAD_BYTES + 1;
/**
 * A record in a block whose text changed since (patchInBlock) is that, then how many bytes of the text it was written
 * with start and end its new text (4 bytes each), then the new text's bytes between them.
 */
const PATCHED_BYTES = BLOCKED_BYTES + 8;
/** The longest run of changed bytes a record keeps in its block for (patchInBlock). */
const PATCH_LIMIT = 64;

/**
 * The most bytes of text a record stored alone, or a block's group of records, decompresses to: a record or group that
 * would give more is refused as damaged (decode's DB_CORRUPT), before its text is allocated (zstd: the frame content
 * size, which every frame written here has, is checked first; a frame without one is refused) or as soon as inflating
 * passes it (maxOutputLength), so that a damaged or crafted database file (a copy opened with --data-dir) makes a read
 * allocate at most this much. Derived from what is written: a record's text is JSON.stringify of a record parsed from
 * one answer of the HTTP client, which takes none longer than LONGEST_ANSWER_BYTES (a real record is ~1.3 KB, a group
 * ~10 KB, a 500-record page ~650 KB). Only a crafted answer gives a longer text than it held (numbers written shorter
 * than JavaScript prints them, such as 1e20; bytes that are not UTF-8), and the writers refuse that text (encode,
 * blocksOf: tooLong), so no record is ever stored that this bound would then refuse.
 */
const LONGEST_TEXT = LONGEST_ANSWER_BYTES;

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
 * - in a block (first byte IN_BLOCK, migration 0037): the records a bulk load writes are deflated GROUP_RECORDS at a
 *   time, their texts joined by newlines (JSON.stringify never writes one), with the shared dictionary named by the
 *   block as preset, and BLOCK_RECORDS of them stored in one row of `device_record_blocks`; the device row's
 *   `raw_record` holds the head (the CRC-32 of its own text) and its slot, `record_block` the block. Node's fixed cost
 *   of a deflate call and the preset's set-up are paid once a group instead of once a record (BLOCK_RECORDS says what
 *   that saves), and the records of a group share their repeated text. A block's groups are zstd frames with the
 *   shared dictionary as their dictionary where it is written with zstd at hand (ZSTD_GROUPS, marked in the block), else
 *   raw deflate as above; either is read.
 *
 * Owner of `device_record_dictionaries` (rows written only by migrations; read once per connection) and of
 * `device_record_blocks` (written by the sync with the devices whose records they hold; triggers count the devices
 * still in each, and delete a block the last one leaves).
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
    return new DeviceRecordCodec(db, db.prepare('SELECT id, dictionary FROM device_record_dictionaries ORDER BY id').all() as { id: number; dictionary: Buffer }[]);
  }

  readonly #dictionaries: Map<number, Buffer>;
  readonly #newest: { id: number; dictionary: Buffer };
  /** Blocks inflated lately, least recently read first (BLOCK_CACHE says why). */
  readonly #inflated = new Map<number, StoredBlock>();
  /** Prepared on first use: a codec made during migrations before 0037 never reads a block. */
  #blockStatements: BlockStatements | null = null;
  /** The highest block id this codec gave out: never given again by it, even when the write that used it rolled back. */
  #lastBlockId = 0;

  private constructor(
    private readonly db: Db,
    rows: readonly { id: number; dictionary: Buffer }[],
  ) {
    this.#dictionaries = new Map(rows.map((r) => [r.id, r.dictionary]));
    const newest = rows.at(-1);
    if (newest === undefined) throw new AppError('DB_CORRUPT', 'The database has no dictionary for device records (device_record_dictionaries is empty).');
    if (newest.id >= IN_BLOCK) throw new AppError('DB_CORRUPT', `The database names a device record dictionary ${newest.id}, above the highest this version reads (${IN_BLOCK - 1}).`);
    this.#newest = newest;
  }

  /** The record's JSON text as stored, with `row`'s columns (the values the row is written with) in its preset. */
  encode(json: string, row: RecordContext): Buffer {
    const text = Buffer.from(json, 'utf8');
    if (text.length > LONGEST_TEXT) throw tooLong(text.length);
    return Buffer.concat([headOf(this.#format(), text), zlib.deflateRawSync(text, { dictionary: withOwnValues(this.#newest.dictionary, row), chunkSize: DEFLATE_CHUNK })]);
  }

  /**
   * A thread that hashes records and puts them in blocks (the IN_BLOCK format), for a bulk load (issue 19): compressing
   * is ~40 % of writing a new device, so a first sync compresses the next page there while this thread writes the
   * current one, on the machine's other core. Call `close` when the load ends.
   */
  compressor(): RecordCompressor {
    return new RecordCompressor({
      shared: this.#newest.dictionary,
      dictionary: this.#newest.id,
    });
  }

  /** The first byte of a record written now: the own-values format and the newest dictionary. */
  #format(): number {
    return OWN_VALUES | this.#newest.id;
  }

  /**
   * The JSON text a stored record was encoded from, given the columns of the row it is stored in. `device` names it in
   * the error an unreadable one raises. A row read on another connection, in a read transaction of its own (the
   * export's snapshot), comes with that connection's `blocks` (blockReader): its block may be gone from this one's.
   */
  decode(stored: Uint8Array, row: StoredRecordRow, device: number | string, blocks?: BlockReader): string {
    const format = stored.length > 0 ? stored[0]! : 0;
    if (format === IN_BLOCK) return this.#decodeInBlock(stored, row.record_block ?? null, device, blocks);
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
        ? zlib.inflateRawSync(stored.subarray(1 + CHECKSUM_BYTES), { dictionary: withOwnValues(shared, row), maxOutputLength: LONGEST_TEXT })
        : zlib.inflateRawSync(stored.subarray(1), { dictionary: shared, maxOutputLength: LONGEST_TEXT });
    } catch {
      throw damaged(device);
    }
    if (ownValues && zlib.crc32(text) !== checksumOf(stored)) throw damaged(device);
    return text.toString('utf8');
  }

  /**
   * A record's text from its block. A block is never rewritten and its id never given to another block once written
   * (AUTOINCREMENT, and #lastBlockId), so a block inflated before is still that block; the one case where it is not, a
   * block read inside a write that then rolled back, fails its checksum and is read again.
   */
  #decodeInBlock(stored: Uint8Array, blockId: number | null, device: number | string, blocks: BlockReader | undefined): string {
    if (stored.length !== BLOCKED_BYTES && stored.length < PATCHED_BYTES) throw damaged(device);
    const checksum = checksumOf(stored);
    for (const again of [false, true]) {
      let text: Buffer | null;
      try {
        const written = this.#writtenInBlock(stored, blockId, again, device, blocks);
        text = written === null ? null : stored.length === BLOCKED_BYTES ? written : patched(written, stored);
      } catch {
        throw damaged(device);
      }
      if (text !== null && zlib.crc32(text) === checksum) return text.toString('utf8');
    }
    throw damaged(device);
  }

  /** The UTF-8 text a record in a block was written with (before any patch), or null if its block has no such slot. */
  #writtenInBlock(stored: Uint8Array, blockId: number | null, again: boolean, device: number | string, blocks: BlockReader | undefined): Buffer | null {
    if (blockId === null) throw damaged(device);
    return this.#block(blockId, again, device, blocks).record(stored[HEAD_BYTES]!);
  }

  /**
   * A record in a block given its new text, when the new text differs from the one it was written with by a short run
   * (PATCH_LIMIT): its stored form, which keeps it in its block, with that run. Null when the run is longer (the record
   * is then stored alone, out of its block). A re-sync calls this for a device whose check-in times alone moved: those
   * fields are next to each other in Ivanti's records, so the run is a few dozen bytes, where the record alone is ~280
   * B and a deflate call (~25 us) to make, and leaving the block would grow the file by ~215 B a device (100k check-in
   * re-sync). The caller counts the record into its block again (enterBlock) before it writes this, as the update
   * counts it out.
   */
  patchInBlock(stored: Uint8Array, row: StoredRecordRow, json: string, device: number | string): Buffer | null {
    const blockId = row.record_block ?? null;
    if (stored.length === 0 || stored[0] !== IN_BLOCK || blockId === null) return null;
    let written: Buffer | null;
    try {
      written = this.#writtenInBlock(stored, blockId, false, device, undefined);
    } catch {
      throw damaged(device);
    }
    if (written === null) throw damaged(device);
    const text = Buffer.from(json, 'utf8');
    let prefix = 0;
    const most = Math.min(written.length, text.length);
    while (prefix < most && written[prefix] === text[prefix]) prefix++;
    let suffix = 0;
    while (suffix < most - prefix && written[written.length - 1 - suffix] === text[text.length - 1 - suffix]) suffix++;
    const run = text.subarray(prefix, text.length - suffix);
    if (run.length > PATCH_LIMIT) return null;
    const head = Buffer.allocUnsafe(PATCHED_BYTES);
    headInto(IN_BLOCK, text, head, 0);
    head[HEAD_BYTES] = stored[HEAD_BYTES]!;
    head.writeUInt32BE(prefix, BLOCKED_BYTES);
    head.writeUInt32BE(suffix, BLOCKED_BYTES + 4);
    return Buffer.concat([head, run]);
  }

  /**
   * A block as stored, from the cache unless `again`, else read by `blocks` or on this connection. Cached whichever
   * connection read it: a block's bytes never change once written.
   */
  #block(id: number, again: boolean, device: number | string, blocks: BlockReader | undefined): StoredBlock {
    const cached = again ? undefined : this.#inflated.get(id);
    if (cached !== undefined) {
      this.#inflated.delete(id);
      this.#inflated.set(id, cached);
      return cached;
    }
    const row = blocks === undefined ? (this.#blocks().select.get(id) as StoredBlockRow | undefined) : blocks(id);
    const shared = row === undefined ? undefined : this.#dictionaries.get(row.dictionary);
    if (row === undefined || shared === undefined) throw damaged(device);
    const block = new StoredBlock(row.records, shared);
    this.#inflated.delete(id);
    this.#inflated.set(id, block);
    if (this.#inflated.size > BLOCK_CACHE) this.#inflated.delete(this.#inflated.keys().next().value!);
    return block;
  }

  /**
   * Stores `block` in the caller's transaction, if it is not stored yet, and returns its id: a bulk load's block is
   * written with its first device, and the chunk that writes its next ones (a page is written in several transactions)
   * finds it there, unless the write that stored it rolled back, when it is stored again. Each device written into it
   * is then counted (enterBlock) in the same transaction.
   */
  storeBlock(block: PreparedBlock): number {
    const statements = this.#blocks();
    if (block.id !== null) {
      const same = statements.sameBytes.get(block.records, block.id) as number | undefined;
      if (same === 1) return block.id;
      if (same === undefined) {
        statements.insert.run(block.id, block.dictionary, block.records);
        return block.id;
      }
    }
    const id = Math.max(this.#lastBlockId, statements.highest.get() as number) + 1;
    statements.insert.run(id, block.dictionary, block.records);
    this.#lastBlockId = id;
    block.id = id;
    return id;
  }

  /** Reads blocks on `db`, for decode (an export reads its rows and their blocks in one read transaction there). */
  static blockReader(db: Db): BlockReader {
    const select = db.prepare(SELECT_BLOCK);
    return (id) => select.get(id) as StoredBlockRow | undefined;
  }

  /** Counts `devices` more device rows written into block `id` (by the caller, in its transaction). */
  enterBlock(id: number, devices: number): void {
    this.#blocks().entered.run(devices, id);
  }

  #blocks(): BlockStatements {
    return (this.#blockStatements ??= {
      select: this.db.prepare(SELECT_BLOCK),
      // Given out above any id a block ever had, the sequence AUTOINCREMENT keeps included, so a block a reader may have
      // inflated is never another block's id.
      highest: this.db
        .prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'device_record_blocks'), 0), coalesce((SELECT max(id) FROM device_record_blocks), 0))")
        .pluck(),
      sameBytes: this.db.prepare('SELECT records = ? FROM device_record_blocks WHERE id = ?').pluck(),
      insert: this.db.prepare('INSERT INTO device_record_blocks (id, dictionary, records, live) VALUES (?, ?, ?, 0)'),
      entered: this.db.prepare('UPDATE device_record_blocks SET live = live + ? WHERE id = ?'),
    });
  }
}

/** The statements of `device_record_blocks` (DeviceRecordCodec owns the table). */
type BlockStatements = Record<'select' | 'highest' | 'sameBytes' | 'insert' | 'entered', Statement>;

const SELECT_BLOCK = 'SELECT dictionary, records FROM device_record_blocks WHERE id = ?';

/** A row of `device_record_blocks` as decode reads it. */
interface StoredBlockRow {
  dictionary: number;
  records: Buffer;
}

/** Reads a block by id (DeviceRecordCodec.blockReader). */
export type BlockReader = (id: number) => StoredBlockRow | undefined;

/** What decode reads of a device row: the columns its record may be encoded with, and its block if it is in one. */
export type StoredRecordRow = RecordContext & { readonly record_block?: number | null };

/**
 * Blocks kept per connection, with the groups of them inflated so far. The drawer reads one record; an export reads
 * many in the explorer's order, which is the order blocks were written in only when it is that of the sync (by id):
 * then each group is inflated once.
 */
const BLOCK_CACHE = 16;

/**
 * The longest group of records a cached block keeps inflated for the next record read from it. A real group is ~10 KB
 * (8 records of ~1.3 KB); this allows 100 times as much. A longer one (only a crafted or damaged file has one: a group
 * may otherwise decompress to LONGEST_TEXT) is inflated again for each record read from it, so that BLOCK_CACHE blocks
 * of two groups hold at most 32 MiB, not 2 GiB.
 */
export const CACHED_GROUP_BYTES = 1024 * 1024;

/**
 * A block's bytes (BLOCKS_SOURCE: records a group, groups, where each group but the last ends, then the groups), each
 * group inflated when a record of it is first read. Damaged bytes throw.
 */
class StoredBlock {
  readonly #groups: (Buffer | null)[];
  readonly #starts: (number[] | null)[];
  readonly #perGroup: number;
  readonly #zstd: boolean;

  constructor(
    private readonly bytes: Buffer,
    private readonly shared: Buffer,
  ) {
    this.#perGroup = bytes[0]! & ~ZSTD_GROUPS;
    this.#zstd = (bytes[0]! & ZSTD_GROUPS) !== 0;
    const count = bytes[1]!;
    this.#groups = Array.from({ length: count }, () => null);
    this.#starts = Array.from({ length: count }, () => null);
  }

  /** The UTF-8 text in `slot`, or null if the block has no such slot. */
  record(slot: number): Buffer | null {
    const group = Math.floor(slot / this.#perGroup);
    if (group >= this.#groups.length) return null;
    const text = this.#groups[group] ?? this.#inflate(group);
    const starts = this.#starts[group] ?? startsOf(text);
    if (text.length <= CACHED_GROUP_BYTES) {
      this.#groups[group] = text;
      this.#starts[group] = starts;
    }
    const start = starts[slot % this.#perGroup];
    if (start === undefined) return null;
    const next = starts[(slot % this.#perGroup) + 1];
    return text.subarray(start, next === undefined ? text.length : next - 1);
  }

  #inflate(group: number): Buffer {
    const header = 2 + 4 * (this.#groups.length - 1);
    const endOf = (g: number) => (g === this.#groups.length - 1 ? this.bytes.length - header : this.bytes.readUInt32BE(2 + 4 * g));
    const from = header + (group === 0 ? 0 : endOf(group - 1));
    const bytes = this.bytes.subarray(from, header + endOf(group));
    return this.#zstd ? unzstd(bytes, this.shared) : zlib.inflateRawSync(bytes, { dictionary: this.shared, maxOutputLength: LONGEST_TEXT });
  }
}

/** A zstd frame of a block (BLOCKS_SOURCE) decompressed; damaged bytes, or no zstd binding, throw. */
function unzstd(frame: Buffer, shared: Buffer): Buffer {
  if (zstd === null) throw new Error('zstd-napi is not loaded');
  const size = zstd.getFrameContentSize(frame);
  if (size === null || size > LONGEST_TEXT) throw new RangeError('a zstd frame of no or too large a size');
  let digested = digestedForReading.get(shared);
  if (digested === undefined) {
    digested = new zstd.DDict(shared);
    digestedForReading.set(shared, digested);
  }
  const text = Buffer.allocUnsafe(size);
  if ((readingContext ??= new zstd.DCtx()).decompressUsingDDict(text, frame, digested) !== size) throw new RangeError('a zstd frame shorter than it says');
  return text;
}

/** The dictionaries zstd has digested for reading, by the dictionary buffer (a codec's, kept while it lives). */
const digestedForReading = new WeakMap<Buffer, object>();
let readingContext: InstanceType<ZstdBinding['DCtx']> | null = null;

/** Where each record's text starts in a group's text (records joined by newlines). */
function startsOf(text: Buffer): number[] {
  const starts = [0];
  for (let at = text.indexOf(NEWLINE); at !== -1; at = text.indexOf(NEWLINE, at + 1)) starts.push(at + 1);
  return starts;
}

const NEWLINE = 0x0a;

/** A patched record's text (patchInBlock) from the text it was written with; damaged lengths throw. */
function patched(written: Buffer, stored: Uint8Array): Buffer {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.length);
  const prefix = bytes.readUInt32BE(BLOCKED_BYTES);
  const suffix = bytes.readUInt32BE(BLOCKED_BYTES + 4);
  if (prefix + suffix > written.length) throw new RangeError('a patch longer than its text');
  return Buffer.concat([written.subarray(0, prefix), bytes.subarray(PATCHED_BYTES), written.subarray(written.length - suffix)]);
}

/** The CRC-32 a record's head holds (HEAD_SOURCE). */
function checksumOf(stored: Uint8Array): number {
  return Buffer.from(stored.buffer, stored.byteOffset + 1, CHECKSUM_BYTES).readUInt32BE(0);
}

/**
 * A block a bulk load's records were deflated into, before and after it is stored (storeBlock gives it its id). The
 * records are its devices' texts joined by newlines, raw-deflated with `dictionary`'s shared dictionary as preset.
 */
export interface PreparedBlock {
  dictionary: number;
  records: Buffer;
  id: number | null;
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

/**
 * Set in a block's first byte (its records a group) when its groups are zstd frames, and the level they are made at.
 * Deflate's cost a group was mostly set-up, not matching (perf of the compressing thread at 100k: Huffman trees, the
 * preset's hashing and deflateInit's tables ~9 % of all samples, matching ~2.6 %): zstd digests the dictionary once a
 * thread and keeps its context. Measured (8,000 simulator records in groups of 8, CPU a record, medians of 11
 * interleaved rounds, load 0.6-1.9): deflate level 2 7.8-8.9 us and 287.8 B a record; zstd level 1 3.4 us and 275.8 B
 * (level 2 3.5 us, 288.8 B; level 3 4.6 us, 275.2 B; negative levels 2.3-2.9 us but 372-382 B). Reading a group:
 * inflate 27-46 us, zstd 10-21 us. Windows, memory levels, strategies and level 1 of deflate changed nothing (7.6-10.5
 * us, the same or more bytes).
 */
const ZSTD_GROUPS = 0x80;
const ZSTD_LEVEL = 1;

/**
 * A batch's records in blocks (the IN_BLOCK format) as JavaScript source given zlib, headInto and the zstd binding
 * (null where it is not loaded): the compressing thread evaluates the same text. `texts` are JSON.stringify's (no
 * newline in them); each block holds `perBlock` of them in order (the last fewer), in groups of `perGroup`, each
 * group's texts joined by newlines and compressed with `shared` as its dictionary: a zstd frame at ZSTD_LEVEL (the
 * dictionary digested once a thread), or without zstd raw-deflated at `level`. A block's bytes: `perGroup`, with
 * ZSTD_GROUPS set when its groups are zstd frames, the number of groups (a byte each), where each group but the last
 * ends (4 bytes each, from the end of this header), then the groups. Returns each record's stored bytes (BLOCKED_BYTES
 * each: the head, then its slot in the block) and the blocks.
 */
const BLOCKS_SOURCE = String.raw`(zlib, headInto, zstd, zstdLevel, zstdGroups, longest, tooLong) => {
  // A group's text is written into one buffer, reused from group to group (deflate reads it during the call) and grown
  // when a group needs more (UTF-8 takes at most 3 bytes a UTF-16 unit). Joining the texts into a string and encoding
  // that made two copies, then searched them for the newlines: this function 9.35 -> 8.98 us a record, the same bytes
  // (16,000 simulator records in batches of 500, median of 11 interleaved rounds, load 8-9).
  let space = Buffer.allocUnsafe(64 * 1024);
  // zstd's context and output buffer, reused from group to group, and the dictionary it was last given, digested.
  const context = zstd === null ? null : new zstd.CCtx();
  let out = Buffer.allocUnsafe(0);
  let digestedFrom = null;
  let digested = null;
  const compress = (input, shared, level) => {
    if (context === null) return zlib.deflateRawSync(input, { dictionary: shared, level });
    if (digestedFrom !== shared) {
      digested = new zstd.CDict(shared, zstdLevel);
      digestedFrom = shared;
    }
    const most = zstd.compressBound(input.length);
    if (out.length < most) out = Buffer.allocUnsafe(most);
    return Buffer.from(out.subarray(0, context.compressUsingCDict(out, input, digested)));
  };
  return (texts, shared, perBlock, perGroup, level, format, headBytes) => {
    const heads = Buffer.allocUnsafe(texts.length * (headBytes + 1));
    const blocks = [];
    for (let from = 0; from < texts.length; from += perBlock) {
      const to = Math.min(texts.length, from + perBlock);
      const groups = [];
      for (let first = from; first < to; first += perGroup) {
        const last = Math.min(to, first + perGroup);
        let most = last - first;
        for (let i = first; i < last; i++) most += texts[i].length * 3;
        if (space.length < most) space = Buffer.allocUnsafe(most);
        let length = 0;
        for (let i = first; i < last; i++) {
          if (i > first) space[length++] = 10;
          const start = length;
          length += space.write(texts[i], length);
          headInto(format, space.subarray(start, length), heads, i * (headBytes + 1));
          heads[i * (headBytes + 1) + headBytes] = i - from;
        }
        if (length > longest) throw tooLong(length);
        groups.push(compress(space.subarray(0, length), shared, level));
      }
      const header = Buffer.allocUnsafe(2 + 4 * (groups.length - 1));
      header[0] = context === null ? perGroup : perGroup | zstdGroups;
      header[1] = groups.length;
      let end = 0;
      for (let g = 0; g + 1 < groups.length; g++) header.writeUInt32BE((end += groups[g].length), 2 + 4 * g);
      blocks.push(Buffer.concat([header, ...groups]));
    }
    return { heads, blocks };
  };
}`;

// A constant of this module, never input.
// oxlint-disable-next-line typescript/no-implied-eval
const blocksOf = new Function(`return ${BLOCKS_SOURCE}`)()(zlib, headInto, zstd, ZSTD_LEVEL, ZSTD_GROUPS, LONGEST_TEXT, tooLong) as (
  texts: readonly string[],
  shared: Buffer,
  perBlock: number,
  perGroup: number,
  level: number,
  format: number,
  headBytes: number,
) => { heads: Buffer; blocks: Buffer[] };

/**
 * Records a block holds, in groups of how many (a deflate call each), at what level. Measured (20,000 simulator
 * records, one thread, CPU a record including JSON.stringify, median of 5 rounds, load 1.7-6; bytes a record including
 * its 6-byte head; inflating a whole group):
 * each record alone (the own-values format): 31-33 us, 281 B, 27-32 us to inflate one;
 * groups of 4: 27 us, 299 B; of 6: 23 us, 280 B; of 8: 17-21 us, 269 B, 36-45 us a group; of 12: 21-22 us, 255 B,
 * 36-43 us; of 16: 17-20 us, 247 B, 79-103 us; of 24-25: 16-20 us, 236-237 B, 95-112 us; of 50: 16 us, 224 B, 205 us.
 * Level 3 instead of 6: 12-16 us but 20 B more a record.
 * Past 8 the thread saves no more, and a reader of one record (the drawer, an export in any order but the sync's)
 * inflates its whole group: 20,000 records read in random order, 27-32 us a record from groups of 8, 49-94 from groups
 * of 16, 15-26 alone. But a block is a row, and SQLite (4 KiB pages) gives a row of 2-4 KiB a page of its own: in
 * blocks of 8 (~2.1 KiB) the table took 442 B a device (bench:sync --size-only, 100k), in blocks of 16 (~3.9 KiB) 265.
 * So a block holds two groups of 8.
 * At level 2, not 6: the compressing thread paces a bulk load (issue 19), and a block's bytes on disk are set mostly by
 * whole pages. A block of 16 is ~4.0 KiB at level 6 and ~4.4 KiB at level 2. SQLite (4 KiB pages) keeps a row of up
 * to 4,061 bytes in its leaf page; a longer one keeps 489 bytes there (past 4,581, its length less 4,092) and the rest
 * in one overflow page, up to 8,153 bytes. So the deflated bytes a faster level adds cost a few bytes a device on
 * disk. Measured (bench:sync --size-only at 100k, the blocks table; blocksOf alone, 20,000 simulator records in
 * batches of 500, median of 15 interleaved rounds, load 10-12):
 * level 6: 291 B a device; level 3: 290 B, blocksOf 9.21 us a record; level 2: 291 B, 8.83 us; level 1: 299 B, 8.77.
 * Level 6 -> 3 also measured through prepareRecords: the thread's CPU 26.5-28.5 -> 24-25 us a device (20,000 simulator
 * records, 3 interleaved pairs, load 5.7-6.5).
 */
const BLOCK_RECORDS = 16;
const GROUP_RECORDS = 8;
const BLOCK_LEVEL = 2;

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
 * 1 KiB (2 KiB 27.2-27.6, 512 B 24.9-27.4); the compressing thread, when it encoded records alone, 20,000 records, median of 14, load 2.5:
 * 60.6-61.1 -> 58.6 us a record. Reusing one zlib handle is no option: a record's preset ends with its own values,
 * and Node sets a handle's dictionary once (reset() re-applies that one) and closes a handle after a sync call.
 */
const DEFLATE_CHUNK = 1024;

/** The shared dictionary, then the row's values as the JSON strings they appear as in the record (nearest last). */
function withOwnValues(shared: Buffer, row: RecordContext): Buffer {
  return Buffer.concat([shared, Buffer.from(ownValues(row), 'utf8')]);
}

/** The preset's own part: the row's RECORD_CONTEXT_COLUMNS values that are strings, as JSON strings, in that order. */
function ownValues(row: RecordContext): string {
  let own = '';
  for (const column of RECORD_CONTEXT_COLUMNS) {
    const value = row[column];
    if (typeof value === 'string') own += JSON.stringify(value);
  }
  return own;
}

/** A record, or a group of them, longer than LONGEST_TEXT: refused when written, as it could not be read back. */
function tooLong(bytes: number): AppError {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return new AppError(
    'IVANTI_BAD_RESPONSE',
    `The tenant sent device records too long to store: ${mb(bytes)} of text in one record or one group of ${GROUP_RECORDS}, where the console stores at most ${mb(LONGEST_TEXT)}.`,
    { bytes, longest: LONGEST_TEXT },
  );
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
  readonly #waiting = new Map<number, Batch>();

  constructor(private readonly codec: { shared: Buffer; dictionary: number }) {
    try {
      const worker = new Worker(COMPRESSOR_SOURCE, {
        eval: true,
        workerData: {
          shared: codec.shared,
          headSource: HEAD_SOURCE,
          blocksSource: BLOCKS_SOURCE,
          zstdPath,
          zstdLevel: ZSTD_LEVEL,
          zstdGroups: ZSTD_GROUPS,
          longestText: LONGEST_TEXT,
          inBlock: IN_BLOCK,
          blockLevel: BLOCK_LEVEL,
          headBytes: HEAD_BYTES,
          hashSource: RECORD_HASH_SOURCE,
          textsSource: RECORD_TEXTS_SOURCE,
          volatileFields: VOLATILE_FIELDS,
        },
        resourceLimits: RECORD_COMPRESSOR_THREAD_LIMITS,
      });
      // Referenced only while a batch is out: an idle compressor never keeps the process alive.
      worker.unref();
      worker.on('message', (answer: { id: number; failed: true } | { id: number; failed?: undefined; bytes: ArrayBuffer; ends: Uint32Array; blockEnds: Uint32Array; hashes: ArrayBuffer }) => {
        const waiting = this.#waiting.get(answer.id);
        this.#settle(answer.id);
        if (answer.failed) {
          if (waiting !== undefined) this.#encodeBatchHere(waiting);
          return;
        }
        const { bytes, ends, blockEnds, hashes } = answer;
        const parts = (at: number, endsOf: Uint32Array) =>
          Array.from(endsOf, (end, i) => {
            const start = i === 0 ? at : endsOf[i - 1]!;
            return Buffer.from(bytes, start, end - start);
          });
        waiting?.resolve({
          stored: parts(0, ends),
          hashes: Array.from(ends, (_, i) => Buffer.from(hashes, i * HASH_BYTES, HASH_BYTES)),
          blocks: parts(ends.at(-1) ?? 0, blockEnds),
        });
      });
      worker.on('error', () => this.#failOver());
      worker.on('exit', () => this.#failOver());
      this.#worker = worker;
    } catch {
      this.#worker = null;
    }
  }

  /**
   * The records' stored forms in blocks (BLOCK_RECORDS a block) and their recordHash with `spaceId`, in their order,
   * made on the thread from the records' JSON texts (the hash from the text and the volatile fields: the same hash as
   * of the record), and the block each record is in. `records` are as parsed: each one's stored text is its
   * JSON.stringify. `inAnswer`, when they all came in one search answer: where, for the thread to take their texts from
   * it (received-record-texts.ts). Rejects only for a record JSON.stringify cannot serialise (nested a few thousand
   * deep), as serialising it on this thread did.
   */
  async compressAndHash(
    records: readonly Record<string, unknown>[],
    spaceId: number,
    inAnswer: RecordsInAnswer | null = null,
  ): Promise<{ stored: Buffer[]; hashes: Buffer[]; blocks: PreparedBlock[] }> {
    const { stored, hashes, blocks } = await this.#encode(records, spaceId, inAnswer);
    const prepared = blocks.map((block): PreparedBlock => ({ dictionary: this.codec.dictionary, records: block, id: null }));
    return { stored, hashes, blocks: stored.map((_, i) => prepared[Math.floor(i / BLOCK_RECORDS)]!) };
  }

  #encode(records: readonly Record<string, unknown>[], spaceId: number, inAnswer: RecordsInAnswer | null): Promise<Encoded> {
    const worker = this.#worker;
    if (worker === null || records.length === 0) return Promise.resolve(this.#encodeHere(records, spaceId));
    const id = this.#nextId++;
    // The volatile fields go in one flat array.
    const volatile: unknown[] = [];
    for (const record of records) for (const field of VOLATILE_FIELDS) volatile.push(record[field]);
    // The answer's bytes, where the records came in one, and not their texts: the thread cuts them out of it, where this
    // thread would serialise each record. Measured through prepareRecords (20,000 simulator records in pages of 500, one
    // ahead, medians of 9 rounds, two runs each way, load ~11): this thread 1.6-1.7 us a record against 6.2-6.3, the
    // compressing thread 16.7-17.0 against 13.2-13.3, the process 20.0-20.4 against 21.0-21.4. Else their texts, serialised here and not posted as objects for the thread
    // to serialise: a structured clone costs this thread ~2.7 us a record and the thread ~6.6 to rebuild and serialise
    // it, where JSON.stringify and posting the text cost this thread ~4.5 and the thread ~0.3 (16,000 simulator
    // records, 6 rounds, load ~5). The thread hashes the text (recordHash given the record's volatile fields, which are
    // posted beside it).
    const bytes = inAnswer === null ? null : answerBytes(inAnswer.text);
    const texts = bytes === null ? records.map((record) => JSON.stringify(record)) : undefined;
    const message = { id, texts, answer: bytes?.buffer, count: inAnswer?.records, positions: inAnswer?.positions, volatile, spaceId, hashBytes: HASH_BYTES, perBlock: BLOCK_RECORDS, perGroup: GROUP_RECORDS };
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) worker.ref();
      this.#waiting.set(id, { records, spaceId, resolve, reject });
      worker.postMessage(message, bytes === null ? [] : [bytes.buffer]);
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
    for (const batch of waiting) this.#encodeBatchHere(batch);
  }

  /** A batch the thread did not encode (it failed, or it stopped), encoded here. */
  #encodeBatchHere({ records, spaceId, resolve, reject }: Batch): void {
    try {
      resolve(this.#encodeHere(records, spaceId));
    } catch (error) {
      reject(error);
    }
  }

  /** The records serialised here (a batch's answer bytes, if it had any, went to the thread). */
  #encodeHere(records: readonly Record<string, unknown>[], spaceId: number): Encoded {
    const texts = records.map((record) => JSON.stringify(record));
    const { heads, blocks } = blocksOf(texts, this.codec.shared, BLOCK_RECORDS, GROUP_RECORDS, BLOCK_LEVEL, IN_BLOCK, HEAD_BYTES);
    return {
      stored: texts.map((_, i) => heads.subarray(i * BLOCKED_BYTES, (i + 1) * BLOCKED_BYTES)),
      hashes: records.map((record, i) => recordHash(record, spaceId, texts[i])),
      blocks,
    };
  }
}

/** Where a batch's records are in the search answer they all came in (ReceivedSearchAnswer): its text, its count, their places. */
export interface RecordsInAnswer {
  text: string;
  records: number;
  positions: readonly number[];
}

/** A batch sent to the thread, until it is encoded. */
interface Batch {
  records: readonly Record<string, unknown>[];
  spaceId: number;
  resolve: (encoded: Encoded) => void;
  reject: (error: unknown) => void;
}

/** A batch's stored forms, record hashes and blocks. */
interface Encoded {
  stored: Buffer[];
  hashes: Buffer[];
  blocks: Buffer[];
}

/** recordHash's length. */
const HASH_BYTES = 16;

/**
 * CommonJS, evaluated in the compressor's thread: for each record of a batch, given its JSON text (JSON.stringify, made
 * on the calling thread, or cut out of the search answer it came in by RECORD_TEXTS_SOURCE), its hash (recordHash, from the same source, of the same text and volatile fields) and the
 * records in blocks (BLOCKS_SOURCE, from the same source, with HEAD_SOURCE's heads), all returned as one transferred
 * buffer with where each record and block ends in it.
 */
const COMPRESSOR_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const shared = Buffer.from(workerData.shared);
const { headBytes, inBlock, blockLevel } = workerData;
const headInto = new Function('return ' + workerData.headSource)()(zlib.crc32);
const zstd = workerData.zstdPath === null ? null : require(workerData.zstdPath);
// A group too long to store fails the batch here, as a record JSON.stringify cannot serialise does: the caller's thread
// encodes it again, and refuses it there with its error (tooLong).
const blocksOf = new Function('return ' + workerData.blocksSource)()(zlib, headInto, zstd, workerData.zstdLevel, workerData.zstdGroups, workerData.longestText, (bytes) => new RangeError('a group of ' + bytes + ' bytes'));
const volatileFields = workerData.volatileFields;
const recordHash = new Function('return ' + workerData.hashSource)()(require('node:crypto').hash, volatileFields);
const recordTexts = new Function('return ' + workerData.textsSource)()();
// What recordHash reads of a record it is given the text of: its volatile fields (posted beside the texts).
const volatileOf = {};
const hashOf = (json, volatile, at, spaceId) => {
  for (let k = 0; k < volatileFields.length; k++) volatileOf[volatileFields[k]] = volatile[at + k];
  return recordHash(volatileOf, spaceId, json, JSON.parse);
};
parentPort.on('message', (batch) => {
  try {
    encode(batch);
  } catch {
    // A record JSON.stringify cannot serialise: the caller's thread encodes the batch, and fails it there.
    parentPort.postMessage({ id: batch.id, failed: true });
  }
});
function encode({ id, texts, answer, count, positions, volatile, spaceId, hashBytes, perBlock, perGroup }) {
  if (texts === undefined) texts = recordTexts(Buffer.from(answer), count, positions);
  const hashes = new Uint8Array(texts.length * hashBytes);
  for (let i = 0; i < texts.length; i++) hashes.set(hashOf(texts[i], volatile, i * volatileFields.length, spaceId), i * hashBytes);
  const { heads, blocks } = blocksOf(texts, shared, perBlock, perGroup, blockLevel, inBlock, headBytes);
  const ends = new Uint32Array(texts.length);
  for (let i = 0; i < ends.length; i++) ends[i] = (i + 1) * (headBytes + 1);
  const blockEnds = new Uint32Array(blocks.length);
  let length = heads.length;
  blocks.forEach((block, i) => { length += block.length; blockEnds[i] = length; });
  const bytes = new Uint8Array(length);
  bytes.set(heads, 0);
  blocks.forEach((block, i) => bytes.set(block, i === 0 ? heads.length : blockEnds[i - 1]));
  parentPort.postMessage({ id, bytes: bytes.buffer, ends, blockEnds, hashes: hashes.buffer }, [bytes.buffer, ends.buffer, blockEnds.buffer, hashes.buffer]);
}
`;
