import type Database from 'better-sqlite3';

/** better-sqlite3's connection, named as migration.ts names it: database.ts imports this file. */
type Db = Database.Database;

/**
 * Gives SQLite's query planner statistics about the device tables (sqlite_stat1/stat4) once they have changed a lot,
 * as a sync does. Without them the planner assumes an equality on any indexed column matches about ten rows, so for
 * `integration_id = ? AND client_device_identifier IN (…)` it walked a whole integration's devices (1.8 s at a million)
 * instead of three identifier lookups (0.2 ms). `analysis_limit` samples each index instead of reading it all: about a
 * second at a million devices, and `optimize` skips tables that have not changed enough since the last time.
 */
export function refreshPlannerStatistics(db: Db): void {
  db.pragma('analysis_limit = 1000');
  // 0x10002: analyze every table that needs it, not only those this connection happened to query.
  db.pragma('optimize = 0x10002');
}
