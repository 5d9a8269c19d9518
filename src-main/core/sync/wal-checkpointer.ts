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
 * The writers pause for it, but only for one checkpoint in `heldEvery`: bulk writes go through `commit`, which every
 * `everyWrites` transactions asks for a checkpoint. The writes go on beside it (a checkpoint PASSIVE copies what the
 * WAL held when it started), except after every `heldEvery`-th one, which the next write waits for (asynchronously:
 * the event loop stays free) until it is done. That one runs while nobody writes, copies the whole WAL, and so the next
 * write starts the WAL over from its beginning; checkpoints that only ever ran beside a busy writer would never catch
 * up, and the WAL would grow by everything written (a million-device sync filled a disk that way). Held each time, a
 * checkpoint's wait is mostly its two fsyncs (2-3 ms each on this machine's ext4, however little they sync), and the
 * writer waited for every one of them: 239-286 ms in 84-88 waits of a 100,000-device bulk load's 3-5 s at load 1-2 (its
 * checkpoints every 8 writes of 125 devices, bench:sync --storage-path-only). The first one also waits for the thread's
 * start, which a checkpoint beside the writes does not.
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
  /** Counted writes since the last checkpoint asked for. */
  #writes = 0;
  /** Counted writes since the last checkpoint the writers wait for. */
  #sinceHeld = 0;
  /** The last checkpoint asked for, until it is done (every one asked before it is done by then: the thread takes them in order). */
  #pending: Promise<void> | null = null;
  /** Whether writes wait for `#pending` before they start: it is one that starts the WAL over. */
  #held = false;
  #nextRequest = 1;
  readonly #waiting = new Map<number, () => void>();
  /** Threads told to stop that have not ended yet: each still holds a connection and may write the -wal/-shm files. */
  readonly #ending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly everyWrites = 8,
    /** One checkpoint `commit` asks for in this many is waited for; writes go on beside the others. 1: every one. */
    private readonly heldEvery = HELD_EVERY,
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
    this.#sinceHeld = 0;
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
    if (this.#pending && this.#held) await this.#pending;
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
    if (this.#users === 0 || this.#unavailable) return;
    this.#writes += 1;
    this.#sinceHeld += 1;
    // A large write's checkpoint is always held (commitLarge: the next large write starts the WAL over).
    const held = large || this.#sinceHeld >= this.everyWrites * this.heldEvery;
    // One beside the writes is not asked for while one still runs: the writes that go on are counted toward the next.
    if (!held && (this.#writes < this.everyWrites || this.#pending)) return;
    // Counted from here whether or not a thread takes it: a database with none (in memory) is probed once a checkpoint.
    this.#writes = 0;
    if (held) this.#sinceHeld = 0;
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
    // Asked while one beside the writes still runs, a held one waits behind it in the thread's queue.
    const pending: Promise<void> = done.finally(() => {
      if (this.#pending === pending) this.#pending = null;
    });
    this.#pending = pending;
    this.#held = held;
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
      // Kept referenced until it has exited: unreferenced (as it runs, so that it never holds a process open), a process
      // with nothing else to do ended while `ended()` was awaited, before the thread's last checkpoint and before what
      // followed the await (bench:search's seeding exited with code 0 and no output, issue 19).
      worker.ref();
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

/**
 * One checkpoint `commit` asks for in this many is held (WalCheckpointer): the others run beside the writes, so the WAL
 * holds up to this many times `everyWrites` writes before it starts over. bench:sync --storage-path-only at 100,000
 * devices (writes of 125 devices), three interleaved pairs at load 5-8.5: the writer waited for checkpoints 150-400 ms
 * in 11-12 waits against 687-951 ms in 76-77 with each held, process CPU 8.28-8.78 s against 8.57-9.33; the WAL's peak
 * 43-44 MB against 40 (the index builds', which the load's last 64 writes now precede).
 */
const HELD_EVERY = 8;

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
