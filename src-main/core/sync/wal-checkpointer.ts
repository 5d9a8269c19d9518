import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database';
import { sqliteBinding } from '../db/sqlite-binding';
import { WAL_CHECKPOINTER_THREAD_LIMITS } from './thread-limits';

/**
 * Moves SQLite's WAL checkpoints off the syncing thread while syncs write.
 *
 * With the default `wal_autocheckpoint`, the commit that pushes the WAL past 1000 pages copies it into the database
 * file and fsyncs, inside that commit, on the thread that committed: measured here at 30-50 ms every dozen chunk
 * writes (when syncs ran on the Electron main process, its longest stalls). While a sync runs, its connection's
 * automatic checkpoints are off and a worker thread with its own connection checkpoints instead, so the sync worker
 * can meanwhile receive and parse the next page.
 *
 * The writers pause for it: bulk writes go through `commit`, which every `everyWrites` transactions asks for a
 * checkpoint and makes the next write wait (asynchronously: the event loop stays free) until it is done. A checkpoint
 * that runs while nobody writes copies the whole WAL, so the next write starts the WAL over from its beginning; one
 * running beside a busy writer never catches up, and the WAL would grow by everything written (a million-device sync
 * filled a disk that way).
 *
 * The thread starts with the first checkpoint a sync asks for, not with the sync: a sync of a few devices commits two
 * or three times and never needs one, while starting the thread (an isolate that loads better-sqlite3) took 0.2-0.8 s
 * at load 6 and up to 2 s at load 15, which the sync's next write waited for. Until then SQLite's automatic
 * checkpoints stay on.
 *
 * If the worker cannot start or fails (a packaging quirk, a missing module), checkpoints go back to automatic:
 * slower commits, never unsafe.
 */
export class WalCheckpointer {
  #users = 0;
  #worker: Worker | null = null;
  /** The thread could not start or failed during this sync: its checkpoints stay automatic until it ends. */
  #unavailable = false;
  #previousAutocheckpoint: number | null = null;
  #writes = 0;
  #pending: Promise<void> | null = null;
  #nextRequest = 1;
  readonly #waiting = new Map<number, () => void>();
  /** Threads told to stop that have not ended yet: each still holds a connection and may write the -wal/-shm files. */
  readonly #ending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly everyWrites = 8,
    /** A checkpoint that takes longer than this no longer holds the writers back. */
    private readonly maxWaitMs = 10_000,
  ) {}

  /** A sync starts writing. */
  acquire(): void {
    this.#users += 1;
  }

  /** A sync stopped writing. */
  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users > 0) return;
    this.#stop();
    this.#writes = 0;
    this.#unavailable = false;
  }

  /** Starts the checkpoint thread and hands it the checkpoints; null if it cannot (they stay automatic). */
  #start(): Worker | null {
    if (this.db.memory || this.db.name === '') return null;
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath: require.resolve('better-sqlite3'), file: this.db.name, nativeBinding: sqliteBinding() }, resourceLimits: WAL_CHECKPOINTER_THREAD_LIMITS });
      worker.unref();
      worker.on('message', (id: number) => this.#settled(id));
      worker.on('error', () => {
        this.#unavailable = true;
        this.#stop();
      });
      this.#worker = worker;
      this.#previousAutocheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.db.pragma('wal_autocheckpoint = 0');
      return worker;
    } catch {
      this.#unavailable = true;
      this.#stop();
      return null;
    }
  }

  /**
   * Runs one write transaction (`write` must commit it) once any requested checkpoint is done, and counts it. Every
   * bulk write of a sync must come through here: a writer that never pauses would let the WAL grow without bound.
   */
  async commit<T>(write: () => T, light?: (result: T) => boolean): Promise<T> {
    if (this.#pending) await this.#pending;
    const result = write();
    // A light write (`light` says so of its result: a re-sync's chunk of unchanged devices writes only the run's
    // checkpoint and seen set, a few pages) is not counted until the thread has started: until then SQLite's automatic
    // checkpoint (every 1000 pages) bounds the WAL, and copies little of such writes (the same few pages again and again).
    // Counted, they started the thread in every unchanged re-sync and waited for a checkpoint (and its fsync) every
    // `everyWrites` chunks: 127-246 ms of a 100,000-device re-sync's 5-6 s (load 6), and the thread's start.
    if (light === undefined || this.#worker !== null || !light(result)) this.#wrote(false);
    return result;
  }

  /**
   * `commit` for a write that alone fills the WAL with as much as many ordinary ones (an index built in one pass, a large
   * search-index chunk: `write` may answer a promise): a checkpoint follows it
   * at once, so the next write starts the WAL over instead of adding to it. Built eight at a time, a million devices'
   * indexes grew the WAL to 1.3 GB. One that `wroteNothing` says of its result wrote nothing (a catch-up with nothing
   * left) asks for none, nor starts the thread for one.
   */
  async commitLarge<T>(write: () => T | Promise<T>, wroteNothing?: (result: T) => boolean): Promise<T> {
    if (this.#pending) await this.#pending;
    const result = await write();
    if (wroteNothing?.(result) !== true) this.#wrote(true);
    return result;
  }

  /**
   * `commitLarge` for a large write that follows another (a bulk load's index builds, one after another): `write` starts
   * while the checkpoint that the one before asked for still copies it, and the checkpoint that follows this one starts
   * once that one is done. The WAL is not started over until the next `commitLarge`, which waits until it is copied
   * whole: it holds every write of the run (a million devices' index builds: ~400 MB, est. from 120 MB at 300,000),
   * and the writer waits for none of their checkpoints, which are mostly the fsyncs of what they copy. Measured on the
   * 14 index builds of a 300,000-device database (load 6-10): the building thread waited 47-56 ms between builds in
   * all, against 262-265 ms with every other build beside (peak WAL 21 MB), and 634-1,172 ms with each waiting (fe99d6a).
   */
  async commitLargeBeside<T>(write: () => T | Promise<T>): Promise<T> {
    const copying = this.#pending;
    const result = await write();
    if (copying) await copying;
    this.#wrote(true);
    return result;
  }

  /**
   * `commitLarge` for a run's last large write (the search index a bulk load's end moves in: ~200 MB of WAL at a million
   * devices): it waits for the checkpoint asked before it, so the WAL starts over, but asks for none after it. The few
   * writes that end the run (a search-index catch-up with nothing left, the run's record) would each wait for that
   * checkpoint; the thread's last one, as the run ends (`release`), copies it instead, off their path. A write after
   * it counts toward the next checkpoint as usual, and a large one asks for it at once.
   */
  async commitLargeLast<T>(write: () => T | Promise<T>): Promise<T> {
    if (this.#pending) await this.#pending;
    return write();
  }

  #wrote(large: boolean): void {
    if (this.#users === 0 || this.#unavailable || this.#pending) return;
    this.#writes += 1;
    if (!large && this.#writes < this.everyWrites) return;
    this.#writes = 0;
    const worker = this.#worker ?? this.#start();
    if (!worker) return;
    const id = this.#nextRequest++;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#settled(id), this.maxWaitMs);
      this.#waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#pending = done.finally(() => {
      this.#pending = null;
    });
    worker.postMessage(id);
  }

  /**
   * Settles once no checkpoint thread of this checkpointer runs any more: one told to stop takes its last checkpoint
   * and closes its connection first. Whoever closes the database or removes its folder awaits this (SyncEngine.shutdown).
   */
  async ended(): Promise<void> {
    while (this.#ending.size > 0) await Promise.all([...this.#ending]);
  }

  #settled(id: number): void {
    const resolve = this.#waiting.get(id);
    this.#waiting.delete(id);
    resolve?.();
  }

  #stop(): void {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const ending = exited.finally(() => this.#ending.delete(ending));
      this.#ending.add(ending);
      // Its last checkpoint runs on its own thread; terminate it only if it does not stop by itself.
      worker.postMessage('stop');
      const deadline = setTimeout(() => void worker.terminate(), 5_000);
      deadline.unref();
      void exited.then(() => clearTimeout(deadline));
    }
    for (const id of [...this.#waiting.keys()]) this.#settled(id);
    if (this.#previousAutocheckpoint !== null && this.db.open) this.db.pragma(`wal_autocheckpoint = ${this.#previousAutocheckpoint}`);
    this.#previousAutocheckpoint = null;
  }
}

/** CommonJS, evaluated in the worker: no bundler sees it, so it names better-sqlite3 by the path main resolved. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file, { timeout: 2000, nativeBinding: workerData.nativeBinding });
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
// After the sync's last checkpoint the -wal file would stay at its high-water mark (18-20 MB after a 100,000-device
// first sync, 59 MB at its peak at a million) until the console closes. TRUNCATE empties it, but waits for readers and
// holds writers back while it waits: with no busy wait it takes the write lock only if it is free at once, copies the
// few frames written since the PASSIVE one, and otherwise does what PASSIVE did, leaving the file as it was.
const truncate = () => { try { db.pragma('busy_timeout = 0'); db.pragma('wal_checkpoint(TRUNCATE)'); } catch {} };
parentPort.on('message', (message) => {
  if (message === 'stop') {
    checkpoint();
    truncate();
    db.close();
    parentPort.close();
    return;
  }
  checkpoint();
  parentPort.postMessage(message);
});
`;
