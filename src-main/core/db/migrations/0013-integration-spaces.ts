import type { Migration } from '../migration';

interface RunRow {
  status: string;
  finished_at: number;
  complete: number;
  checkpoint: string | null;
  errors: string;
}

interface CheckpointSpace {
  id: number;
  name: string;
  state: string;
}

/**
 * Each integration's state per device space (issue 14 point 4): `current`, or `stale` with the reason its API user
 * could not read it and, in `last_read_at`, when a completed run last read it to its end (what "stale since" shows;
 * NULL if none ever did). `checked_at` is the finish of the run that set the state. Until now this was derived on every
 * verify by walking the checkpoints of every run of the integration, newest first, which cost a walk per query and lost
 * the "since" once old runs were gone.
 *
 * The backfill derives it exactly as that walk did: the spaces the latest finished run (completed, or failed) marked
 * `failed` in its checkpoint are stale, every other space it or an earlier completed run knew is current; a space was
 * read to its end by the newest completed run that was complete or had it `verified`. The checkpoint's shape is read
 * here literally (a migration imports nothing): { spaces: [{ id, name, state }] }, errors [{ space, message }].
 * Deleted integrations get no rows: they vouch for nothing.
 */
export const integrationSpaces: Migration = {
  version: 13,
  name: 'stored state of each integration per device space',
  up(db) {
    db.exec(`
      CREATE TABLE integration_spaces (
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        space_id       INTEGER NOT NULL,
        space_name     TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('current', 'stale')),
        reason         TEXT,
        last_read_at   INTEGER,
        checked_at     INTEGER NOT NULL,
        PRIMARY KEY (integration_id, space_id)
      ) STRICT, WITHOUT ROWID;
    `);
    const insert = db.prepare(
      'INSERT INTO integration_spaces (integration_id, space_id, space_name, state, reason, last_read_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const runsOf = db.prepare(
      `SELECT status, finished_at, complete, checkpoint, errors FROM sync_runs
        WHERE integration_id = ? AND status IN ('completed', 'failed') AND finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC`,
    );
    const ids = db.prepare('SELECT id FROM integrations WHERE deleted_at IS NULL ORDER BY id').pluck().all() as string[];
    for (const integrationId of ids) {
      const runs = runsOf.all(integrationId) as RunRow[];
      const latest = runs[0];
      if (latest === undefined) continue;
      const names = new Map<number, string>();
      const readAt = new Map<number, number>();
      let completeAt: number | null = null;
      for (const run of runs) {
        if (run !== latest && run.status !== 'completed') continue;
        const spaces = spacesOf(run.checkpoint);
        for (const space of spaces) if (!names.has(space.id)) names.set(space.id, space.name);
        if (run.status !== 'completed') continue;
        if (run.complete === 1) completeAt = Math.max(completeAt ?? run.finished_at, run.finished_at);
        for (const space of spaces) {
          if (space.state === 'verified') readAt.set(space.id, Math.max(readAt.get(space.id) ?? run.finished_at, run.finished_at));
        }
      }
      const failed = new Set(spacesOf(latest.checkpoint).filter((s) => s.state === 'failed').map((s) => s.id));
      const errors = errorsOf(latest.errors);
      for (const [spaceId, spaceName] of names) {
        const read = [readAt.get(spaceId), completeAt].filter((at): at is number => typeof at === 'number');
        const stale = failed.has(spaceId);
        const message = errors.find((e) => e.space === spaceName)?.message;
        const reason = stale ? (typeof message === 'string' ? message : 'The API user could not read it.') : null;
        insert.run(integrationId, spaceId, spaceName, stale ? 'stale' : 'current', reason, read.length === 0 ? null : Math.max(...read), latest.finished_at);
      }
    }
  },
};

function spacesOf(checkpoint: string | null): CheckpointSpace[] {
  if (checkpoint === null) return [];
  try {
    const spaces = (JSON.parse(checkpoint) as { spaces?: unknown }).spaces;
    if (!Array.isArray(spaces)) return [];
    return spaces.filter(
      (s): s is CheckpointSpace =>
        typeof s === 'object' && s !== null && Number.isInteger((s as CheckpointSpace).id) && typeof (s as CheckpointSpace).name === 'string' && typeof (s as CheckpointSpace).state === 'string',
    );
  } catch {
    return [];
  }
}

function errorsOf(text: string): { space?: unknown; message?: unknown }[] {
  try {
    const errors = JSON.parse(text) as unknown;
    return Array.isArray(errors) ? (errors as { space?: unknown; message?: unknown }[]).filter((e) => typeof e === 'object' && e !== null) : [];
  } catch {
    return [];
  }
}
