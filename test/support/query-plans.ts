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

/**
 * Every SQL text `db` runs while `run` runs, for statements prepared while `prepare` or `run` runs (a store that prepares
 * its statements once, in its constructor, runs them later).
 */
export function sqlRunDuring<T>(db: Db, prepare: () => T, run: (prepared: T) => void): string[] {
  return [...sqlRunCountsDuring(db, prepare, run).keys()];
}

/** As sqlRunDuring, with how many times each SQL text ran. */
export function sqlRunCountsDuring<T>(db: Db, prepare: () => T, run: (prepared: T) => void): Map<string, number> {
  const ran = new Map<string, number>();
  for (const { sql } of statementsRunDuring(db, prepare, run)) ran.set(sql, (ran.get(sql) ?? 0) + 1);
  return ran;
}

/** As sqlRunDuring, each statement run with its parameters, in the order they ran. */
export function statementsRunDuring<T>(db: Db, prepare: () => T, run: (prepared: T) => void): { sql: string; params: unknown[] }[] {
  const ran: { sql: string; params: unknown[] }[] = [];
  let running = false;
  const original = db.prepare.bind(db);
  (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
    const statement = original(sql);
    for (const method of ['all', 'get', 'iterate', 'run'] as const) {
      const call = (statement[method] as (...args: unknown[]) => unknown).bind(statement);
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (running) ran.push({ sql, params: args });
        return call(...args);
      };
    }
    return statement;
  }) as typeof db.prepare;
  try {
    const prepared = prepare();
    running = true;
    run(prepared);
  } finally {
    (db as { prepare: typeof db.prepare }).prepare = original;
  }
  return ran;
}
