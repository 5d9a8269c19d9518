import type Database from 'better-sqlite3';

/** better-sqlite3's connection, named as migration.ts names it: database.ts imports this file. */
type Db = Database.Database;

/** How far a build of the deferred indexes is: `built` of `total` indexes (told before each, and once all are built). */
export interface IndexBuildProgress {
  built: number;
  total: number;
}

/** The sentence start-up shows (CLI stderr, the app's log) while it builds the indexes a stopped sync left. */
export function indexBuildLine(progress: IndexBuildProgress): string {
  return `Building the device indexes a stopped sync left: ${progress.built} of ${progress.total} built.`;
}

/**
 * Secondary indexes set aside while a large backlog of rows is loaded, and built again afterwards (issue 19). SQLite
 * updates every index of a table at each insert; with a dozen indexes over random columns a big load touches a dozen
 * random pages per row, and once the indexes outgrow the page cache each commit rewrites thousands of them. Built after
 * the load, each index is one sorted pass over the table.
 *
 * Owner of `deferred_indexes` (migration 0016). An index's definition is recorded in the same transaction that drops it
 * and forgotten in the same transaction that creates it again, so after a crash at any instant every index either
 * exists or is listed here, and `buildNext` finishes the work. `defer` never drops a unique index: it enforces the
 * table's key, and the load's upserts look rows up through it. Only an owner that keeps the key itself meanwhile sets
 * one aside (`setAside`: DeviceStore, which builds it again with `buildNow` whenever it cannot vouch for it). An owner
 * that writes what a trigger would correct sets that trigger aside the same way, listed and created again as an index
 * is (DeviceStore: the devices' key-correcting insert triggers).
 */
export class DeferredIndexes {
  readonly #schemaHas: Database.Statement;
  /** An index or trigger of that name, with its kind and definition. */
  readonly #setAsideKind: Database.Statement;

  constructor(private readonly db: Db) {
    this.#schemaHas = db.prepare('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?');
    this.#setAsideKind = db.prepare("SELECT type, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND name = ?");
  }

  /**
   * Drops the non-unique indexes of `table` that `keep` does not name, recording each definition; inside the caller's
   * transaction. Returns how many were dropped.
   */
  defer(table: string, keep: ReadonlySet<string>): number {
    const indexes = this.db
      .prepare(
        `SELECT m.name, m.sql FROM sqlite_master m
          WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.tbl_name) l WHERE l.name = m.name AND l."unique" = 1)`,
      )
      .all(table) as { name: string; sql: string }[];
    const record = this.db.prepare('INSERT INTO deferred_indexes (name, table_name, sql) VALUES (?, ?, ?)');
    let dropped = 0;
    for (const index of indexes) {
      if (keep.has(index.name)) continue;
      record.run(index.name, table, index.sql);
      this.db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
      dropped++;
    }
    return dropped;
  }

  /**
   * Drops the named index (unique or not) or trigger, recording its definition; inside the caller's transaction. Built
   * before the deferred ones recorded after it (`buildNext` goes in the order they were recorded).
   */
  setAside(name: string): void {
    const object = this.#setAsideKind.get(name) as { type: 'index' | 'trigger'; tbl_name: string; sql: string };
    this.db.prepare('INSERT INTO deferred_indexes (name, table_name, sql) VALUES (?, ?, ?)').run(name, object.tbl_name, object.sql);
    this.db.exec(`DROP ${object.type === 'index' ? 'INDEX' : 'TRIGGER'} "${name.replaceAll('"', '""')}"`);
  }

  /** Builds the named index now if it is deferred, inside the caller's transaction; whether it built it. */
  buildNow(name: string): boolean {
    const sql = this.db.prepare('SELECT sql FROM deferred_indexes WHERE name = ?').pluck().get(name) as string | undefined;
    if (sql === undefined) return false;
    if (!this.exists(name)) this.db.exec(sql);
    this.db.prepare('DELETE FROM deferred_indexes WHERE name = ?').run(name);
    return true;
  }

  /** The indexes still to build, in the order they were dropped. */
  pending(): string[] {
    if (!this.#tableExists()) return [];
    return this.db.prepare('SELECT name FROM deferred_indexes ORDER BY rowid').pluck().all() as string[];
  }

  /**
   * Whether the next `buildNext` creates a trigger set aside, not an index: a write of one schema row, where an index
   * build writes the whole index (WalCheckpointer: no checkpoint of its own).
   */
  nextIsTrigger(): boolean {
    if (!this.#tableExists()) return false;
    const sql = this.db.prepare('SELECT sql FROM deferred_indexes ORDER BY rowid LIMIT 1').pluck().get() as string | undefined;
    // As sqlite_master keeps it: its first words normalised to upper case (setAside copies it from there).
    return sql?.startsWith('CREATE TRIGGER ') === true;
  }

  /** Builds one deferred index in its own transaction; returns its name, or null when none is left. */
  buildNext(): string | null {
    if (!this.#tableExists()) return null;
    return this.db
      .transaction(() => {
        const next = this.db.prepare('SELECT name, sql FROM deferred_indexes ORDER BY rowid LIMIT 1').get() as { name: string; sql: string } | undefined;
        if (next === undefined) return null;
        // Present already (created by something else since): only the record goes.
        if (!this.exists(next.name)) this.db.exec(next.sql);
        this.db.prepare('DELETE FROM deferred_indexes WHERE name = ?').run(next.name);
        return next.name;
      })
      .immediate();
  }

  /**
   * Builds every deferred index, one transaction each. `onProgress` is told before each build and once all are built;
   * never when none was deferred.
   */
  buildAll(onProgress?: (progress: IndexBuildProgress) => void): number {
    const total = onProgress === undefined ? 0 : this.pending().length;
    const tell = (built: number) => {
      if (total > 0) onProgress?.({ built, total });
    };
    let built = 0;
    tell(built);
    while (this.buildNext() !== null) tell(++built);
    return built;
  }

  /**
   * Whether the index (or a trigger set aside) exists now: a query that names an index with INDEXED BY must not run
   * while it is deferred.
   */
  exists(name: string): boolean {
    return this.#setAsideKind.get(name) !== undefined;
  }

  /** A database older than migration 0016 (openDatabase finishes deferred builds before it migrates). */
  #tableExists(): boolean {
    return this.#schemaHas.get('table', 'deferred_indexes') !== undefined;
  }
}

/**
 * SQLite's sorter helper threads during an index build (`PRAGMA threads`): each sorts and writes a full in-memory run
 * while the building thread reads the table into the next.
 * Measured on a bulk load's 13 index builds (the unique key, the 11 sort indexes, devices_facets) in copies of a
 * 300,000-device database, a process each, interleaved (x2, load 9-11, so CPU not wall): the building thread's CPU
 * 2.70-2.81 s with one, 2.11-2.22 s with two (3: 1.97-2.08 s); the process's 4.43-4.44 s against 4.50-4.51 s; RSS
 * the same (64 MB). Earlier, none against one: 5.11-5.27 s against 4.73-4.77 s of the building thread. The building
 * thread's time is the build's when a core is free for the helpers: at the end of a bulk load nothing else of the sync
 * runs but the search index's thread (SearchIndexBuild), and once that follows the load the second core is the
 * helpers'. Two: a third buys ~0.1 s at 300,000 and holds one more run in memory.
 */
const SORTER_HELPER_THREADS = 2;

/**
 * The page cache (KiB) of a connection while it builds indexes. SQLite sizes each of a sorter's in-memory runs by the
 * connection's cache (vdbesort.c: mxPmaSize), and this build's default is 16,000 KiB (better-sqlite3's
 * SQLITE_DEFAULT_CACHE_SIZE): the building thread malloc'd runs of up to 16 MB, two or three alive at a time with the
 * helper thread, and malloc kept what they had grown. After a first sync of 300,000 devices the sync worker thread's
 * malloc arena held 63 MB, 21 MB of it in use; with 2,000 KiB, 39 MB (gdb malloc_stats, issue 19). Smaller runs are
 * not slower: the 14 indexes of `devices` rebuilt in a copy of a 300,000-device database, a process each, interleaved
 * (load 4-7): CPU 5.6-6.0 s with 16,000 KiB against 4.8-5.3 with 2,000, 5.4-5.7 with 4,000, 5.1-5.3 with 1,000 and
 * 5.0-5.2 with 500 (as many runs a build as 2,000 makes at ~1.2M devices); peak RSS 111-125 MB against 92-100.
 */
const SORT_CACHE_KIB = 2000;

/**
 * Runs `build` (index builds, outside any transaction) with SQLite's sorter spilling to temporary files rather than to
 * memory, and with SORTER_HELPER_THREADS. Connections keep temporary storage in memory (database.ts: a trigger's
 * statement journal spilled to a file for every row), and so an index built in one pass sorted all its entries in RAM:
 * measured on a 1,000,000-row table, one index of four columns grew the process by 92 MB, kept afterwards (malloc does
 * not give it back), and took 2.7-2.9 s; sorted on disk, 1 MB and 1.7-1.9 s. SQLite deletes a connection's TEMP tables
 * and triggers when the storage setting changes, so a connection that has any (a test's counters), or is inside a
 * transaction, keeps it as it is. The page cache is bounded to SORT_CACHE_KIB meanwhile. All three settings are the
 * connection's own and given back afterwards.
 */
export function withSortsOnDisk<T>(db: Db, build: () => T): T {
  const threads = db.pragma('threads', { simple: true }) as number;
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`threads = ${SORTER_HELPER_THREADS}`);
  db.pragma(`cache_size = -${SORT_CACHE_KIB}`);
  try {
    if (db.inTransaction || db.prepare('SELECT COUNT(*) FROM sqlite_temp_master').pluck().get() !== 0) return build();
    const before = db.pragma('temp_store', { simple: true }) as number;
    db.pragma('temp_store = FILE');
    try {
      return build();
    } finally {
      db.pragma(`temp_store = ${before}`);
    }
  } finally {
    db.pragma(`threads = ${threads}`);
    db.pragma(`cache_size = ${cache}`);
  }
}
