import Database from 'better-sqlite3';

/**
 * Pages committed by the newest sync run still marked running, read through a separate read-only connection while a
 * `tec sync` process writes (WAL lets it): null before the database or a run exists.
 */
export function runningRunPages(file: string): number | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT pages FROM sync_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1").pluck().get() as number | undefined) ?? null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
