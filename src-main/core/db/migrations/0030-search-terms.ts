import type { Migration } from '../migration';

/**
 * The search index's terms, readable (issue 19): `devices_fts_terms` is an fts5vocab table over `devices_fts` (one row
 * a term, read from the index itself; it stores nothing). Since migration 0025 the index keeps no token positions, and
 * FTS5 answers a prefix such as `acme*` by merging the row ids of every term that starts with it into one list before
 * the first row, ~4× slower per match than with positions: 60 ms for the first page of `acmecorp*` at a million
 * devices. Asked as its few terms (`"acmecorp"`, or `"acme" OR "acmecorp"`), the same rows come lazily, in 0.1 ms; the
 * search reads the terms here (DeviceSearchIndex.termsOfPrefix). Creating it reads nothing.
 */
export const searchTerms: Migration = {
  version: 30,
  name: 'search index terms readable',
  up(db) {
    db.exec('CREATE VIRTUAL TABLE devices_fts_terms USING fts5vocab(devices_fts, row)');
  },
};
