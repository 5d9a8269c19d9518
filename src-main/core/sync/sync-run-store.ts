import type { Statement } from 'better-sqlite3';
import type { SyncRun, SyncRunError, SyncRunStatus, SyncTrigger } from '../../../src-shared/domain/sync';
import type { Db } from '../db/database';
import { integrationIdOfKeySql } from '../integrations/integration-store';
import { IntegrationSpaceStore, spaceLastReadAtSql, type StaleSpace } from './integration-space-store';
import { parseCheckpoint, type SyncCheckpoint } from './sync-checkpoint';

export type { StaleSpace } from './integration-space-store';

/**
 * SQL for the completed run that last read the integration's space to its end (the fetching run, for a copy shared
 * with the integration), or NULL, given the SQL that names the integration by its key and the space in the caller's
 * query: the run that finished when the space's "read at" was recorded (IntegrationSpaceStore.record).
 */
export function spaceLastReadRunSql(integrationKey: string, spaceId: string): string {
  return `(SELECT MAX(COALESCE(r.shared_from, r.id)) FROM sync_runs r
            WHERE r.integration_id = ${integrationIdOfKeySql(integrationKey)} AND r.status = 'completed' AND r.finished_at = ${spaceLastReadAtSql(integrationKey, spaceId)})`;
}

export interface SyncRunRow {
  id: number;
  integration_id: string;
  trigger: SyncTrigger;
  status: SyncRunStatus;
  started_at: number;
  finished_at: number | null;
  complete: number;
  spaces_total: number;
  pages: number;
  devices_seen: number;
  added: number;
  changed: number;
  removed: number;
  restored: number;
  active_ms: number;
  owner: string | null;
  heartbeat_at: number | null;
  checkpoint: string | null;
  errors: string;
}

/** The run's figures, kept in memory while it runs and written with every checkpoint. */
export interface RunCounters {
  spacesTotal: number;
  pages: number;
  devicesSeen: number;
  added: number;
  changed: number;
  removed: number;
  restored: number;
  activeMs: number;
  errors: SyncRunError[];
}

/** A run that did not finish and may be picked up again: its process died, or it was cancelled or interrupted. */
export const RESUMABLE_STATUSES: readonly SyncRunStatus[] = ['running', 'cancelled', 'interrupted'];

/** Errors kept per run: enough to diagnose, bounded so a tenant failing on every record cannot bloat the row. */
const MAX_ERRORS = 50;

export class SyncRunStore {
  readonly #save: Statement;
  readonly #spaces: IntegrationSpaceStore;

  constructor(private readonly db: Db) {
    this.#spaces = new IntegrationSpaceStore(db);
    this.#save = db.prepare(
      `UPDATE sync_runs SET checkpoint = @checkpoint, spaces_total = @spacesTotal, pages = @pages, devices_seen = @devicesSeen,
         added = @added, changed = @changed, removed = @removed, restored = @restored, active_ms = @activeMs,
         errors = @errors, heartbeat_at = @at
       WHERE id = @id`,
    );
  }

  /**
   * When the integration's last completed sync finished (epoch ms), or null if none ever completed. The wizard's
   * first-sync gate, the overview and the trust prediction all mean this one value.
   */
  lastCompletedAt(integrationId: string): number | null {
    const row = this.db.prepare("SELECT MAX(finished_at) AS at FROM sync_runs WHERE integration_id = ? AND status = 'completed'").get(integrationId) as {
      at: number | null;
    };
    return row.at;
  }

  /**
   * The spaces our copy of which is stale: those the integration's latest finished run (completed, or failed because it
   * could read no space) could not read, since the last completed run that read each to its end. Stored when each run
   * finishes (IntegrationSpaceStore), so it survives the runs that established it.
   */
  staleSpaces(integrationId: string): StaleSpace[] {
    return this.#spaces.stale(integrationId);
  }

  /**
   * Whether a run that a crash or shutdown stopped still has devices to read (its checkpoint is not at its last phase):
   * its next start resumes the load.
   */
  hasUnfinishedLoad(): boolean {
    const checkpoints = this.db
      .prepare(`SELECT checkpoint FROM sync_runs WHERE status IN (${RESUMABLE_STATUSES.map(() => '?').join(', ')})`)
      .pluck()
      .all(...RESUMABLE_STATUSES) as (string | null)[];
    return checkpoints.some((text) => {
      const checkpoint = parseCheckpoint(text);
      return checkpoint !== null && checkpoint.phase !== 'finalizing';
    });
  }

  /** The newest unfinished run of the integration, if any. */
  findResumable(integrationId: string): SyncRunRow | null {
    const row = this.db
      .prepare(
        `SELECT * FROM sync_runs WHERE integration_id = ? AND status IN (${RESUMABLE_STATUSES.map(() => '?').join(', ')})
         ORDER BY id DESC LIMIT 1`,
      )
      .get(integrationId, ...RESUMABLE_STATUSES) as SyncRunRow | undefined;
    return row ?? null;
  }

  create(integrationId: string, trigger: SyncTrigger, owner: string, at: number): number {
    return Number(
      this.db
        .prepare(`INSERT INTO sync_runs (integration_id, trigger, status, started_at, owner, heartbeat_at) VALUES (?, ?, 'running', ?, ?, ?)`)
        .run(integrationId, trigger, at, owner, at).lastInsertRowid,
    );
  }

  claim(runId: number, owner: string, at: number): void {
    this.db.prepare(`UPDATE sync_runs SET status = 'running', owner = ?, heartbeat_at = ?, finished_at = NULL WHERE id = ?`).run(owner, at, runId);
  }

  /** Checkpoint and figures; inside the page's transaction. */
  save(runId: number, checkpoint: SyncCheckpoint | null, counters: RunCounters, at: number): void {
    this.#save.run({
      id: runId,
      checkpoint: checkpoint === null ? null : JSON.stringify(checkpoint),
      ...counters,
      errors: JSON.stringify(counters.errors.slice(0, MAX_ERRORS)),
      at,
    });
  }

  /** The checkpoint is kept: a cancelled or interrupted run resumes from it, a finished one shows where it ended. */
  finish(runId: number, status: SyncRunStatus, complete: boolean, counters: RunCounters, checkpoint: SyncCheckpoint | null, at: number): void {
    this.db.transaction(() => {
      this.save(runId, checkpoint, counters, at);
      this.db.prepare('UPDATE sync_runs SET status = ?, complete = ?, finished_at = ? WHERE id = ?').run(status, complete ? 1 : 0, at, runId);
      this.#recordSpaces(runId);
    })();
  }

  /**
   * Records a finished run on another integration that shared its fetch (same tenant and API user): a copy of its
   * figures, checkpoint and outcome, pointing at it (`shared_from`), so that integration's history, staleness and last
   * sync read as its own. Returns the copy's id.
   */
  share(runId: number, integrationId: string): number {
    const copyId = Number(
      this.db
        .prepare(
          `INSERT INTO sync_runs (integration_id, trigger, status, started_at, finished_at, complete, spaces_total, pages, devices_seen, added,
             changed, removed, restored, active_ms, checkpoint, errors, shared_from)
           SELECT ?, trigger, status, started_at, finished_at, complete, spaces_total, pages, devices_seen, added,
             changed, removed, restored, active_ms, checkpoint, errors, id FROM sync_runs WHERE id = ?`,
        )
        .run(integrationId, runId).lastInsertRowid,
    );
    this.#recordSpaces(copyId);
    return copyId;
  }

  /** What a finished run learned about its integration's spaces, stored for that integration (inside the finishing transaction). */
  #recordSpaces(runId: number): void {
    const row = this.row(runId)!;
    this.#spaces.record(row.integration_id, {
      status: row.status,
      complete: row.complete === 1,
      finishedAt: row.finished_at!,
      checkpoint: parseCheckpoint(row.checkpoint),
      errors: parseErrors(row.errors),
    });
  }

  row(runId: number): SyncRunRow | null {
    return (this.db.prepare('SELECT * FROM sync_runs WHERE id = ?').get(runId) as SyncRunRow | undefined) ?? null;
  }

  get(runId: number): SyncRun | null {
    const row = this.row(runId);
    return row === null ? null : toSyncRun(row);
  }

  /** The integration's most recently started run, whatever its outcome. */
  latest(integrationId: string): SyncRun | null {
    const row = this.db
      .prepare('SELECT * FROM sync_runs WHERE integration_id = ? ORDER BY started_at DESC, id DESC LIMIT 1')
      .get(integrationId) as SyncRunRow | undefined;
    return row === undefined ? null : toSyncRun(row);
  }

  list(integrationId: string, limit: number, beforeId?: number): SyncRun[] {
    const rows = this.db
      .prepare(`SELECT * FROM sync_runs WHERE integration_id = ? AND id < ? ORDER BY id DESC LIMIT ?`)
      .all(integrationId, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as SyncRunRow[];
    return rows.map(toSyncRun);
  }

  /** When the integration's newest run started, for the scheduler. */
  lastStartedAt(integrationId: string): number | null {
    return (this.db.prepare('SELECT MAX(started_at) FROM sync_runs WHERE integration_id = ?').pluck().get(integrationId) as number | null) ?? null;
  }

  /**
   * The run whose fetch recorded the changes of `runId`: a run shared from another integration's fetch shows the
   * changes that fetch recorded (they are recorded once, under the fetching run); any other run is its own.
   */
  fetchOf(runId: number): number {
    return (this.db.prepare('SELECT COALESCE(shared_from, id) FROM sync_runs WHERE id = ?').pluck().get(runId) as number | undefined) ?? runId;
  }

  /** The fetches of other integrations of its fetch group recorded on this one as shared copies: the fetching runs' ids. */
  fetchesSharedWith(integrationId: string): number[] {
    return this.db.prepare('SELECT shared_from FROM sync_runs WHERE integration_id = ? AND shared_from IS NOT NULL ORDER BY shared_from').pluck().all(integrationId) as number[];
  }
}

export function countersOf(row: SyncRunRow): RunCounters {
  return {
    spacesTotal: row.spaces_total,
    pages: row.pages,
    devicesSeen: row.devices_seen,
    added: row.added,
    changed: row.changed,
    removed: row.removed,
    restored: row.restored,
    activeMs: row.active_ms,
    errors: parseErrors(row.errors),
  };
}

export function toSyncRun(row: SyncRunRow): SyncRun {
  const { activeMs, ...counters } = countersOf(row);
  return {
    id: row.id,
    integrationId: row.integration_id,
    trigger: row.trigger,
    status: row.status,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    durationMs: activeMs,
    complete: row.complete === 1,
    ...counters,
  };
}

function parseErrors(text: string): SyncRunError[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? (value as SyncRunError[]) : [];
  } catch {
    return [];
  }
}
