import type Database from 'better-sqlite3';

/**
 * How the console compares the names a user is known by (a test group's names, Duo's usernames, aliases and emails,
 * the user a device is registered to in Ivanti): without regard to case, in every script (Duo's usernames are not
 * case-sensitive). One key for every side, so the verifier, the Trust column and exports (JavaScript) and the
 * explorer's Trust filter (SQL, through the `name_key` function every connection registers) give one verdict for
 * 'ÉLODIE' and 'élodie', and for ' élodie ' as Ivanti may store it (surrounding whitespace is no part of a name: the
 * verifier trims what it is asked, and Duo's users are looked up trimmed). SQLite's NOCASE folds ASCII letters only, so
 * it is no such key.
 */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** Registers nameKey as the SQL function `name_key` on a connection: every connection that may run nameKeyIn's SQL. */
export function registerNameKey(db: Database.Database): void {
  db.function('name_key', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? nameKey(value) : value));
}

/** The ASCII whitespace String.prototype.trim removes, as SQL text for trim()'s second argument. */
const ASCII_SPACE = "' ' || char(9, 10, 11, 12, 13)";

/**
 * `nameKey(column) IN (keys)` as SQL; `keys` must be nameKey's output. A name of ASCII characters only (the common
 * case, told in C by its length in characters equalling its length in bytes) with no whitespace around it has
 * nameKey's key under NOCASE, so only the other names pay the call into JavaScript (about 1 µs a row).
 */
export function nameKeyIn(column: string, keys: readonly string[]): { sql: string; params: string[] } {
  if (keys.length === 0) return { sql: '0', params: [] };
  const marks = keys.map(() => '?').join(', ');
  return {
    sql: `(CASE WHEN length(${column}) = octet_length(${column}) AND ${column} = trim(${column}, ${ASCII_SPACE}) THEN ${column} COLLATE NOCASE IN (${marks}) ELSE name_key(${column}) IN (${marks}) END)`,
    params: [...keys, ...keys],
  };
}
