import type { Statement } from 'better-sqlite3';
import { unreadableReason, type SyncRunError, type SyncRunStatus } from '../../../src-shared/domain/sync';
import type { Db } from '../db/database';
import { integrationKeyOfIdSql } from '../integrations/integration-store';
import type { SyncCheckpoint } from './sync-checkpoint';

/** A space of the integration that its latest finished run could not read: our copy of it is stale. */
export interface StaleSpace {
  spaceId: number;
  spaceName: string;
  /** Why it could not be read, as the run recorded it (e.g. the 403 of a missing Device Read Only role). */
  reason: string;
  /** When the last run that read the space to its end finished (epoch ms); null if no run ever did. */
  since: number | null;
}

/** What a finished run (completed, or failed) learned about the integration's spaces. */
export interface FinishedRunSpaces {
  status: SyncRunStatus;
  /** Every space was read to its end. */
  complete: boolean;
  finishedAt: number;
  checkpoint: SyncCheckpoint | null;
  errors: readonly SyncRunError[];
}

/**
 * SQL for when the integration last had the space read to its end by a completed run (epoch ms, or NULL), given the SQL
 * that names the integration by its key and the space in the caller's query (a sighting's columns): both keys of the
 * table (migration 0039), so a sighting's own columns seek it with no lookup of the integration's id.
 */
export function spaceLastReadAtSql(integrationKey: string, spaceId: string): string {
  return `(SELECT r.last_read_at FROM integration_spaces r WHERE r.integration_key = ${integrationKey} AND r.space_id = ${spaceId})`;
}

/** The reason recorded when the run's errors do not name the space. */
const UNKNOWN_REASON = 'The API user could not read it.';

/**
 * Each integration's state per device space (`integration_spaces`, migration 13, keyed by the integration's key since
 * 39; docs/architecture.md, "One device per tenant"): current or stale, why, and when a run last read it to its end. Written in the transaction that finishes a
 * run (and that records a shared fetch on each member), so the verifier, the explorer's trust filter and the
 * integrations list read one stored answer instead of walking the run history, which may be pruned.
 */
export class IntegrationSpaceStore {
  readonly #upsert: Statement;
  readonly #clear: Statement;
  readonly #stale: Statement;

  constructor(private readonly db: Db) {
    const keyOfId = integrationKeyOfIdSql('?');
    this.#upsert = db.prepare(
      `INSERT INTO integration_spaces (integration_key, space_id, space_name, state, reason, last_read_at, checked_at)
       VALUES (${integrationKeyOfIdSql('@integrationId')}, @spaceId, @spaceName, @state, @reason, @readAt, @at)
       ON CONFLICT (integration_key, space_id) DO UPDATE SET space_name = excluded.space_name, state = excluded.state, reason = excluded.reason,
         last_read_at = COALESCE(excluded.last_read_at, last_read_at), checked_at = excluded.checked_at`,
    );
    this.#clear = db.prepare(`UPDATE integration_spaces SET state = 'current', reason = NULL WHERE integration_key = ${keyOfId} AND state = 'stale'`);
    this.#stale = db.prepare(
      `SELECT space_id AS spaceId, space_name AS spaceName, reason, last_read_at AS since FROM integration_spaces
        WHERE integration_key = ${keyOfId} AND state = 'stale' ORDER BY space_id`,
    );
  }

  /**
   * Records what a finished run of the integration learned. The spaces its checkpoint marks `failed` are stale (since
   * the last completed run that read them to their end). A completed run read every other space it lists to its end:
   * those are current, their "read at" moves to its finish, and a space it no longer lists is current too (as derived
   * before migration 13). A failed run (wrong password, every space refused) vouches for no space it did not fail on:
   * the others keep their state, so a space stale before stays stale, where the derivation from the latest run cleared
   * it. Cancelled and interrupted runs are not finished: the caller records only completed and failed ones.
   */
  record(integrationId: string, run: FinishedRunSpaces): void {
    if (run.status !== 'completed' && run.status !== 'failed') return;
    const completed = run.status === 'completed';
    this.db.transaction(() => {
      if (completed) this.#clear.run(integrationId);
      for (const space of run.checkpoint?.spaces ?? []) {
        const failed = space.state === 'failed';
        if (!completed && !failed) continue;
        const read = completed && (run.complete || space.state === 'verified');
        this.#upsert.run({
          integrationId,
          spaceId: space.id,
          spaceName: space.name,
          state: failed ? 'stale' : 'current',
          reason: failed ? (unreadableReason(run.errors, space.name) ?? UNKNOWN_REASON) : null,
          readAt: read ? run.finishedAt : null,
          at: run.finishedAt,
        });
      }
    })();
  }

  /** The integration's stale spaces, by space id. */
  stale(integrationId: string): StaleSpace[] {
    return this.#stale.all(integrationId) as StaleSpace[];
  }

  /** A deleted integration vouches for nothing: its spaces' state goes with it. */
  forget(integrationId: string): void {
    this.db.prepare(`DELETE FROM integration_spaces WHERE integration_key = ${integrationKeyOfIdSql('?')}`).run(integrationId);
  }
}
