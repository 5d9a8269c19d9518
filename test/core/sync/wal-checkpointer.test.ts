import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { WalCheckpointer } from '../../../src-main/core/sync/wal-checkpointer';
import { useCloseAfterEach } from '../../support/close-after-each';
import { checkpointerEnd, useShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { runInProcessOfItsOwn } from '../../support/lone-process';

const tempDir = useTempDir('tec-wal-');
const closeAfterEach = useCloseAfterEach();
const shutDownAfterEach = useShutDownAfterEach();
const BLOB = 64 * 1024;

/**
 * A database with a table to fill, a checkpointer asking for a checkpoint every `everyWrites` writes (the writes waiting
 * for one in `heldEvery`: by default each), and its insert.
 */
function fillerDatabase(everyWrites: number, heldEvery = 1): { file: string; db: Db; checkpointer: WalCheckpointer; insert: Statement } {
  const file = path.join(tempDir(), 'console.sqlite');
  const db = closeAfterEach(openDatabase({ file, migrations }).db);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
  const checkpointer = new WalCheckpointer(db, everyWrites, heldEvery);
  shutDownAfterEach(checkpointerEnd(checkpointer));
  return { file, db, checkpointer, insert: db.prepare('INSERT INTO filler (blob) VALUES (?)') };
}

/** A write of 40 blobs in one transaction (about 2.6 MB of pages), as large as one of a bulk load's index builds here. */
function largeWrite(db: Db, insert: Statement): (fill: number) => () => void {
  return (fill) =>
    db.transaction(() => {
      for (let i = 0; i < 40; i++) insert.run(Buffer.alloc(BLOB, fill));
    });
}

describe('WAL checkpoints while a sync writes', () => {
  it('are taken by a worker thread, keep the WAL small however much is written, and the automatic setting comes back', async () => {
    const { file, db, checkpointer, insert } = fillerDatabase(4);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fs.statSync(file).size;

    checkpointer.acquire();
    checkpointer.acquire();
    const writes = 200;
    for (let i = 0; i < writes; i++) await checkpointer.commit(() => db.transaction(() => insert.run(Buffer.alloc(BLOB, i % 251)))());
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // The last checkpoint requested is done before the next write may start.
    await checkpointer.commit(() => undefined);

    // This connection never checkpointed: the data reached the database file through the worker.
    expect(fs.statSync(file).size).toBeGreaterThan(before + (writes - 8) * BLOB);
    // ~13 MB went through the WAL, yet it restarted from its beginning after each checkpoint instead of growing.
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(12 * BLOB * 2);

    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // The thread's last checkpoint empties the -wal file instead of leaving it at its high-water mark until the
    // console closes; every row is in the database file.
    await checkpointer.ended();
    expect(fs.statSync(`${file}-wal`).size).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(writes);
    expect((db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check).toBe('ok');
  });

  it('let the writes go on beside every checkpoint but one in `heldEvery`, which starts the WAL over', async () => {
    const { file, db, checkpointer, insert } = fillerDatabase(2, 4);
    db.pragma('wal_checkpoint(TRUNCATE)');
    checkpointer.acquire();
    const writes = 40;
    const waited: number[] = [];
    for (let i = 0; i < writes; i++) {
      let started = false;
      const write = checkpointer.commit(() => {
        started = true;
        db.transaction(() => insert.run(Buffer.alloc(BLOB, i % 251)))();
      });
      // A write that waits for a checkpoint (an answer that comes as an event) has not started by the end of the call.
      if (!started) waited.push(i);
      await write;
    }
    // A checkpoint every second write, the fourth of them held: only the write after it waited, the thread's start
    // (asked for by the second write) included.
    expect(waited).toEqual([8, 16, 24, 32]);
    await checkpointer.commit(() => undefined);
    // 40 writes of 64 KB went through the WAL, yet it started over after each held checkpoint: about 8 writes' worth.
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(12 * BLOB);
    checkpointer.release();
    await checkpointer.ended();
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(writes);
    expect((db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check).toBe('ok');
  });

  it('start no thread for a sync that writes a few times: the next write does not wait for one, SQLite checkpoints as usual', async () => {
    const { db, checkpointer, insert } = fillerDatabase(4);
    // A thread's answer is a message, which arrives only in a later turn of the event loop than this one.
    let turned = false;
    setImmediate(() => (turned = true));

    // Three syncs of three writes each (a sync of a few devices), then one of four.
    for (let sync = 0; sync < 3; sync++) {
      checkpointer.acquire();
      for (let i = 0; i < 3; i++) await checkpointer.commit(() => insert.run(Buffer.alloc(16, i)));
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      checkpointer.release();
    }
    expect(turned).toBe(false);
    await checkpointer.ended();

    checkpointer.acquire();
    for (let i = 0; i < 4; i++) await checkpointer.commit(() => insert.run(Buffer.alloc(16, i)));
    // The fourth write asked for the thread's first checkpoint; the next write waits for it.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await checkpointer.commit(() => insert.run(Buffer.alloc(16, 5)));
    expect(turned).toBe(true);
    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.ended();
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(14);
  });

  it('count no light write until the thread has started: a re-sync of unchanged devices starts none and waits for none', async () => {
    const { db, checkpointer, insert } = fillerDatabase(4);
    let turned = false;
    setImmediate(() => (turned = true));
    const light = () => true;

    checkpointer.acquire();
    for (let i = 0; i < 12; i++) await checkpointer.commit(() => insert.run(Buffer.alloc(16, i)), light);
    // Three times `everyWrites`, and no thread: SQLite's own checkpoints bound the WAL meanwhile.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(turned).toBe(false);
    // A write that is not light is counted as before: the fourth asks for the thread's first checkpoint.
    for (let i = 0; i < 4; i++) await checkpointer.commit(() => insert.run(Buffer.alloc(16, i)), () => false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // Once it runs, a light write waits for the checkpoint asked for like any other.
    await checkpointer.commit(() => insert.run(Buffer.alloc(16, 0)), light);
    expect(turned).toBe(true);
    checkpointer.release();
    await checkpointer.ended();
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(17);
  });

  it('start no thread for a large write that wrote nothing: a search-index catch-up with nothing left', async () => {
    const { db, checkpointer, insert } = fillerDatabase(1_000);
    checkpointer.acquire();
    expect(await checkpointer.commitLarge(() => 0, (indexed) => indexed === 0)).toBe(0);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // One that wrote asks for its checkpoint at once, as before.
    await checkpointer.commitLarge(() => insert.run(Buffer.alloc(16, 1)).changes, (inserted) => inserted === 0);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    checkpointer.release();
    await checkpointer.ended();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('follow a large write at once, so the next one starts the WAL over instead of adding to it', async () => {
    // Never by count: only commitLarge asks for a checkpoint here.
    const { file, db, checkpointer, insert } = fillerDatabase(1_000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const large = largeWrite(db, insert);
    checkpointer.acquire();
    // As a bulk load's index builds: one large transaction after another (each about 2.6 MB of pages).
    for (let n = 0; n < 6; n++) await checkpointer.commitLarge(() => large(n)());
    await checkpointer.commit(() => undefined);
    checkpointer.release();
    // The WAL file keeps its largest size: about one write's worth, where six writes without a checkpoint fill six.
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(2 * 40 * BLOB);
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(240);
  });

  it('let each large write of a run start beside the checkpoint of the one before, and start the WAL over at the next run', async () => {
    const { file, db, checkpointer, insert } = fillerDatabase(1_000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const large = largeWrite(db, insert);
    checkpointer.acquire();
    const started: number[] = [];
    // Two runs of four, as a bulk load's index builds: the first of a run with commitLarge, the others beside.
    for (let n = 0; n < 8; n += 4) {
      await checkpointer.commitLarge(() => large(n)());
      for (let k = n + 1; k < n + 4; k++) {
        // The checkpoint of the write before has been asked for and cannot have answered yet (its answer is an event):
        // a write that waited for it would not have started by the end of this call.
        const beside = checkpointer.commitLargeBeside(() => {
          started.push(k);
          large(k)();
        });
        expect(started.at(-1)).toBe(k);
        await beside;
      }
    }
    await checkpointer.commit(() => undefined);
    checkpointer.release();
    // About one run's worth at most (four writes of about 2.6 MB of pages each), where eight without a checkpoint fill
    // eight: the second run started the WAL over.
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(5 * 40 * BLOB);
    expect(started).toEqual([1, 2, 3, 5, 6, 7]);
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(320);
  });

  it("let a run's last large write wait for the checkpoint before it, but leave its own to the run's end", async () => {
    const { file, db, checkpointer, insert } = fillerDatabase(1_000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const large = largeWrite(db, insert);
    checkpointer.acquire();
    await checkpointer.commitLarge(() => large(1)());
    const started: number[] = [];
    // As a search index moved in after a bulk load's index builds: its write waits for the checkpoint asked before it
    // (an answer that comes as an event, after this call), so the WAL starts over.
    const last = checkpointer.commitLargeLast(() => {
      started.push(2);
      large(2)();
    });
    expect(started).toEqual([]);
    await last;
    expect(started).toEqual([2]);
    // It asked for no checkpoint: the write that ends the run waits for none.
    const ending = checkpointer.commit(() => started.push(3));
    expect(started).toEqual([2, 3]);
    await ending;
    // The thread's last checkpoint, as the run ends, copies it and empties the WAL.
    checkpointer.release();
    await checkpointer.ended();
    expect(fs.statSync(`${file}-wal`).size).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM filler').pluck().get()).toBe(80);
  });

  it('keep a process with nothing else to do alive until the thread has ended, so that what follows `ended()` runs', async () => {
    const file = path.join(tempDir(), 'console.sqlite');
    openDatabase({ file, migrations }).db.close();
    const script = `
      const { openDatabase } = require(${JSON.stringify(path.join(__dirname, '../../../src-main/core/db/database.ts'))});
      const { migrations } = require(${JSON.stringify(path.join(__dirname, '../../../src-main/core/db/migrations/index.ts'))});
      const { WalCheckpointer } = require(${JSON.stringify(path.join(__dirname, '../../../src-main/core/sync/wal-checkpointer.ts'))});
      (async () => {
        const { db } = openDatabase({ file: ${JSON.stringify(file)}, migrations });
        db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
        const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
        const checkpointer = new WalCheckpointer(db, 1);
        checkpointer.acquire();
        for (let i = 0; i < 3; i++) await checkpointer.commit(() => insert.run(Buffer.alloc(16, i)));
        checkpointer.release();
        await checkpointer.ended();
        db.close();
        process.stdout.write('ended');
      })();`;
    const out = runInProcessOfItsOwn(script);
    expect(out).toBe('ended');
  }, 60_000);
});
