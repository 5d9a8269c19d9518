import type Database from 'better-sqlite3';

/** better-sqlite3's connection, named as migration.ts names it: database.ts imports this file. */
type Db = Database.Database;

/**
 * Gives SQLite's query planner statistics about the device tables (sqlite_stat1/stat4) once they have changed a lot,
 * as a sync does. Without them the planner assumes an equality on any indexed column matches about ten rows, so for
 * `integration_id = ? AND client_device_identifier IN (…)` it walked a whole integration's devices (1.8 s at a million)
 * instead of three identifier lookups (0.2 ms). `analysis_limit` samples each index instead of reading it all: about a
 * second at a million devices, and `optimize` skips tables that have not changed enough since the last time.
 * The search index's own tables keep none (forgetShadowTableStatistics).
 */
export function refreshPlannerStatistics(db: Db): void {
  db.pragma('analysis_limit = 1000');
  // 0x10002: analyze every table that needs it, not only those this connection happened to query.
  db.pragma('optimize = 0x10002');
  forgetShadowTableStatistics(db);
}

/**
 * Drops the planner statistics of virtual tables' shadow tables (FTS5's devices_fts_data, _idx, _docsize, _config).
 * FTS5 reads and deletes their rows with its own statements, by rowid range (`DELETE FROM devices_fts_data WHERE
 * id>=? AND id<=?` for every segment a merge removes), and SQLite seeks such a range unless statistics say the table
 * is tiny. Statistics taken while the index was empty or small (right after a migration made it again, or after a
 * small first sync: `devices_fts_data` "2" rows) stayed until the next refresh, so each of those deletes scanned the
 * whole table: the merge that ends a million-device backlog (505 segments) ran for more than 14 minutes instead of
 * 4.9 s (issue 19; 50,000 devices indexed and merged, CPU, one run each on copies of one file). Without statistics the
 * planner seeks. Returns how many it dropped; the connection then plans with what is left.
 */
export function forgetShadowTableStatistics(db: Db): number {
  const shadows = db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'").pluck().all() as string[];
  if (shadows.length === 0) return 0;
  const statTables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4')").pluck().all() as string[];
  const names = shadows.map(() => '?').join(', ');
  let dropped = 0;
  for (const table of statTables) dropped += db.prepare(`DELETE FROM ${table} WHERE tbl IN (${names})`).run(...shadows).changes;
  if (dropped > 0) {
    // A connection keeps the row counts it loaded until it loads its schema anew (ANALYZE sqlite_schema reloads the
    // statistics but leaves a table that has none at the count it had). A schema change makes every other connection
    // load it anew at its next statement; this one reloads it now (writable_schema = RESET, allowed in defensive mode).
    db.exec('CREATE TABLE main.planner_statistics_reload (x); DROP TABLE main.planner_statistics_reload');
    db.pragma('writable_schema = RESET');
  }
  return dropped;
}
