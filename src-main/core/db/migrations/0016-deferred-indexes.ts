import type { Migration } from '../migration';

/**
 * Indexes dropped for a bulk load, to be built again (issue 19; core/db/deferred-indexes.ts). A first sync of a large
 * tenant stores its rows without maintaining the explorer's secondary indexes one row at a time, then builds each in
 * one pass. The definition of every index it drops is written here in the same transaction as the DROP, and an index
 * is forgotten here in the same transaction as its CREATE, so a crash at any instant leaves each index either present
 * or listed, never lost.
 */
export const deferredIndexes: Migration = {
  version: 16,
  name: 'indexes deferred during a bulk load',
  up(db) {
    db.exec(`
      CREATE TABLE deferred_indexes (
        name       TEXT PRIMARY KEY,
        table_name TEXT NOT NULL,
        -- the index's CREATE INDEX statement as sqlite_master held it when it was dropped
        sql        TEXT NOT NULL
      ) STRICT;
    `);
  },
};
