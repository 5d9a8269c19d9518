/**
 * The search index of a first sync built on another thread in a file of its own and moved in whole (SearchIndexBuild,
 * issue 19): it holds what the catch-up would have made of the same rows, a device written after the thread read it
 * is indexed as it is now, an index written meanwhile is left as it is, and the file goes whatever happens.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceSearchIndex, SearchIndexBuild, searchIndexBuildFile } from '../../../src-main/core/devices/device-search-index';
import { seedDevices } from '../../support/seed-devices';
import { useCloseAfterEach } from '../../support/close-after-each';
import { buildEnd, useShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-search-build-');
const closeAfterEach = useCloseAfterEach();
const shutDownAfterEach = useShutDownAfterEach();

/** A build a test starts, its thread stopped after the test before the database closes (one that failed before its move still runs). */
function stoppedAfterEach<T extends SearchIndexBuild | null>(build: T): T {
  if (build !== null) shutDownAfterEach(buildEnd(build));
  return build;
}

function seeded(count: number): Db {
  const { db } = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations });
  closeAfterEach(db);
  seedDevices(db, { count, seed: 'search-index-build', referenceTime: Date.parse('2026-12-01T00:00:00Z') });
  return db;
}

/** A copy of the database as it is now (queue and index included). */
function copyOf(db: Db): Db {
  const file = path.join(tempDir(), `copy-${Math.random().toString(36).slice(2)}.sqlite`);
  db.prepare('VACUUM INTO ?').run(file);
  return closeAfterEach(openDatabase({ file, migrations }).db);
}

/** What the index answers: each term with every device holding it. */
const terms = (db: Db) => db.prepare('SELECT term, doc FROM devices_fts_instances ORDER BY term, doc').raw().all();
const queued = (db: Db) => db.prepare('SELECT COUNT(*) FROM devices_fts_pending').pluck().get() as number;

/** The index's shadow tables as stored, but for the structure record's first four bytes (FTS5's settings cookie). */
function stored(db: Db): unknown {
  const structure = db.prepare('SELECT block FROM devices_fts_data WHERE id = 10').pluck().get() as Buffer;
  return {
    structure: structure.subarray(4),
    data: db.prepare('SELECT id, block FROM devices_fts_data WHERE id <> 10 ORDER BY id').raw().all(),
    idx: db.prepare('SELECT segid, term, pgno FROM devices_fts_idx ORDER BY segid, term').raw().all(),
    docsize: db.prepare('SELECT * FROM devices_fts_docsize ORDER BY id').raw().all(),
  };
}

/**
 * Waits until the thread has committed the index of `count` devices into its file, or has ended its build (a thread
 * that took the queue for complete), and answers how many the file holds.
 */
async function indexedInBuildFile(db: Db, build: SearchIndexBuild, count: number): Promise<number> {
  let ended = false;
  void build.built.then(() => (ended = true));
  for (;;) {
    let held = 0;
    try {
      const file = new Database(searchIndexBuildFile(db.name), { readonly: true, fileMustExist: true });
      try {
        held = file.prepare('SELECT COUNT(*) FROM devices_fts_docsize').pluck().get() as number;
      } finally {
        file.close();
      }
    } catch {
      // Not made yet, or being written (the thread's file keeps no journal: a reader waits for its commit).
    }
    if (held >= count || ended) return held;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('SearchIndexBuild', () => {
  it('following a load, indexes each whole chunk of the queue once committed and the rest once the load ends: the catch-up\'s bytes', { timeout: 120_000 }, async () => {
    const { db } = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations });
    closeAfterEach(db);
    // Started before the load's first device, as a bulk load starts it.
    const build = stoppedAfterEach(SearchIndexBuild.follow(db));
    expect(build).not.toBeNull();
    // Committed in batches of 10,000: the thread sees the queue grow, and indexes a chunk (50,000) only once it is whole.
    const referenceTime = Date.parse('2026-12-01T00:00:00Z');
    seedDevices(db, { count: 50_500, seed: 'search-index-build', referenceTime });
    expect(await indexedInBuildFile(db, build!, 50_000)).toBe(50_000);
    seedDevices(db, { count: 500, seed: 'search-index-build', referenceTime, firstIndex: 50_500 });
    const caughtUp = copyOf(db);
    new DeviceSearchIndex(caughtUp).catchUp();
    build!.loadEnded();
    expect(await build!.moveIn()).toBe(51_000);
    expect(build!.indexedWhileLoading).toBe(50_000);
    expect(queued(db)).toBe(0);
    expect(stored(db)).toEqual(stored(caughtUp));
    expect(() => db.prepare("INSERT INTO devices_fts (devices_fts, rank) VALUES ('integrity-check', 0)").run()).not.toThrow();
  });


  it('moves in the bytes the catch-up makes of the same queue, chunk by chunk, and leaves nothing queued', { timeout: 120_000 }, async () => {
    // More than a catch-up chunk (50,000): a whole chunk merged as a backlog, then the rest.
    const db = seeded(51_000);
    const caughtUp = copyOf(db);
    new DeviceSearchIndex(caughtUp).catchUp();
    const build = stoppedAfterEach(SearchIndexBuild.start(db));
    expect(build).not.toBeNull();
    expect(await build!.built).toBe(true);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const fileBytes = fs.statSync(db.name).size;
    expect(await build!.moveIn()).toBe(51_000);
    // The moved index (~1,900 pages) waits in the WAL for the WAL checkpointer's thread: the move's own commit did not
    // copy it into the file (SQLite's automatic checkpoint, at 1,000 pages, is off on the thread's connection).
    expect(fs.statSync(db.name).size).toBe(fileBytes);
    expect(queued(db)).toBe(0);
    expect(stored(db)).toEqual(stored(caughtUp));
    // The backlog's chunk left dozens of segments; the chunk that ended it merged them all (BACKLOG_AUTOMERGE).
    expect(db.prepare('SELECT count(DISTINCT segid) FROM devices_fts_idx').pluck().get()).toBe(1);
    expect(() => db.prepare("INSERT INTO devices_fts (devices_fts, rank) VALUES ('integrity-check', 0)").run()).not.toThrow();
  });

  it('builds with a 2,000 KiB page cache for each database, so the thread leaves malloc little to keep', async () => {
    const db = seeded(1_000);
    const build = stoppedAfterEach(SearchIndexBuild.start(db))!;
    expect(await build.moveIn()).toBe(1_000);
    expect(build.pageCacheKib).toEqual({ main: 2000, build: 2000 });
  });

  it('builds in a file of 16,384-byte pages, and the database keeps its own 4,096', async () => {
    const db = seeded(1_000);
    const build = stoppedAfterEach(SearchIndexBuild.start(db))!;
    expect(await build.built).toBe(true);
    // The database header's page size (offset 16, big-endian), while the file waits for the move.
    const header = fs.readFileSync(searchIndexBuildFile(db.name)).subarray(0, 100);
    expect(header.readUInt16BE(16)).toBe(16_384);
    expect(await build.moveIn()).toBe(1_000);
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
  });

  it('a connection that read the empty index reads the moved one, and the catch-up goes on from it', async () => {
    const db = seeded(2_000);
    const index = new DeviceSearchIndex(db);
    const serial = db.prepare('SELECT serial_number FROM devices WHERE id = 5').pluck().get() as string;
    const match = db.prepare('SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?').pluck();
    // Read by this connection before the move: FTS5 keeps the structure it read until another connection commits.
    expect(match.all(`"${serial}"`)).toEqual([]);
    const build = stoppedAfterEach(SearchIndexBuild.start(db))!;
    expect(await build.moveIn()).toBe(2_000);
    const oracle = copyOf(db);
    expect(match.all(`"${serial}"`)).toEqual([5]);
    // Written after the move by this connection: queued and caught up on top of the moved index.
    db.prepare("UPDATE devices SET device_name = 'Quixotic tablet' WHERE id = 7").run();
    expect(index.catchUp()).toBe(1);
    expect(db.prepare("SELECT rowid FROM devices_fts WHERE devices_fts MATCH 'quixotic'").pluck().all()).toEqual([7]);
    new DeviceSearchIndex(oracle).catchUp();
    oracle.prepare("UPDATE devices SET device_name = 'Quixotic tablet' WHERE id = 7").run();
    new DeviceSearchIndex(oracle).catchUp();
    expect(terms(db)).toEqual(terms(oracle));
  });

  it('a device written or deleted after the thread read it is indexed as it is when the index is moved in', async () => {
    const db = seeded(2_000);
    const build = stoppedAfterEach(SearchIndexBuild.start(db))!;
    expect(await build.built).toBe(true);
    // Written by another connection after the thread read every row: the move must not keep what it read of these.
    const other = closeAfterEach(openDatabase({ file: db.name, migrations }).db);
    other.prepare("UPDATE devices SET device_name = 'Quixotic tablet', uid = 'zanzibar' WHERE id IN (3, 1500)").run();
    other.prepare('DELETE FROM device_sightings WHERE device_id = 11').run();
    other.prepare('DELETE FROM devices WHERE id = 11').run();
    seedDevices(other, { count: 5, seed: 'search-index-build-later', firstIndex: 2_000 });
    // What the index must end as: a catch-up of the rows as they are now into an empty index.
    const oracle = copyOf(db);
    new DeviceSearchIndex(oracle).catchUp();
    // The 1,997 devices moved in as they are leave the queue; the two changed, the deleted and the five new stay.
    expect(await build.moveIn()).toBe(1_997);
    expect(queued(db)).toBe(8);
    expect(new DeviceSearchIndex(db).catchUp()).toBe(8);
    expect(terms(db)).toEqual(terms(oracle));
    expect(db.prepare("SELECT rowid FROM devices_fts WHERE devices_fts MATCH 'zanzibar' ORDER BY rowid").pluck().all()).toEqual([3, 1500]);
  });

  it('moves nothing into an index that was written meanwhile: the catch-up indexed it', async () => {
    const db = seeded(2_000);
    const build = stoppedAfterEach(SearchIndexBuild.start(db))!;
    expect(await build.built).toBe(true);
    const index = new DeviceSearchIndex(db);
    expect(index.catchUp()).toBe(2_000);
    const before = stored(db);
    expect(await build.moveIn()).toBe(0);
    expect(stored(db)).toEqual(before);
    expect(queued(db)).toBe(0);
  });

  it('starts only for an index that holds no device and has nothing to drop', () => {
    const db = seeded(300);
    const index = new DeviceSearchIndex(db);
    index.catchUp(undefined, 1);
    // Every device indexed: nothing queued.
    expect(SearchIndexBuild.start(db)).toBeNull();
    db.prepare("UPDATE devices SET device_name = 'Quixotic tablet' WHERE id = 3").run();
    // Queued again, but the index holds devices: neither now nor following a load.
    expect(SearchIndexBuild.start(db)).toBeNull();
    expect(SearchIndexBuild.follow(db)).toBeNull();
    const memory = new (db.constructor as new (file: string) => Db)(':memory:');
    closeAfterEach(memory);
    expect(SearchIndexBuild.start(memory)).toBeNull();
  });

  it('its file is owner-only while it builds, and removed after the move, after a stop, and when a crash left one', async () => {
    const db = seeded(500);
    const file = searchIndexBuildFile(db.name);
    fs.writeFileSync(file, 'left by a build a crash stopped');
    const build = stoppedAfterEach(SearchIndexBuild.start(db))!;
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await build.moveIn()).toBe(500);
    expect(fs.existsSync(file)).toBe(false);

    const again = seeded(500);
    const stopped = stoppedAfterEach(SearchIndexBuild.start(again))!;
    await stopped.stop();
    expect(fs.existsSync(searchIndexBuildFile(again.name))).toBe(false);
    expect(await stopped.moveIn()).toBe(0);
    expect(queued(again)).toBe(500);
    expect(new DeviceSearchIndex(again).catchUp()).toBe(500);
  });
});
