import type { Db } from '../db/database';
import { SyncRunStore } from '../sync/sync-run-store';

/** An SQL condition over a `devices` row aliased `d`, with its parameters. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
  /** It needs a column the sort indexes do not hold, so checking it reads the row. */
  readsRows?: boolean;
}

/**
 * The explorer's "trusted / not trusted" filter: the TrustVerifier's rules (core/trust/trust-verifier.ts) for one
 * synced record, as SQL, so a million devices are filtered by the database instead of verified one by one.
 *
 * A record is trusted when it is ACTIVE, still in the tenant, has a Device Client ID, is not in a space its
 * integration's latest sync could not read (the verifier's "can't tell"), and its integration is live, not disabled,
 * enabled for its user (all users, or its `uid` in the test group) and of its platform (an Android integration covers
 * ANDROID records, an iOS one IOS records; no integration covers Windows, OTHER or a record without a platform). The
 * age of our copy does not matter (Duo syncs on its own). The integration-level part is decided here in code, once
 * per query; only the per-device part runs in SQL. "Not trusted" is every other record, the "can't tell" ones included.
 *
 * Where it is narrower than the verifier, on purpose:
 * - legacy `ios-certs` integrations never count: their verdict needs the device's certificate, which is not in SQL
 *   (the verifier says "no certificate" for them too until the SCEP certificate inventory exists);
 * - the user is the record's own `uid`, and only this record counts, while the verifier is asked about a user and an
 *   identifier that may have synced in several integrations. The device drawer shows the verifier's full verdict.
 */
export function trustedDeviceCondition(db: Db): SqlCondition {
  const integrations = db
    .prepare(
      `SELECT i.id, i.platform, i.status FROM integrations i
        WHERE i.deleted_at IS NULL AND i.status <> 'disabled' AND i.platform <> 'ios-certs'`,
    )
    .all() as { id: string; platform: 'android' | 'ios-appconfig'; status: 'test-group' | 'all-users' }[];
  if (integrations.length === 0) return { sql: '0', params: [], readsRows: false };
  const params: unknown[] = [];
  const runs = new SyncRunStore(db);
  let readsRows = false;
  const perIntegration = integrations.map((integration) => {
    params.push(integration.id, integration.platform === 'android' ? 'ANDROID' : 'IOS');
    const user =
      integration.status === 'test-group'
        ? ' AND EXISTS (SELECT 1 FROM integration_test_group g WHERE g.integration_id = d.integration_id AND g.username = d.uid)'
        : '';
    const stale = runs.staleSpaces(integration.id).map((s) => s.spaceId);
    if (integration.status === 'test-group' || stale.length > 0) readsRows = true;
    params.push(...stale);
    const fresh = stale.length === 0 ? '' : ` AND (d.space_id IS NULL OR d.space_id NOT IN (${stale.map(() => '?').join(', ')}))`;
    return `(d.integration_id = ? AND d.platform_type = ?${user}${fresh})`;
  });
  return {
    sql: `(d.removed_at IS NULL AND d.registration_state = 'ACTIVE' AND d.has_client_id = 1 AND (${perIntegration.join(' OR ')}))`,
    params,
    // Test groups and stale spaces are matched on the row's uid and space; everything else is in the sort indexes (migration 0004).
    readsRows,
  };
}
