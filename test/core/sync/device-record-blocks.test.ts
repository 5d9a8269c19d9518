/**
 * Device records in blocks (migration 0037): what a bulk load writes, read back by every reader, and how records leave
 * their blocks and blocks go.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { openAnotherConnection, type Db } from '../../../src-main/core/db/database';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { ExportService } from '../../../src-main/core/export/export-service';
import type { IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import { DeviceRecordCodec } from '../../../src-main/core/sync/device-record-codec';
import { prepareRecords, recordContext, type PreparedRecords } from '../../../src-main/core/sync/device-row';
import { DeviceStore, type PageContext } from '../../../src-main/core/sync/device-store';
import type { RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { readCsvRecords } from '../../support/csv-reader';
import { sqlRunCountsDuring } from '../../support/query-plans';
import { useTempDir } from '../../support/temp-dir';
import { openSyncDatabase, parsedTenant } from './sync-fixture';

const tempDir = useTempDir('tec-record-blocks-');
const closeAfterEach = useCloseAfterEach();
const startTenant = useSimulatorsAfterEach();
let tenant: RunningSimulator | undefined;

interface Loaded {
  db: Db;
  parsed: IvantiDevice[];
  context: (page: number) => PageContext;
}

/**
 * A simulated tenant's devices written as a bulk load writes them: compressed in blocks on the compressing thread,
 * then written in chunks of `chunk` devices, each its own transaction (so blocks span chunks).
 */
async function bulkLoaded(devices: number, seed: string, chunk: number): Promise<Loaded & { prepared: PreparedRecords }> {
  const db = closeAfterEach(openSyncDatabase(tempDir()));
  tenant = await startTenant({ devices, seed });
  const { parsed, context } = parsedTenant(db, tenant, 'tenant.example');
  const compressor = DeviceRecordCodec.of(db).compressor();
  const prepared = await prepareRecords(compressor, parsed, { id: context(1).space.id }).finally(() => compressor.close());
  const store = new DeviceStore(db);
  for (let from = 0; from < parsed.length; from += chunk) db.transaction(() => store.writePage(context(1), parsed.slice(from, from + chunk), prepared))();
  return { db, parsed, context, prepared };
}

/** Every device exported, each with its record exactly as sent, in id order or in another. */
function expectAsSent(exported: { guid: string; raw: string }[], parsed: readonly IvantiDevice[], order: 'id order' | 'another order'): void {
  const sent = new Map(parsed.map((d) => [d.guid, JSON.stringify(d.raw)]));
  expect(exported).toHaveLength(parsed.length);
  expect(exported.map((r) => r.raw)).toEqual(exported.map((r) => sent.get(r.guid)));
  expect(exported.every((r, i) => r.guid === parsed[i]!.guid)).toBe(order === 'id order');
}

/** Each block's count against the device rows that name it, and the blocks no row names. */
function blockCounts(db: Db): { wrong: number; unnamed: number; live: number } {
  return db
    .prepare(
      `SELECT sum(live != (SELECT count(*) FROM devices d WHERE d.record_block = b.id)) AS wrong,
              sum(NOT EXISTS (SELECT 1 FROM devices d WHERE d.record_block = b.id)) AS unnamed, coalesce(sum(live), 0) AS live
         FROM device_record_blocks b`,
    )
    .get() as { wrong: number; unnamed: number; live: number };
}

function blockOf(db: Db, guid: string): number | null {
  return db.prepare('SELECT record_block FROM devices WHERE guid = ?').pluck().get(guid) as number | null;
}

describe('device records in blocks', () => {
  it('are written by a bulk load with their devices, each block counting its devices, also across chunks', async () => {
    const { db, parsed, prepared } = await bulkLoaded(75, 'blocks-written', 10);
    const rows = db.prepare('SELECT guid, record_block, length(raw_record) AS bytes FROM devices ORDER BY id').all() as { guid: string; record_block: number | null; bytes: number }[];
    expect(rows.map((r) => r.guid)).toEqual(parsed.map((d) => d.guid));
    expect(rows.filter((r) => r.record_block === null || r.bytes !== 6)).toEqual([]);
    // One row a block the compressing thread made, though most of them were written over two chunks.
    const blocks = new Set(rows.map((r) => r.record_block)).size;
    expect(blocks).toBe(new Set([...prepared.values()].map((p) => p.block)).size);
    expect(blocks).toBeGreaterThan(2);
    expect(blocks).toBeLessThan(parsed.length / 4);
    expect(blockCounts(db)).toEqual({ wrong: 0, unnamed: 0, live: 75 });
    // Blocks deflated: about the bytes the records alone would take (within 2 % here). Deflated at a faster level than a
    // record alone (BLOCK_LEVEL), they gain CPU, not bytes, and take whole pages on disk either way.
    const inBlocks = db.prepare('SELECT sum(length(records)) FROM device_record_blocks').pluck().get() as number;
    const codec = DeviceRecordCodec.of(db);
    const alone = parsed.reduce((n, d) => n + codec.encode(JSON.stringify(d.raw), recordContext(d)).length, 0);
    expect(inBlocks + 6 * parsed.length).toBeLessThan(alone * 1.05);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('cost a chunk a few statements a block, not one a device', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    tenant = await startTenant({ devices: 40, seed: 'blocks-statements' });
    const { parsed, context } = parsedTenant(db, tenant, 'tenant.example');
    const compressor = DeviceRecordCodec.of(db).compressor();
    const prepared = await prepareRecords(compressor, parsed, { id: context(1).space.id }).finally(() => compressor.close());
    const blocks = new Set([...prepared.values()].map((p) => p.block)).size;
    expect(blocks).toBeGreaterThan(1);
    const counts = sqlRunCountsDuring(db, () => new DeviceStore(db), (store) => db.transaction(() => store.writePage(context(1), parsed, prepared))());
    const ofBlocks = [...counts].filter(([sql]) => sql.includes('device_record_blocks')).reduce((n, [, count]) => n + count, 0);
    // Each block: its id given out, its row inserted, its devices counted into it.
    expect(ofBlocks).toBe(3 * blocks);
    expect(blockCounts(db)).toEqual({ wrong: 0, unnamed: 0, live: 40 });
  });

  it('are read back exactly as the tenant sent them by the drawer and by the export, in any order', async () => {
    const { db, parsed } = await bulkLoaded(60, 'blocks-read', 25);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(10_000));
    const ids = db.prepare('SELECT id FROM devices ORDER BY id DESC').pluck().all() as number[];
    expect(ids.map((id) => repository.detail(id).raw)).toEqual([...parsed].reverse().map((d) => d.raw));
    const file = path.join(tempDir(), 'devices.csv');
    const exports = new ExportService(db, repository, new AuditLog(db, () => new Date(10_000)), new EventBus().emit, tempDir(), () => new Date(10_000), 'tester');
    // Sorted, current devices (a sorted export of all, removed included, comes in id order: orderedSelection); in CSV,
    // and in JSON, which parses each text.
    const queries = [{ presence: 'all' }, { sort: { column: 'deviceName', direction: 'desc' } }, { sort: { column: 'serialNumber', direction: 'asc' } }] as const;
    for (const query of queries) {
      await exports.write({ kind: 'devices', format: 'csv', query, includeRaw: true }, file);
      const { records } = readCsvRecords(fs.readFileSync(file, 'utf8'));
      expectAsSent(records.map((r) => ({ guid: r.guid!, raw: r.raw! })), parsed, 'sort' in query ? 'another order' : 'id order');
    }
    await exports.write({ kind: 'devices', format: 'json', query: queries[1], includeRaw: true }, `${file}.json`);
    const { devices } = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as { devices: { guid: string; raw: unknown }[] };
    expectAsSent(devices.map((d) => ({ guid: d.guid, raw: JSON.stringify(d.raw) })), parsed, 'another order');
  });

  it('are read by an export from its snapshot, though their blocks are deleted while it streams', async () => {
    const { db, parsed } = await bulkLoaded(60, 'blocks-snapshot', 60);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(10_000));
    const exports = new ExportService(db, repository, new AuditLog(db, () => new Date(10_000)), new EventBus().emit, tempDir(), () => new Date(10_000), 'tester');
    const file = path.join(tempDir(), 'devices.csv');
    // The export has taken its snapshot and yielded; its devices, and with them their blocks, are deleted.
    const writing = exports.write({ kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: true }, file);
    db.prepare('DELETE FROM devices').run();
    expect(db.prepare('SELECT count(*) FROM device_record_blocks').pluck().get()).toBe(0);
    await writing;
    const { records } = readCsvRecords(fs.readFileSync(file, 'utf8'));
    const sent = new Map(parsed.map((d) => [d.guid, JSON.stringify(d.raw)]));
    expect(records).toHaveLength(parsed.length);
    expect(records.map((r) => r.raw)).toEqual(records.map((r) => sent.get(r.guid!)));
  });

  it('are read by the drawer with their row in one transaction, though their block is deleted in between', async () => {
    const { db, parsed } = await bulkLoaded(20, 'blocks-drawer', 20);
    // The drawer's own connection, whose codec has read no block yet; as it reads the block, the sync's connection
    // deletes the device's block-mates and then the device itself.
    const drawer = closeAfterEach(openAnotherConnection(db.name));
    const prepare = drawer.prepare.bind(drawer);
    const id = db.prepare('SELECT id FROM devices WHERE guid = ?').pluck().get(parsed[0]!.guid) as number;
    (drawer as { prepare: typeof drawer.prepare }).prepare = ((sql: string) => {
      const statement = prepare(sql);
      if (!sql.includes('FROM device_record_blocks WHERE id')) return statement;
      const get = statement.get.bind(statement);
      statement.get = (...args: unknown[]) => {
        db.prepare('DELETE FROM devices WHERE record_block = (SELECT record_block FROM devices WHERE id = ?)').run(id);
        return get(...args);
      };
      return statement;
    }) as typeof drawer.prepare;
    const repository = new DeviceRepository(drawer, new DeviceSearchIndex(drawer), () => new Date(10_000));
    expect(repository.detail(id).raw).toEqual(parsed[0]!.raw);
    expect(db.prepare('SELECT count(*) FROM devices WHERE id = ?').pluck().get(id)).toBe(0);
  });

  it('leave their block when a re-sync writes them changed, stay in it when their check-in times alone moved', async () => {
    const { db, parsed, context } = await bulkLoaded(40, 'blocks-left', 40);
    const first = blockOf(db, parsed[0]!.guid)!;
    const inFirst = parsed.filter((d) => blockOf(db, d.guid) === first);
    expect(inFirst.length).toBeGreaterThan(3);
    const liveOf = (block: number) => db.prepare('SELECT live FROM device_record_blocks WHERE id = ?').pluck().get(block) as number | undefined;
    const rawLength = (guid: string) => db.prepare('SELECT length(raw_record) FROM devices WHERE guid = ?').pluck().get(guid) as number;
    const [changed, checkedIn, scanned, ...rest] = inFirst as [IvantiDevice, IvantiDevice, IvantiDevice, ...IvantiDevice[]];
    const store = new DeviceStore(db);
    const checkIn = (d: IvantiDevice, minutes: number, more: Record<string, unknown> = {}): IvantiDevice => ({
      ...d,
      lastCheckin: d.lastCheckin! + minutes * 60_000,
      raw: { ...d.raw, lastCheckin: d.lastCheckin! + minutes * 60_000, ...more },
    });
    // One changed (its field diff reads the record from the block); one whose check-in time alone moved; one whose
    // check-in time moved and which gained a scan time at its end (one changed run of bytes too long to keep).
    const page = [{ ...changed, deviceName: 'Renamed', raw: { ...changed.raw, deviceName: 'Renamed' } }, checkIn(checkedIn, 1), checkIn(scanned, 1, { lastScannedTime: 1_700_000_000_000 })];
    const result = db.transaction(() => store.writePage(context(2), page))();
    expect(result).toMatchObject({ changed: 1 });
    const change = db.prepare("SELECT fields FROM device_changes WHERE kind = 'changed'").pluck().get() as string;
    expect(JSON.parse(change)).toEqual({ deviceName: [changed.deviceName, 'Renamed'] });
    expect([blockOf(db, changed.guid), blockOf(db, checkedIn.guid), blockOf(db, scanned.guid)]).toEqual([null, first, null]);
    expect(rawLength(checkedIn.guid)).toBeLessThan(40);
    expect(liveOf(first)).toBe(inFirst.length - 2);
    expect(blockCounts(db)).toMatchObject({ wrong: 0, unnamed: 0 });
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(10_000));
    const idOf = (guid: string) => db.prepare('SELECT id FROM devices WHERE guid = ?').pluck().get(guid) as number;
    expect(page.map((d) => repository.detail(idOf(d.guid)).raw)).toEqual(page.map((d) => d.raw));
    // Checked in again: still in its block, patched from the text it was written with; then changed, it leaves.
    const again = checkIn(checkedIn, 90);
    db.transaction(() => store.writePage(context(3), [again]))();
    expect(blockOf(db, checkedIn.guid)).toBe(first);
    expect(repository.detail(idOf(checkedIn.guid)).raw).toEqual(again.raw);
    const renamedToo = { ...again, deviceName: 'Renamed too', raw: { ...again.raw, deviceName: 'Renamed too' } };
    db.transaction(() => store.writePage(context(4), [renamedToo]))();
    expect(JSON.parse(db.prepare("SELECT fields FROM device_changes WHERE kind = 'changed' ORDER BY id DESC").pluck().get() as string)).toEqual({
      deviceName: [checkedIn.deviceName, 'Renamed too'],
    });
    expect(blockOf(db, checkedIn.guid)).toBeNull();
    // The rest of the block leaves it too: the block goes with the last.
    const renamed = rest.map((d) => ({ ...d, deviceName: `${d.deviceName} 2`, raw: { ...d.raw, deviceName: `${d.deviceName} 2` } }));
    db.transaction(() => store.writePage(context(5), renamed))();
    expect(liveOf(first)).toBeUndefined();
    expect(blockCounts(db)).toMatchObject({ wrong: 0, unnamed: 0, live: 40 - inFirst.length });
    expect(renamed.map((d) => repository.detail(idOf(d.guid)).raw)).toEqual(renamed.map((d) => d.raw));
    expect(repository.detail(idOf(checkedIn.guid)).raw).toEqual(renamedToo.raw);
  });

  it('go with their devices: a block goes when its last device is deleted, the others stay readable', async () => {
    const { db, parsed } = await bulkLoaded(40, 'blocks-deleted', 40);
    const blocks = db.prepare('SELECT id FROM device_record_blocks ORDER BY id').pluck().all() as number[];
    expect(blocks.length).toBeGreaterThan(1);
    const before = db.prepare('SELECT count(*) FROM devices WHERE record_block = ?').pluck().get(blocks[0]) as number;
    db.prepare('DELETE FROM devices WHERE id = (SELECT min(id) FROM devices WHERE record_block = ?)').run(blocks[0]);
    expect(db.prepare('SELECT live FROM device_record_blocks WHERE id = ?').pluck().get(blocks[0])).toBe(before - 1);
    db.prepare('DELETE FROM devices WHERE record_block = ?').run(blocks[0]);
    expect(db.prepare('SELECT id FROM device_record_blocks ORDER BY id').pluck().all()).toEqual(blocks.slice(1));
    expect(blockCounts(db)).toEqual({ wrong: 0, unnamed: 0, live: 40 - before });
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(10_000));
    const left = db.prepare('SELECT id, guid FROM devices ORDER BY id').all() as { id: number; guid: string }[];
    const sent = new Map(parsed.map((d) => [d.guid, d.raw]));
    expect(left.map((d) => repository.detail(d.id).raw)).toEqual(left.map((d) => sent.get(d.guid)));
    // A new block never takes a deleted block's id (a reader may hold that block inflated).
    db.prepare('DELETE FROM devices').run();
    expect(db.prepare('SELECT count(*) FROM device_record_blocks').pluck().get()).toBe(0);
    const again = await prepareRecords(DeviceRecordCodec.of(db).compressor(), parsed.slice(0, 3), { id: 1 });
    expect(db.transaction(() => DeviceRecordCodec.of(db).storeBlock(again.get(parsed[0]!)!.block))()).toBeGreaterThan(Math.max(...blocks));
  });

  it('are counted right when a bulk load writes one device twice into the same block', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    tenant = await startTenant({ devices: 6, seed: 'blocks-twice' });
    const { parsed, context } = parsedTenant(db, tenant, 'tenant.example');
    // The page names its second device again, renamed (a page read while the tenant changed).
    const twice = { ...parsed[1]!, deviceName: 'Again', raw: { ...parsed[1]!.raw, deviceName: 'Again' } };
    const page = [...parsed, twice];
    const compressor = DeviceRecordCodec.of(db).compressor();
    const prepared = await prepareRecords(compressor, page, { id: context(1).space.id }).finally(() => compressor.close());
    expect(prepared.get(twice)!.block).toBe(prepared.get(parsed[1]!)!.block);
    db.transaction(() => new DeviceStore(db).writePage(context(1), page, prepared))();
    expect(blockCounts(db)).toEqual({ wrong: 0, unnamed: 0, live: 6 });
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(10_000));
    const id = db.prepare('SELECT id FROM devices WHERE guid = ?').pluck().get(twice.guid) as number;
    expect(repository.detail(id).raw).toEqual(twice.raw);
  });

  it("refuse an update that replaces a record in a block without leaving the block (it would be counted wrong)", async () => {
    const { db, parsed } = await bulkLoaded(5, 'blocks-guard', 5);
    const codec = DeviceRecordCodec.of(db);
    const alone = codec.encode('{}', recordContext(parsed[0]!));
    expect(() => db.prepare('UPDATE devices SET raw_record = ? WHERE guid = ?').run(alone, parsed[0]!.guid)).toThrow(/record_block must be set exactly when/);
    expect(() => db.prepare('UPDATE devices SET record_block = NULL WHERE guid = ?').run(parsed[0]!.guid)).toThrow(/record_block must be set exactly when/);
    expect(blockCounts(db)).toEqual({ wrong: 0, unnamed: 0, live: 5 });
  });
});
