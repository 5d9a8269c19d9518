import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

/**
 * Answers computed from the devices (counts of selections, facets), kept while the database is unchanged:
 * `data_version` moves when another connection commits, `total_changes()` when this one writes. Counting a million
 * devices takes tens of milliseconds and their facets hundreds, and the explorer asks the same count for every page
 * it fetches while scrolling, the same facets each time it or the overview opens.
 */
export class UnchangedDataCache<T> {
  readonly #dataVersion: Statement;
  readonly #changes: Statement;
  #stamp = '';
  readonly #counts = new Map<string, T>();

  /** `capacity`: how many different answers are kept; the explorer needs a handful at a time. */
  constructor(
    db: Db,
    private readonly capacity: number,
  ) {
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.#changes = db.prepare('SELECT total_changes()').pluck();
  }

  get(key: string, count: () => T): T {
    let value = this.peek(key);
    if (value === undefined) {
      value = count();
      this.remember(key, value);
    }
    return value;
  }

  /** The answer if it is known for the database as it is now, without computing it. */
  peek(key: string): T | undefined {
    const stamp = `${this.#dataVersion.get() as number}:${this.#changes.get() as number}`;
    if (stamp !== this.#stamp) {
      this.#counts.clear();
      this.#stamp = stamp;
    }
    return this.#counts.get(key);
  }

  /** Keeps an answer learnt some other way (a bounded count that ran out of matches). Call right after `peek`. */
  remember(key: string, value: T): void {
    if (this.#counts.size >= this.capacity) this.#counts.clear();
    this.#counts.set(key, value);
  }
}
