import type { Db } from '../db/database';

/**
 * When the integration's last completed sync finished (epoch ms), or null if none ever completed. "Recent sync" in the
 * trust decision, the wizard's first-sync gate and the overview's staleness warning all mean this one value.
 */
export function lastCompletedSyncAt(db: Db, integrationId: string): number | null {
  const row = db.prepare("SELECT MAX(finished_at) AS at FROM sync_runs WHERE integration_id = ? AND status = 'completed'").get(integrationId) as {
    at: number | null;
  };
  return row.at;
}
