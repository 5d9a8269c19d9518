import type { Migration } from '../migration';

/**
 * The search index's terms, one seek each (issue 19): `devices_fts_instances` is an fts5vocab table of the `instance`
 * kind over `devices_fts` (one row a term and device, read from the index itself; it stores nothing). Migration 0030's
 * `devices_fts_terms` counts every device of a term before it yields the term, so listing the terms of `acm` counted
 * the ~666,000 devices of `acmecorp` (about 10 ms at a million devices, a third of a common-term search with nothing
 * cached). This table yields a term with its first device: asked for the first term from a given one on, `LIMIT 1`,
 * it seeks the index once, whatever the term's devices (DeviceSearchIndex.termsOfPrefix). Creating it reads nothing.
 */
export const searchTermSeeks: Migration = {
  version: 31,
  name: 'search index terms by seek',
  up(db) {
    db.exec('CREATE VIRTUAL TABLE devices_fts_instances USING fts5vocab(devices_fts, instance)');
  },
};
