import type { Migration } from '../migration';

/**
 * The search index's own tables lose their planner statistics (issue 19). FTS5 deletes the pages of every segment a
 * merge removes by rowid range, and statistics taken while the index was small (`devices_fts_data`: 2 rows, after a
 * migration made the index again or after a small first sync) made SQLite scan the whole table for each such delete:
 * the merge that ends a million-device backlog ran for more than 14 minutes instead of 4.9 s. Since this version the
 * refresh of the statistics leaves these tables out (planner-statistics.ts); this drops what an earlier version
 * stored. Self-contained: the table names as FTS5 names the shadow tables of `devices_fts`.
 */
export const searchIndexWithoutPlannerStatistics: Migration = {
  version: 38,
  name: 'search index without planner statistics',
  up(db) {
    const statTables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4')").pluck().all() as string[];
    // The connection plans with what it loaded at open until it loads its schema anew: openDatabase does after migrating.
    for (const table of statTables) {
      db.prepare(`DELETE FROM ${table} WHERE tbl IN ('devices_fts_data', 'devices_fts_idx', 'devices_fts_docsize', 'devices_fts_config')`).run();
    }
  },
};
