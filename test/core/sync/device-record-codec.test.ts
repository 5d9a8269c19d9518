import { createHash } from 'node:crypto';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { LONGEST_ANSWER_BYTES } from '../../../src-main/core/ivanti/answer-limit';
import { CACHED_GROUP_BYTES, DeviceRecordCodec, RECORD_CONTEXT_COLUMNS, type PreparedBlock, type RecordCompressor, type RecordContext, type StoredRecordRow } from '../../../src-main/core/sync/device-record-codec';
import { recordHash } from '../../../src-main/core/sync/record-hash';
import { AppError } from '../../../src-shared/errors';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-record-codec-');

/** A row's copied columns, as the sync writes them from the record below. */
const ROW: RecordContext = {
  guid: '9f0c4c1e-2b7d-4e55-a0c3-6f1d8e2b9a47',
  client_device_identifier: 'c3a9f1d27b5e48e0a6d4b8f2e1c7a9d3f5b2e8c4a6d0f9e3b7c1a5d8f2e4b6c9',
  uid: 'zoe.amsel@acmecorp.example',
  email: 'zoe.amsel@acmecorp.example',
  display_name: 'Zoë Amsel',
  serial_number: 'R58N72XKQ4J',
  imei: '358240051111110',
  udid: null,
  wifi_mac: '3c:5a:b4:0e:91:7d',
  model: 'Galaxy S23',
  device_name: 'Zoë’s “phone” 📱',
  manufacturer: 'samsung',
};
const RECORD = JSON.stringify({
  guid: ROW.guid,
  mdmChannelId: '0b6f2e8a-77c1-4d39-9a5e-13f4c2d8b6e0',
  clientDeviceIdentifier: ROW.client_device_identifier,
  uid: ROW.uid,
  emailAddress: ROW.email,
  displayName: ROW.display_name,
  deviceName: ROW.device_name,
  serialNumber: ROW.serial_number,
  imei: ROW.imei,
  wifiMacAddress: ROW.wifi_mac,
  prettyModel: ROW.model,
  manufacturer: ROW.manufacturer,
  registrationState: 'ACTIVE',
  customAttributes: { attrs: {} },
});
const NO_ROW: RecordContext = Object.fromEntries(Object.keys(ROW).map((k) => [k, null])) as unknown as RecordContext;

function open(dir: string) {
  return openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db;
}

/**
 * Stores the blocks of a compressAndHash answer as the sync does (DeviceRecordCodec.storeBlock, with their devices),
 * and gives each record's row with the block it is in.
 */
function inBlocks(db: Db, encoded: { blocks: readonly PreparedBlock[] }, records: readonly { row: RecordContext }[]): StoredRecordRow[] {
  const codec = DeviceRecordCodec.of(db);
  return db.transaction(() => encoded.blocks.map((block, i) => ({ ...records[i]!.row, record_block: codec.storeBlock(block) })))();
}

/** The parsed records of a batch, as a bulk load hands them to the compressing thread. */
function raw(records: readonly { record: Record<string, unknown> }[]): Record<string, unknown>[] {
  return records.map((r) => r.record);
}

/** The texts read back from a compressAndHash answer once its blocks are stored (inBlocks), each with its row. */
function readBack(db: Db, encoded: { stored: readonly Uint8Array[]; blocks: readonly PreparedBlock[] }, records: readonly { row: RecordContext }[]): string[] {
  const rows = inBlocks(db, encoded, records);
  const codec = DeviceRecordCodec.of(db);
  return encoded.stored.map((b, i) => codec.decode(b, rows[i]!, i));
}

/** The records' texts as stored (what the sync serialises). */
function textsOf(records: readonly { record: Record<string, unknown> }[]): string[] {
  return records.map((r) => JSON.stringify(r.record));
}

/** A database's codec with a compressing thread and one whose thread is closed (it encodes here), both closed after `run`. */
async function withCompressors(run: (db: Db, compressor: RecordCompressor, here: RecordCompressor) => Promise<void>): Promise<void> {
  const db = open(tempDir());
  const codec = DeviceRecordCodec.of(db);
  const compressor = codec.compressor();
  const here = codec.compressor();
  here.close();
  try {
    await run(db, compressor, here);
  } finally {
    compressor.close();
    db.close();
  }
}

/** The part of zstd-napi's binding the tests read zstd frames with (zstd's own reader, not the codec's). */
interface ZstdReader {
  getFrameContentSize(frame: Uint8Array): number | null;
  DDict: new (dictionary: Uint8Array) => object;
  DCtx: new () => { decompressUsingDDict(into: Uint8Array, frame: Uint8Array, dictionary: object): number };
}

/** The part of zstd-napi's binding the tests write crafted zstd frames with (zstd's own writer, not the codec's). */
interface ZstdWriter {
  compressBound(size: number): number;
  getFrameContentSize(frame: Uint8Array): number | null;
  CDict: new (dictionary: Uint8Array, level: number) => object;
  CCtx: new () => {
    compressUsingCDict(into: Uint8Array, text: Uint8Array, dictionary: object): number;
    loadDictionary(dictionary: Uint8Array): void;
    compressStream2(into: Uint8Array, text: Uint8Array, end: number): [number, number, number];
  };
}

/**
 * The most bytes of text a stored record or group may hold: the longest answer the HTTP client takes (the codec's
 * LONGEST_TEXT, and what its writers refuse past).
 */
const LONGEST = LONGEST_ANSWER_BYTES;

/** A record's JSON text of `bytes` bytes (UTF-8): `{"a":"000…"}`, longer than any real record, compressing to little. */
function longText(bytes: number): Buffer {
  const text = Buffer.alloc(bytes, '0');
  text.write('{"a":"', 0);
  text.write('"}', bytes - 2);
  return text;
}

/** The database's newest shared dictionary, which records are written with. */
function newestDictionary(db: Db): { id: number; dictionary: Buffer } {
  return db.prepare('SELECT id, dictionary FROM device_record_dictionaries ORDER BY id DESC LIMIT 1').get() as { id: number; dictionary: Buffer };
}

/**
 * A block of one group holding one record, stored with `group` as its compressed group (`zstd`: a zstd frame, marked in
 * the block's first byte, else raw deflate) as a writer frames it, and that record's stored form (the IN_BLOCK byte, the
 * CRC-32 of `text`, slot 0) and row: a block a damaged or crafted database may hold.
 */
function oneGroupBlock(db: Db, group: Buffer, zstd: boolean, text: Buffer): { stored: Buffer; row: StoredRecordRow } {
  const records = Buffer.concat([Buffer.from([zstd ? 0x88 : 0x08, 1]), group]);
  const id = db.transaction(() => DeviceRecordCodec.of(db).storeBlock({ dictionary: newestDictionary(db).id, records, id: null }))();
  const stored = Buffer.from([0x40, 0, 0, 0, 0, 0]);
  stored.writeUInt32BE(zlib.crc32(text), 1);
  return { stored, row: { ...ROW, record_block: id } };
}

/** `text` as one zstd frame with `shared` as its dictionary, as the compressing thread writes a group. */
function zstdFrame(text: Buffer, shared: Buffer): Buffer {
  const { CCtx, CDict, compressBound } = require('zstd-napi/binding') as ZstdWriter;
  const out = Buffer.allocUnsafe(compressBound(text.length));
  return Buffer.from(out.subarray(0, new CCtx().compressUsingCDict(out, text, new CDict(shared, 1))));
}

/** Whether `run` throws the damaged-record error (DB_CORRUPT) naming device guid-7 and what to do. */
function expectDamaged(run: () => unknown): void {
  const error = errorOf(run);
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code: 'DB_CORRUPT', details: { device: 'guid-7' } });
  expect((error as AppError).message).toMatch(/device guid-7 .*damaged.*Sync its integration again/);
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return null;
}

describe('stored device records', () => {
  it('give back exactly the text stored, in fewer bytes', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const stored = codec.encode(RECORD, ROW);
    expect(stored.length).toBeLessThan(Buffer.byteLength(RECORD));
    expect(codec.decode(stored, ROW, 1)).toBe(RECORD);
    db.close();
  });

  it('cost a back-reference, not their bytes, for the identifiers their row holds as columns', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const withRow = codec.encode(RECORD, ROW);
    const withoutRow = codec.encode(RECORD, NO_ROW);
    expect(codec.decode(withoutRow, NO_ROW, 1)).toBe(RECORD);
    // guid, client identifier, serial, IMEI, MAC and names: well over 100 bytes of the record are the row's columns.
    expect(withoutRow.length - withRow.length).toBeGreaterThan(80);
    db.close();
  });

  it('stay readable with the dictionary they were written with once a newer one is added, in either format', () => {
    const dir = tempDir();
    let db = open(dir);
    const shared = db.prepare('SELECT dictionary FROM device_record_dictionaries WHERE id = 1').pluck().get() as Buffer;
    // As migration 0014's version of the console stored it: the dictionary's id, then the shared dictionary's deflate.
    const fromMigration14 = Buffer.concat([Buffer.from([1]), zlib.deflateRawSync(Buffer.from(RECORD), { dictionary: shared })]);
    const old = DeviceRecordCodec.of(db).encode(RECORD, ROW);
    db.prepare('INSERT INTO device_record_dictionaries (id, dictionary) VALUES (2, ?)').run(Buffer.from('"deviceName":"Zoë’s “phone” 📱"'));
    db.close();
    db = open(dir);
    const codec = DeviceRecordCodec.of(db);
    const fresh = codec.encode(RECORD, ROW);
    expect([old[0]! & 0x7f, fresh[0]! & 0x7f]).toEqual([1, 2]);
    expect(codec.decode(fromMigration14, ROW, 1)).toBe(RECORD);
    expect(codec.decode(old, ROW, 1)).toBe(RECORD);
    expect(codec.decode(fresh, ROW, 1)).toBe(RECORD);
    db.close();
  });

  it('refuse a record whose row no longer holds the values it was written with, instead of giving back another text', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const stored = codec.encode(RECORD, ROW);
    // One character of a column rewritten without its record (as a careless migration could): the deflate stream
    // still inflates, to a text with that character changed, which only the checksum tells apart.
    for (const rewritten of [{ ...ROW, serial_number: 'R58N72XKQ4K' }, { ...ROW, display_name: 'Zoe Amsel' }, { ...ROW, imei: null }]) {
      const error = errorOf(() => codec.decode(stored, rewritten, 'guid-7'));
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'DB_CORRUPT', details: { device: 'guid-7' } });
      expect((error as AppError).message).toMatch(/device guid-7 .*no longer matches.*Sync its integration again/);
    }
    db.close();
  });

  it('are put in blocks on another thread exactly as on this one, in order, batch after batch, and read back exactly', async () => {
    // Within the thread's heap limits (RECORD_COMPRESSOR_THREAD_LIMITS): the work stays on the thread.
    await withCompressors(async (db, compressor, here) => {
      const records = Array.from({ length: 300 }, (_, i) => {
        const row: RecordContext = { ...ROW, guid: `g-${i}`, device_name: `Zoë ${'📱'.repeat(i % 7)}`, udid: i % 2 === 0 ? null : `u-${i}` };
        // Parsed from text, as a page's records are, and serialised on this thread: integer-like keys (listed first), -0,
        // a large number, an escaped and a lone surrogate, a __proto__ key, text beyond Latin-1.
        const text = `{"guid":${JSON.stringify(row.guid)},"deviceName":${JSON.stringify(row.device_name)},"udid":${JSON.stringify(row.udid)},"notes":"${'x'.repeat(i * 13)}",
          "10":1,"2":[-0,1e21,0.1,null,true],"odd":"\\ud800 \\u2028 \\u0000 \\"q\\"","__proto__":{"a":${i}},"nested":{"b":[{"c":"ß"}]}}`;
        return { record: JSON.parse(text) as Record<string, unknown>, row };
      });
      const batches = await Promise.all([compressor.compressAndHash(raw(records.slice(0, 120)), 2), compressor.compressAndHash([], 2), compressor.compressAndHash(raw(records.slice(120)), 2)]);
      expect(compressor.onThread).toBe(true);
      const made = await Promise.all([here.compressAndHash(raw(records.slice(0, 120)), 2), here.compressAndHash(raw(records.slice(120)), 2)]);
      const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
      expect(batches.flatMap((b) => b.stored).map(base64)).toEqual(made.flatMap((b) => b.stored).map(base64));
      expect(batches.flatMap((b) => b.blocks).map((b) => base64(b.records))).toEqual(made.flatMap((b) => b.blocks).map((b) => base64(b.records)));
      const encoded = { stored: batches.flatMap((b) => b.stored), blocks: batches.flatMap((b) => b.blocks) };
      expect(readBack(db, encoded, records)).toEqual(textsOf(records));
    });
  });

  it('are taken from the search answer they came in, on the thread and here, as from the records parsed', async () => {
    await withCompressors(async (db, compressor, here) => {
      // Records as a tenant sends them: most in JSON.stringify's form, some not (white space, an escaped slash, 1.0, a
      // key given twice), so that both the cut and the serialisation are taken; the answer's second record is left out.
      const texts = Array.from({ length: 40 }, (_, i) => {
        const plain = `{"id":${i},"guid":"g-${i}","deviceName":"Zoë ${'📱'.repeat(i % 3)}","lastCheckin":${1_700_000_000_000 + i},"attrs":{"attrs":{"k":["v"]}}}`;
        return [plain, plain.replace(':', ': '), plain.replace('Zoë', 'Zoë\\/x'), plain.replace(`"id":${i}`, `"id":${i}.0`), plain.replace('"attrs":{"k"', '"attrs":{"k":[],"k"')][i % 5]!;
      });
      const text = `{"errors":null,"result":{"searchResults":[${texts.join(',')}],"totalCount":40}}`;
      const parsed = (JSON.parse(text) as { result: { searchResults: Record<string, unknown>[] } }).result.searchResults;
      const positions = parsed.map((_, i) => i).filter((i) => i !== 1);
      const records = positions.map((i) => ({ record: parsed[i]!, row: { ...ROW, guid: `g-${i}` } }));
      const inAnswer = { text, records: parsed.length, positions };
      const fromRecords = await here.compressAndHash(raw(records), 6);
      const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
      for (const encoded of [await compressor.compressAndHash(raw(records), 6, inAnswer), await here.compressAndHash(raw(records), 6, inAnswer)]) {
        expect(encoded.stored.map(base64)).toEqual(fromRecords.stored.map(base64));
        expect(encoded.hashes.map(base64)).toEqual(records.map((r) => base64(recordHash(r.record, 6))));
        expect(encoded.blocks.map((b) => base64(b.records))).toEqual(fromRecords.blocks.map((b) => base64(b.records)));
        expect(readBack(db, encoded, records)).toEqual(textsOf(records));
      }
      expect(compressor.onThread).toBe(true);
    });
  });

  it('fail only the batch whose record JSON.stringify cannot serialise, and go on on the thread', async () => {
    const db = open(tempDir());
    const compressor = DeviceRecordCodec.of(db).compressor();
    try {
      const deep = `{"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      const text = `{"result":{"searchResults":[${deep}],"totalCount":1}}`;
      const parsed = (JSON.parse(text) as { result: { searchResults: Record<string, unknown>[] } }).result.searchResults;
      await expect(compressor.compressAndHash(parsed, 1, { text, records: 1, positions: [0] })).rejects.toThrow(RangeError);
      const records = [{ record: JSON.parse(RECORD) as Record<string, unknown>, row: ROW }];
      expect(readBack(db, await compressor.compressAndHash(raw(records), 1), records)).toEqual([RECORD]);
      expect(compressor.onThread).toBe(true);
    } finally {
      compressor.close();
    }
    db.close();
  });

  it('are the bytes a one-off deflate with Node\'s default output buffer gives, however long, in any order', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const shared = db.prepare('SELECT dictionary FROM device_record_dictionaries ORDER BY id DESC').pluck().get() as Buffer;
    // Hex of a hash chain barely compresses: the longer records deflate to several of the codec's output buffers.
    const noise = (i: number, length: number) => {
      let text = '';
      for (let k = 0; text.length < length; k++) text += createHash('sha256').update(`${i}:${k}`).digest('hex');
      return text.slice(0, length);
    };
    const records = [0, 40, 900, 1500, 2100, 2200, 5000, 9000, 20].map((length, i) => {
      const row: RecordContext = i % 2 === 0 ? { ...ROW, guid: `g-${i}` } : NO_ROW;
      return { record: { ...(JSON.parse(RECORD) as Record<string, unknown>), guid: row.guid ?? ROW.guid, notes: noise(i, length) }, row };
    });
    const oneOff = records.map(({ record, row }) => {
      const own = RECORD_CONTEXT_COLUMNS.map((c) => row[c]).filter((v) => typeof v === 'string').map((v) => JSON.stringify(v)).join('');
      return zlib.deflateRawSync(Buffer.from(JSON.stringify(record), 'utf8'), { dictionary: Buffer.concat([shared, Buffer.from(own, 'utf8')]) });
    });
    expect(Math.max(...oneOff.map((b) => b.length))).toBeGreaterThan(4 * 1024);
    const reversed = records.map((_, i) => records.length - 1 - i);
    const encoded = reversed.map((i) => codec.encode(JSON.stringify(records[i]!.record), records[i]!.row));
    const hex = (b: Uint8Array) => Buffer.from(b).subarray(5).toString('hex');
    expect(encoded.map(hex)).toEqual(reversed.map((i) => oneOff[i]!.toString('hex')));
    expect(encoded.map((b, i) => codec.decode(b, records[reversed[i]!]!.row, i))).toEqual(reversed.map((i) => JSON.stringify(records[i]!.record)));
    db.close();
  });

  it('are hashed on the compressing thread exactly as recordHash hashes them here, or here once the thread is closed', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const compressor = codec.compressor();
    // Check-in times present, absent, null and of other types (the hash's last 4 bytes), text beyond Latin-1, nesting.
    const records = Array.from({ length: 40 }, (_, i) => {
      const record: Record<string, unknown> = { guid: `g-${i}`, deviceName: `Zoë ${'📱'.repeat(i % 3)}`, attrs: { tags: [i, null, 'ß'] }, compliant: i % 2 === 0 };
      if (i % 4 !== 0) record.lastCheckin = i % 4 === 1 ? 1_700_000_000_000 + i : i % 4 === 2 ? null : `${i}`;
      if (i % 5 === 0) record.clientLastCheckin = 1_700_000_000_000 - i;
      if (i % 7 === 0) record.lastScannedTime = 9_007_199_254_740_991 - i;
      // The same member nested too: its text is then not cut out of the record's, and the thread, which has the text
      // and not the object, hashes the record parsed from it.
      if (i % 6 === 3) record.nested = { lastCheckin: record.lastCheckin, clientLastCheckin: record.clientLastCheckin ?? null };
      return { record, row: { ...ROW, guid: `g-${i}` } };
    });
    const expected = (spaceId: number) => records.map((r) => recordHash(r.record, spaceId).toString('hex'));
    const hex = (hashes: Buffer[]) => hashes.map((h) => Buffer.from(h).toString('hex'));
    try {
      for (const spaceId of [1, 7, 2 ** 40 + 3]) {
        const encoded = await compressor.compressAndHash(raw(records), spaceId);
        expect(compressor.onThread).toBe(true);
        expect(hex(encoded.hashes)).toEqual(expected(spaceId));
        expect(readBack(db, encoded, records)).toEqual(textsOf(records));
      }
      const inFlight = compressor.compressAndHash(raw(records), 7);
      compressor.close();
      expect(hex((await inFlight).hashes)).toEqual(expected(7));
      expect(hex((await compressor.compressAndHash(raw(records), 8)).hashes)).toEqual(expected(8));
    } finally {
      compressor.close();
    }
    db.close();
  });

  it('of two batches out at once come back each in its order, encoded and hashed as here', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const compressor = codec.compressor();
    const records = Array.from({ length: 1500 }, (_, i) => {
      const row: RecordContext = { ...ROW, guid: `g-${i}`, device_name: `Zoë ${i}` };
      return { record: { ...(JSON.parse(RECORD) as Record<string, unknown>), guid: row.guid, deviceName: row.device_name, notes: 'x'.repeat(i % 97) }, row };
    });
    // The same batches encoded on this thread (a compressor whose thread is closed).
    const here = codec.compressor();
    here.close();
    const expectedBlocks = [...(await here.compressAndHash(raw(records.slice(0, 1000)), 3)).blocks, ...(await here.compressAndHash(raw(records.slice(1000)), 4)).blocks];
    const expectedStored = [...(await here.compressAndHash(raw(records.slice(0, 1000)), 3)).stored, ...(await here.compressAndHash(raw(records.slice(1000)), 4)).stored];
    try {
      // Two batches out before either is answered.
      const first = compressor.compressAndHash(raw(records.slice(0, 1000)), 3);
      const second = compressor.compressAndHash(raw(records.slice(1000)), 4);
      const firstDone = await first;
      const secondDone = await second;
      expect(compressor.onThread).toBe(true);
      const stored = [...firstDone.stored, ...secondDone.stored];
      const hashes = [...firstDone.hashes, ...secondDone.hashes];
      const blocks = [...firstDone.blocks, ...secondDone.blocks];
      const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
      expect(stored.map(base64)).toEqual(expectedStored.map(base64));
      expect(blocks.map((b) => base64(b.records))).toEqual(expectedBlocks.map((b) => base64(b.records)));
      expect(readBack(db, { stored, blocks }, records)).toEqual(textsOf(records));
      expect(hashes.map((h) => Buffer.from(h).toString('hex'))).toEqual(records.map((r, i) => recordHash(r.record, i < 1000 ? 3 : 4).toString('hex')));
    } finally {
      compressor.close();
    }
    db.close();
  });

  it('in blocks give back each text, however long, around groups that outgrow the buffer they are written into', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const compressor = codec.compressor();
    // Short records, then groups of 8 whose UTF-8 (3 bytes a 'ß…' unit and 4 an emoji's two) outgrows the 64 KiB the
    // buffer starts with, then short ones again in the grown buffer.
    const records = Array.from({ length: 40 }, (_, i) => {
      const long = i >= 8 && i < 24;
      const record = { guid: `g-${i}`, deviceName: `Zoë ${i}`, notes: long ? `${'€'.repeat(3000 + i)}${'📱'.repeat(1000)}ß` : `n${i}` };
      return { record: record as Record<string, unknown>, row: { ...ROW, guid: record.guid } };
    });
    const here = codec.compressor();
    here.close();
    try {
      const onThread = await compressor.compressAndHash(raw(records), 5);
      const encodedHere = await here.compressAndHash(raw(records), 5);
      expect(compressor.onThread).toBe(true);
      expect(Buffer.byteLength(records.slice(8, 16).map((r) => JSON.stringify(r.record)).join('\n'))).toBeGreaterThan(64 * 1024);
      for (const encoded of [onThread, encodedHere]) {
        expect(readBack(db, encoded, records)).toEqual(textsOf(records));
      }
      expect(onThread.blocks.map((b) => b.records.toString('base64'))).toEqual(encodedHere.blocks.map((b) => b.records.toString('base64')));
    } finally {
      compressor.close();
    }
    db.close();
  });

  it('are put in blocks on this thread once the compressing thread is closed, batches in flight included', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const compressor = codec.compressor();
    const records = [
      { record: JSON.parse(RECORD) as Record<string, unknown>, row: ROW },
      { record: {}, row: ROW },
    ];
    const inFlight = compressor.compressAndHash(raw(records), 1);
    compressor.close();
    expect(compressor.onThread).toBe(false);
    const afterClose = compressor.compressAndHash(raw(records.slice(0, 1)), 1);
    for (const [encoded, texts] of [[await inFlight, [RECORD, '{}']], [await afterClose, [RECORD]]] as const) {
      expect(readBack(db, encoded, records)).toEqual(texts);
    }
    db.close();
  });

  it('refuse a damaged record with an error that names the device and what to do', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const stored = codec.encode(RECORD, ROW);
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 3]! ^= 0x10;
    for (const damaged of [Buffer.alloc(0), Buffer.from([9, ...stored.subarray(1)]), Buffer.from([0x89, ...stored.subarray(1)]), Buffer.from([1, 0xff, 0xff, 0xff]), stored.subarray(0, 4), flipped]) {
      const error = errorOf(() => codec.decode(damaged, ROW, 'guid-7'));
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'DB_CORRUPT', details: { device: 'guid-7' } });
      expect((error as AppError).message).toMatch(/device guid-7 .*Sync its integration again/);
    }
    db.close();
  });

  it('in blocks give back exactly each text, made alike on either thread, in fewer bytes than each alone', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    // Texts with what a block's joining and splitting could get wrong: escaped newlines and separators, text beyond the
    // BMP, a lone surrogate, an empty object, a record many times longer than the others.
    const records = Array.from({ length: 70 }, (_, i) => {
      const record: Record<string, unknown> =
        i === 5 ? {} : { ...(JSON.parse(RECORD) as Record<string, unknown>), guid: `g-${i}`, notes: `line\nbreak \r ${'\u2028'} 📱 \ud800 ${i}`.repeat(i === 9 ? 400 : 1) };
      return { record, row: { ...ROW, guid: `g-${i}` } };
    });
    const compressor = codec.compressor();
    const here = codec.compressor();
    here.close();
    try {
      const onThread = await compressor.compressAndHash(raw(records), 3);
      expect(compressor.onThread).toBe(true);
      const made = await here.compressAndHash(raw(records), 3);
      const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
      expect(onThread.stored.map(base64)).toEqual(made.stored.map(base64));
      const blocks = [...new Set(onThread.blocks)];
      expect(blocks.map((b) => base64(b.records))).toEqual([...new Set(made.blocks)].map((b) => base64(b.records)));
      expect(blocks.length).toBeGreaterThan(2);
      const rows = inBlocks(db, onThread, records);
      const fresh = DeviceRecordCodec.forMigration(db);
      expect(onThread.stored.map((b, i) => fresh.decode(b, rows[i]!, i))).toEqual(records.map((r) => JSON.stringify(r.record)));
      // Read again from the blocks this codec keeps inflated, in another order.
      expect(onThread.stored.map((b, i) => fresh.decode(b, rows[i]!, i)).reverse()).toEqual(records.map((r) => JSON.stringify(r.record)).reverse());
      const inBlockBytes = blocks.reduce((n, b) => n + b.records.length, 0) + onThread.stored.reduce((n, b) => n + b.length, 0);
      const aloneBytes = records.reduce((n, r) => n + codec.encode(JSON.stringify(r.record), r.row).length, 0);
      expect(inBlockBytes).toBeLessThan(aloneBytes);
    } finally {
      compressor.close();
    }
    db.close();
  });

  it('in blocks are zstd frames of their groups with the shared dictionary, on either thread', async () => {
    await withCompressors(async (db, compressor, here) => {
      const records = Array.from({ length: 20 }, (_, i) => ({ record: { ...(JSON.parse(RECORD) as Record<string, unknown>), guid: `g-${i}` }, row: ROW }));
      const shared = db.prepare('SELECT dictionary FROM device_record_dictionaries ORDER BY id DESC LIMIT 1').pluck().get() as Buffer;
      for (const encoded of [await compressor.compressAndHash(raw(records), 2), await here.compressAndHash(raw(records), 2)]) {
        const blocks = [...new Set(encoded.blocks)].map((b) => b.records);
        expect(blocks).toHaveLength(2);
        // A block's header: 8 records a group with the zstd mark (0x80), its groups, where each but the last ends.
        expect(blocks.map((b) => [b[0], b[1]])).toEqual([[0x88, 2], [0x88, 1]]);
        const first = blocks[0]!;
        const end = first.readUInt32BE(2);
        const frames = [first.subarray(6, 6 + end), first.subarray(6 + end)];
        // zstd's frame magic, and the group's text as zstd's own reader gives it with the shared dictionary.
        expect(frames.map((f) => f.readUInt32LE(0))).toEqual([0xfd2fb528, 0xfd2fb528]);
        const { DCtx, DDict, getFrameContentSize } = require('zstd-napi/binding') as ZstdReader;
        const text = Buffer.alloc(getFrameContentSize(frames[0]!)!);
        new DCtx().decompressUsingDDict(text, frames[0]!, new DDict(shared));
        expect(text.toString('utf8')).toBe(textsOf(records.slice(0, 8)).join('\n'));
        expect(readBack(db, encoded, records)).toEqual(textsOf(records));
      }
    });
  });

  it('in blocks of raw deflate, as versions before zstd wrote them, stay readable', () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    // Written by e824cbe's compressor (on the calling thread) from these records, dictionary 1.
    const records = Array.from({ length: 10 }, (_, i) => ({ guid: `g-${i}`, deviceName: `Zoë’s “phone” ${i} 📱`, notes: i === 3 ? 'line\nbreak' : `n${i}`, lastCheckin: 1_700_000_000_000 + i }));
    const block: PreparedBlock = {
      dictionary: 1,
      records: Buffer.from(
        'CAIAAACkq4ZlqnRdA/TAiMo/vPpRw8xihUcNc8AufNQwV8FA4cP8yRuVdJTy8sGRqZQH0oc7H9VyIVlhSJQVhhhWgPThtMIQxQojoqwwwrACpA+nFUYoVhgTZYUxuhU5mXmpMXlJRamJ2fjsMkaxy4Qou0zQ7coD6cPpHRMUK0yJssIUwwqQPpxWmKJYYUaUFWYYVoD04bTCDMUKc6KsMMewAqQPpxXmtQCrhmWqdF0L9MCIyj+8+lHDzGKFRw1zwC581DBXwULhw/zJG5V0lPLywZGplAfShzMfWdRyIVlhSZQVlhhWgPThtMKyFgA=',
        'base64',
      ),
      id: null,
    };
    const stored = ['QOg0kv4A', 'QN1tWAkB', 'QIKHBxAC', 'QB9kqxwD', 'QD1TuSIE', 'QAgKc9UF', 'QFfgLMwG', 'QGK55jsH', 'QJmLwwcI', 'QKzSCfAJ'].map((b) => Buffer.from(b, 'base64'));
    const id = db.transaction(() => codec.storeBlock(block))();
    expect(stored.map((b, i) => DeviceRecordCodec.forMigration(db).decode(b, { ...ROW, record_block: id }, i))).toEqual(records.map((r) => JSON.stringify(r)));
    db.close();
  });

  it('in a block stay there patched when a short run of their text changes, and give back exactly the new text', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const here = codec.compressor();
    here.close();
    const records = Array.from({ length: 10 }, (_, i) => ({ record: { guid: `g-${i}`, lastCheckin: 1_700_000_000_000 + i, clientLastCheckin: 'Zoë 📱', notes: 'ß'.repeat(40 + i) }, row: ROW }));
    const encoded = await here.compressAndHash(raw(records), 1);
    const rows = inBlocks(db, encoded, records);
    const texts = [
      // Multi-byte characters on both sides of the change, and in it.
      JSON.stringify({ ...records[9]!.record, clientLastCheckin: 'Zoé 📱' }),
      JSON.stringify({ ...records[9]!.record, lastCheckin: 1_800_000_000_000 }),
      JSON.stringify({ ...records[9]!.record, lastCheckin: null, clientLastCheckin: null }),
      JSON.stringify(records[9]!.record),
    ];
    for (const text of texts) {
      const patched = codec.patchInBlock(encoded.stored[9]!, rows[9]!, text, 9);
      expect(patched).not.toBeNull();
      expect(patched!.length).toBeLessThan(50);
      expect(DeviceRecordCodec.forMigration(db).decode(patched!, rows[9]!, 9)).toBe(text);
    }
    // A long run (the notes rewritten), or a record not in a block: stored alone.
    expect(codec.patchInBlock(encoded.stored[9]!, rows[9]!, JSON.stringify({ ...records[9]!.record, notes: 'x'.repeat(80) }), 9)).toBeNull();
    const alone = codec.encode(RECORD, ROW);
    expect(codec.patchInBlock(alone, { ...ROW, record_block: null }, RECORD, 1)).toBeNull();
    db.close();
  });

  it('in a block refuse a damaged record, slot, checksum or block, naming the device', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const here = codec.compressor();
    here.close();
    const records = Array.from({ length: 4 }, (_, i) => ({ record: { ...(JSON.parse(RECORD) as Record<string, unknown>), guid: `g-${i}` }, row: ROW }));
    const encoded = await here.compressAndHash(raw(records), 1);
    const [row] = inBlocks(db, encoded, records);
    const stored = encoded.stored[1]!;
    expect(codec.decode(stored, row!, 'guid-7')).toBe(JSON.stringify(records[1]!.record));
    const withChecksum = Buffer.from(stored);
    withChecksum[2]! ^= 0x01;
    const withSlot = Buffer.from(stored);
    withSlot[5] = 200;
    const refused = (bytes: Uint8Array, block: number | null | undefined, reader = codec) => {
      const error = errorOf(() => reader.decode(bytes, { ...row!, record_block: block }, 'guid-7'));
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'DB_CORRUPT', details: { device: 'guid-7' } });
      expect((error as AppError).message).toMatch(/device guid-7 .*Sync its integration again/);
    };
    refused(withChecksum, row!.record_block);
    refused(withSlot, row!.record_block);
    refused(stored.subarray(0, 5), row!.record_block);
    refused(stored, null);
    refused(stored, undefined);
    refused(stored, row!.record_block! + 1);
    // The block's bytes damaged: read by a codec that has not inflated it before.
    const records2 = db.prepare('SELECT records FROM device_record_blocks WHERE id = ?').pluck().get(row!.record_block) as Buffer;
    const flipped = Buffer.from(records2);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x04;
    db.prepare('UPDATE device_record_blocks SET records = ? WHERE id = ?').run(flipped, row!.record_block);
    refused(stored, row!.record_block, DeviceRecordCodec.forMigration(db));
    // A patch (patchInBlock) longer than the text it patches.
    const patch = codec.patchInBlock(stored, row!, JSON.stringify({ ...records[1]!.record, lastCheckin: 5 }), 'guid-7')!;
    const overlong = Buffer.from(patch);
    overlong.writeUInt32BE(0xffff, 6);
    refused(overlong, row!.record_block);
    // A block that says it holds no group.
    const noGroup = Buffer.from(records2);
    noGroup[1] = 0;
    db.prepare('UPDATE device_record_blocks SET records = ? WHERE id = ?').run(noGroup, row!.record_block);
    refused(stored, row!.record_block, DeviceRecordCodec.forMigration(db));
    db.close();
  });
});

describe('stored device records read from a damaged or crafted database', () => {
  it('in a zstd block are refused as damaged when the frame says its group is longer than any stored, the longest read', () => {
    const db = open(tempDir());
    const shared = newestDictionary(db).dictionary;
    const { getFrameContentSize } = require('zstd-napi/binding') as ZstdWriter;
    // The longest text a writer stores reads back.
    const longest = longText(LONGEST);
    const atLimit = oneGroupBlock(db, zstdFrame(longest, shared), true, longest);
    expect(DeviceRecordCodec.forMigration(db).decode(atLimit.stored, atLimit.row, 'guid-7')).toHaveLength(LONGEST);
    // One byte more, in a well-made frame with the record's checksum right: refused from the frame's header.
    const over = longText(LONGEST + 1);
    const overLimit = oneGroupBlock(db, zstdFrame(over, shared), true, over);
    expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(overLimit.stored, overLimit.row, 'guid-7'));
    // A frame whose header claims 1 TiB (magic, an 8-byte content size and a window, then one empty last block).
    const claim = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x00]), Buffer.alloc(8), Buffer.from([0x01, 0x00, 0x00])]);
    claim.writeBigUInt64LE(2n ** 40n, 6);
    expect(getFrameContentSize(claim)).toBe(2 ** 40);
    const claimed = oneGroupBlock(db, claim, true, over);
    expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(claimed.stored, claimed.row, 'guid-7'));
    db.close();
  });

  it('alone or in an older deflate block are refused as damaged when they inflate past the longest text stored (a bomb)', () => {
    const db = open(tempDir());
    const { id, dictionary: shared } = newestDictionary(db);
    // Alone, in migration 0014's format, which has no checksum to refuse it after inflating: zeros.
    const zeros = Buffer.concat([Buffer.from([id]), zlib.deflateRawSync(Buffer.alloc(LONGEST + 1), { dictionary: shared })]);
    // ~64 KB of them.
    expect(zeros.length).toBeLessThan(LONGEST / 500);
    expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(zeros, ROW, 'guid-7'));
    // Alone, in the own-values format (a row with no values: the preset is the shared dictionary), checksum right.
    const over = longText(LONGEST + 1);
    const head = Buffer.from([0x80 | id, 0, 0, 0, 0]);
    head.writeUInt32BE(zlib.crc32(over), 1);
    const alone = Buffer.concat([head, zlib.deflateRawSync(over, { dictionary: shared, level: 1 })]);
    expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(alone, NO_ROW, 'guid-7'));
    // In a block of raw deflate groups, as versions before zstd wrote them, checksum right.
    const inBlock = oneGroupBlock(db, zlib.deflateRawSync(over, { dictionary: shared, level: 1 }), false, over);
    expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(inBlock.stored, inBlock.row, 'guid-7'));
    db.close();
  });

  it('in a block are refused as damaged when a zstd or deflate group is cut short, or a zstd frame does not say its size', async () => {
    await withCompressors(async (db, _compressor, here) => {
      const shared = newestDictionary(db).dictionary;
      const records = Array.from({ length: 8 }, (_, i) => ({ record: { ...(JSON.parse(RECORD) as Record<string, unknown>), guid: `g-${i}` }, row: ROW }));
      const encoded = await here.compressAndHash(raw(records), 1);
      const [row] = inBlocks(db, encoded, records);
      const block = db.prepare('SELECT records FROM device_record_blocks WHERE id = ?').pluck().get(row!.record_block) as Buffer;
      expect(block[0]).toBe(0x88);
      for (const cut of [1, 9, block.length - 3]) {
        db.prepare('UPDATE device_record_blocks SET records = ? WHERE id = ?').run(block.subarray(0, block.length - cut), row!.record_block);
        expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(encoded.stored[0]!, row!, 'guid-7'));
        // As a re-sync finds it, keeping the record in its block with its new check-in times (patchInBlock).
        expectDamaged(() => DeviceRecordCodec.forMigration(db).patchInBlock(encoded.stored[0]!, row!, JSON.stringify({ ...records[0]!.record, lastCheckin: 5 }), 'guid-7'));
      }
      const text = Buffer.from(JSON.stringify(records[0]!.record), 'utf8');
      const deflated = zlib.deflateRawSync(text, { dictionary: shared });
      const cutDeflate = oneGroupBlock(db, deflated.subarray(0, deflated.length - 2), false, text);
      expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(cutDeflate.stored, cutDeflate.row, 'guid-7'));
      // A whole frame of the record with the shared dictionary, streamed without its size (every writer's frame has it).
      const { CCtx, getFrameContentSize } = require('zstd-napi/binding') as ZstdWriter;
      const context = new CCtx();
      context.loadDictionary(shared);
      const out = Buffer.alloc(4096);
      const [, head] = context.compressStream2(out, text, 0);
      const [left, tail] = context.compressStream2(out.subarray(head), Buffer.alloc(0), 2);
      expect(left).toBe(0);
      const sizeless = out.subarray(0, head + tail);
      expect(getFrameContentSize(sizeless)).toBeNull();
      const unsized = oneGroupBlock(db, sizeless, true, text);
      expectDamaged(() => DeviceRecordCodec.forMigration(db).decode(unsized.stored, unsized.row, 'guid-7'));
    });
  });

  it('keep a group inflated for the next record read from it only when a real group could be that long: a crafted block cannot fill the cache', () => {
    const db = open(tempDir());
    const shared = newestDictionary(db).dictionary;
    /** Reads both records of a block's one group of two, each `bytes` long: how many times the group was inflated. */
    const inflationsReadingBoth = (bytes: number) => {
      const [first, second] = [longText(bytes), longText(bytes)];
      const text = Buffer.concat([first, Buffer.from('\n'), second]);
      const { stored, row } = oneGroupBlock(db, zlib.deflateRawSync(text, { dictionary: shared, level: 1 }), false, first);
      const secondStored = Buffer.from(stored);
      secondStored.writeUInt32BE(zlib.crc32(second), 1);
      secondStored[5] = 1;
      const codec = DeviceRecordCodec.forMigration(db);
      const inflate = vi.spyOn(zlib, 'inflateRawSync');
      try {
        expect(codec.decode(stored, row, 'guid-7')).toHaveLength(bytes);
        expect(codec.decode(secondStored, row, 'guid-7')).toHaveLength(bytes);
        return inflate.mock.calls.length;
      } finally {
        inflate.mockRestore();
      }
    };
    // Two records and the newline joining them, just within the longest kept: inflated once for both.
    const within = Math.floor((CACHED_GROUP_BYTES - 1) / 2);
    expect(inflationsReadingBoth(within)).toBe(1);
    // Two bytes longer, past it: inflated for each record, never kept.
    expect(inflationsReadingBoth(within + 1)).toBe(2);
    db.close();
  });

  it('are never stored longer than a read accepts: a record or a group past the longest text is refused when written', async () => {
    const db = open(tempDir());
    const codec = DeviceRecordCodec.of(db);
    const longest = longText(LONGEST).toString('latin1');
    expect(DeviceRecordCodec.forMigration(db).decode(codec.encode(longest, NO_ROW), NO_ROW, 1)).toBe(longest);
    const tooLong = (run: () => unknown) => {
      expect(run).toThrow(AppError);
      expect(run).toThrow(/device records too long to store: 64\.0 MB .*at most 64\.0 MB/);
    };
    tooLong(() => codec.encode(longText(LONGEST + 1).toString('latin1'), NO_ROW));
    // Two records each shorter than the longest, in one group longer (with the newline joining them).
    const half = { a: '0'.repeat(LONGEST / 2 - 8) };
    expect(JSON.stringify(half)).toHaveLength(LONGEST / 2);
    const here = codec.compressor();
    here.close();
    const refused = await here.compressAndHash([half, half], 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'IVANTI_BAD_RESPONSE', details: { bytes: LONGEST + 1, longest: LONGEST } });
    db.close();
  });
});
