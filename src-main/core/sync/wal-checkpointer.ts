import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database';

/**
 * Moves SQLite's WAL checkpoints off the main thread while syncs write.
 *
 * With the default `wal_autocheckpoint`, the commit that pushes the WAL past 1000 pages copies it into the database
 * file and fsyncs, inside that commit, on the thread that committed: measured here at 30-50 ms every dozen page
 * writes, the longest stalls of the Electron main process during a sync. While a sync runs, the main connection's
 * automatic checkpoints are turned off and a worker thread with its own connection runs PASSIVE checkpoints (which
 * never block the writer) a few times a second. When the last sync ends, the previous setting comes back.
 *
 * If the worker cannot start (a packaging quirk, a missing module), checkpoints simply stay automatic: slower to
 * commit, never unsafe.
 */
export class WalCheckpointer {
  #users = 0;
  #worker: Worker | null = null;
  #previousAutocheckpoint: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly everyMs = 250,
  ) {}

  /** A sync starts writing. */
  acquire(): void {
    this.#users += 1;
    if (this.#users > 1 || this.db.memory || this.db.name === '') return;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { modulePath: require.resolve('better-sqlite3'), file: this.db.name, everyMs: this.everyMs },
      });
      worker.unref();
      worker.on('error', () => this.#restore());
      this.#worker = worker;
      this.#previousAutocheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.db.pragma('wal_autocheckpoint = 0');
    } catch {
      this.#restore();
    }
  }

  /** A sync stopped writing. */
  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users === 0) this.#restore();
  }

  #restore(): void {
    const worker = this.#worker;
    this.#worker = null;
    // The worker's last checkpoint runs on its own thread; terminate only if it does not stop by itself.
    if (worker) {
      worker.postMessage('stop');
      setTimeout(() => void worker.terminate(), 5_000).unref();
    }
    if (this.#previousAutocheckpoint !== null && this.db.open) this.db.pragma(`wal_autocheckpoint = ${this.#previousAutocheckpoint}`);
    this.#previousAutocheckpoint = null;
  }
}

/** CommonJS, evaluated in the worker: no bundler sees it, so it names better-sqlite3 by the path main resolved. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file, { timeout: 2000 });
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;
