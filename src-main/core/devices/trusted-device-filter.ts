import type { Db } from '../db/database';
import type { IntegrationDirectory } from '../integrations/integration-store';
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
 * per query; only the per-device part runs in SQL. "Can't tell" and "not trusted" are trustConditions' other two.
 *
 * Where it is narrower than the verifier, on purpose:
 * - legacy `ios-certs` integrations never count: their verdict needs the device's certificate, which is not in SQL
 *   (the verifier says "no certificate" for them too until the SCEP certificate inventory exists);
 * - the user is the record's own `uid`, and only this record counts, while the verifier is asked about a user and an
 *   identifier that may have synced in several integrations. The device drawer shows the verifier's full verdict.
 */
export function trustedDeviceCondition(db: Db, directory: IntegrationDirectory): SqlCondition {
  return trustConditions(db, directory).trusted;
}

/** The explorer's three trust filters: trusted, "can't tell" (the verifier's space-stale answer) and the rest. */
export interface TrustConditions {
  trusted: SqlCondition;
  cantTell: SqlCondition;
  notTrusted: SqlCondition;
}

/**
 * "Can't tell" is a record that would be judged by an enabled integration of its platform for its user, but sits in a
 * space that integration's latest sync could not read (whatever its state: our copy of that space cannot say).
 * "Not trusted" is every record that is neither.
 */
export function trustConditions(db: Db, directory: IntegrationDirectory): TrustConditions {
  const integrations = [...directory.facts().values()].filter((i) => !i.deleted && i.status !== 'disabled' && i.platform !== 'ios-certs');
  const never: SqlCondition = { sql: '0', params: [], readsRows: false };
  if (integrations.length === 0) return { trusted: never, cantTell: never, notTrusted: { sql: '1', params: [], readsRows: false } };
  const runs = new SyncRunStore(db);
  const trusted: { sql: string[]; params: unknown[] } = { sql: [], params: [] };
  const stale: { sql: string[]; params: unknown[] } = { sql: [], params: [] };
  let readsRows = false;
  for (const integration of integrations) {
    const judged = [integration.id, integration.platform === 'android' ? 'ANDROID' : 'IOS'];
    // The test group's members come from its owner (IntegrationStore), compared as its column does (NOCASE).
    const members = integration.status === 'test-group' ? directory.testGroup(integration.id) : [];
    const user = integration.status === 'test-group' ? ` AND d.uid COLLATE NOCASE IN (${members.map(() => '?').join(', ') || 'NULL'})` : '';
    const staleIds = runs.staleSpaces(integration.id).map((s) => s.spaceId);
    if (integration.status === 'test-group' || staleIds.length > 0) readsRows = true;
    const marks = staleIds.map(() => '?').join(', ');
    const fresh = staleIds.length === 0 ? '' : ` AND (d.space_id IS NULL OR d.space_id NOT IN (${marks}))`;
    trusted.sql.push(`(d.integration_id = ? AND d.platform_type = ?${user}${fresh})`);
    trusted.params.push(...judged, ...members, ...staleIds);
    if (staleIds.length > 0) {
      stale.sql.push(`(d.integration_id = ? AND d.platform_type = ?${user} AND d.space_id IN (${marks}))`);
      stale.params.push(...judged, ...members, ...staleIds);
    }
  }
  const trustedSql = `(d.removed_at IS NULL AND d.registration_state = 'ACTIVE' AND d.has_client_id = 1 AND (${trusted.sql.join(' OR ')}))`;
  const cantTellSql = stale.sql.length === 0 ? '0' : `(d.has_client_id = 1 AND (${stale.sql.join(' OR ')}))`;
  // Test groups and stale spaces are matched on the row's uid and space; everything else is in the sort indexes (migration 0004).
  return {
    trusted: { sql: trustedSql, params: trusted.params, readsRows },
    cantTell: { sql: cantTellSql, params: stale.params, readsRows },
    notTrusted: { sql: `(NOT ${trustedSql} AND NOT ${cantTellSql})`, params: [...trusted.params, ...stale.params], readsRows },
  };
}
