import type { Db } from '../../src-main/core/db/database';

/** How SQLite plans the delete FTS5 runs for each segment a merge removes (its statement, asked of its table). */
export function segmentDeletePlan(db: Db): string {
  return (db.prepare('EXPLAIN QUERY PLAN SELECT id FROM devices_fts_data WHERE id >= ? AND id <= ?').all(0, 1) as { detail: string }[]).map((r) => r.detail).join('; ');
}

/** sqlite_stat1's table-level rows: each table's row count and its indexes', by table (the last index read wins). */
export function statisticsOf(db: Db): Map<string, string> {
  return new Map((db.prepare('SELECT tbl, stat FROM sqlite_stat1').all() as { tbl: string; stat: string }[]).map((r) => [r.tbl, r.stat]));
}

