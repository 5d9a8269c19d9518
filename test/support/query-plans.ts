import type { Db } from '../../src-main/core/db/database';

/** Every SQL text `db` prepares while `fn` runs (the statements a repository really uses, whatever it builds). */
export function sqlPreparedDuring(db: Db, fn: () => void): string[] {
  const seen: string[] = [];
  const original = db.prepare.bind(db);
  (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
    seen.push(sql);
    return original(sql);
  }) as typeof db.prepare;
  try {
    fn();
  } finally {
    (db as { prepare: typeof db.prepare }).prepare = original;
  }
  return seen;
}

/** SQLite's plan for `sql`, its steps joined with ` | `; the parameter values do not change the plan's shape. */
export function queryPlan(db: Db, sql: string, params: unknown[] | Record<string, unknown>): string {
  const rows = (Array.isArray(params) ? db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) : db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params)) as { detail: string }[];
  return rows.map((r) => r.detail).join(' | ');
}
