import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

/** How many different selections' counts are kept; the explorer needs a handful at a time. */
const CAPACITY = 200;

/**
 * Counts of device selections, kept while the database is unchanged: `data_version` moves when another connection
 * commits, `total_changes()` when this one writes. Counting a million devices takes tens of milliseconds, and the
 * explorer asks the same count for every page it fetches while scrolling.
 */
export class SelectionCounts {
  readonly #dataVersion: Statement;
  readonly #changes: Statement;
  #stamp = '';
  readonly #counts = new Map<string, number>();

  constructor(db: Db) {
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.#changes = db.prepare('SELECT total_changes()').pluck();
  }

  get(key: string, count: () => number): number {
    let value = this.peek(key);
    if (value === undefined) {
      value = count();
      this.remember(key, value);
    }
    return value;
  }

  /** The count if it is known for the database as it is now, without counting. */
  peek(key: string): number | undefined {
    const stamp = `${this.#dataVersion.get()}:${this.#changes.get()}`;
    if (stamp !== this.#stamp) {
      this.#counts.clear();
      this.#stamp = stamp;
    }
    return this.#counts.get(key);
  }

  /** Keeps an exact count learnt some other way (a bounded count that ran out of matches). Call right after `peek`. */
  remember(key: string, value: number): void {
    if (this.#counts.size >= CAPACITY) this.#counts.clear();
    this.#counts.set(key, value);
  }
}
