import { afterEach } from 'vitest';

interface Closable {
  readonly open: boolean;
  close(): void;
}

/**
 * Closes every connection handed to it after each test, also when an assertion failed before the test's end: a
 * connection left open holds its file and its handle for the rest of the run. A test may still close one itself
 * (to reopen the file, or to check what a restart sees); one already closed is skipped.
 */
export function useCloseAfterEach(): <T extends Closable>(db: T) => T {
  const opened: Closable[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
  });
  return (db) => {
    opened.push(db);
    return db;
  };
}
