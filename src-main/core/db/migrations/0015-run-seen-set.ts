import type { Migration } from '../migration';

/**
 * A sync run's seen set (issue 19): which devices each pass over each space saw, as bitmaps keyed by the device's rowid,
 * one row per block of 8,192 rowids (core/sync/run-seen-set.ts). Presence no longer rewrites a sighting row for every
 * device a re-sync finds unchanged; the blocks a chunk changed commit with the chunk and the run's checkpoint, and the
 * run's rows go when it ends.
 *
 * A run left unfinished by the previous version recorded what it saw in the sightings, not here: resumed, it would take
 * every device of its earlier pages for unseen and mark them removed. Such runs end `failed`, saying why, and the next
 * sync reads the tenant again from the start.
 */
export const runSeenSet: Migration = {
  version: 15,
  name: "a sync run's seen set",
  up(db) {
    db.exec(`
      CREATE TABLE sync_seen (
        run_id   INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
        space_id INTEGER NOT NULL,
        pass     INTEGER NOT NULL,
        block    INTEGER NOT NULL,
        bits     BLOB NOT NULL,
        PRIMARY KEY (run_id, space_id, pass, block)
      ) STRICT, WITHOUT ROWID;
    `);
    db.prepare(
      `UPDATE sync_runs SET status = 'failed', complete = 0, owner = NULL, finished_at = COALESCE(heartbeat_at, started_at),
         errors = json_insert(CASE WHEN json_valid(errors) AND json_type(errors) = 'array' THEN errors ELSE '[]' END, '$[#]',
           json_object('code', 'SYNC_FAILED', 'message', ?))
       WHERE status IN ('running', 'cancelled', 'interrupted')`,
    ).run('The console was updated while this sync was unfinished; the next sync reads the tenant again from the start.');
  },
};
