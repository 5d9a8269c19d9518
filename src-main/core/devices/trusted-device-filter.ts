import type { Db } from '../db/database';
import { DuoStore } from '../duo/duo-store';
import { nameKeyIn } from '../duo/name-key';
import { COVERED_PLATFORM_TYPE } from '../integrations/device-inventory';
import type { IntegrationDirectory, IntegrationFacts } from '../integrations/integration-store';
import { WizardDraftStore } from '../integrations/wizard-draft-store';
import { sightingAmong, sightingExists } from '../sync/device-store';
import { SyncRunStore } from '../sync/sync-run-store';
import { TestGroupMembership } from '../trust/test-group-membership';
import { codeOf, PLATFORM, REGISTRATION_STATE } from './device-codes';
import type { SqlCondition } from './sql-condition';

/**
 * The explorer's Trust filter: the device-level answer of the Trust column (TrustVerifier.deviceJudge) as SQL, so a
 * million devices are filtered by the database instead of verified one by one. One definition (README, "How the
 * console decides"): the verdict for the device's own registered user (its Ivanti `uid`), with the verifier's test-group
 * rule (TestGroupMembership: Duo aliases and email included), over every integration of its platform with that
 * integration's own sighting of it.
 *
 * Integration X (live, of the device's platform; unfinished setups only when no finished one exists, as the verifier
 * weighs them) trusts the device when X is enabled for its user (all users, or the user in X's test group), the device
 * has a Device Client ID and is ACTIVE, and X still sees it (its sighting not removed) in a space X's latest sync could
 * read. The device is trusted when any X trusts it. Otherwise the verifier's ranking puts "can't tell" (space-stale,
 * ranked last) in the lead when some X, enabled for its user, has nothing against it but a stale space: its sighting is
 * in a space X could not read, or X has no sighting and another integration saw the device in such a space. The rest is
 * "not trusted". The per-integration facts (status, members, stale spaces) are decided here once per query; only the
 * per-device part runs in SQL, each sighting probed by its primary key.
 *
 * Legacy `ios-certs` integrations never count: Duo ended certificate verification for Ivanti on 2024-10-07, from when
 * the verifier has them trust nothing and lead with that reason, never with a stale space.
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
 * How a condition tests a device's sightings. `per-device` probes the sightings' primary key for each device it checks:
 * the right way for a page, whose walk stops after a few hundred devices. `every-device` gathers the sightings once
 * (sightingAmong) for a statement that checks every device, a count, one set for all the integrations that ask the
 * same of the device: probing instead, in the random device order of devices_facets, cost ~4.6 µs a device at a
 * million (the Trust filter's first count took 4.6-4.8 s).
 */
export type SightingTest = 'per-device' | 'every-device';

export function trustConditions(db: Db, directory: IntegrationDirectory, test: SightingTest = 'per-device'): TrustConditions {
  const sighted = test === 'per-device' ? sightingExists : sightingAmong;
  const live = [...directory.facts().values()].filter((i) => !i.deleted);
  const unfinished = new WizardDraftStore(db).integrationsWithOpenDraft();
  const membership = new TestGroupMembership(directory, new DuoStore(db).userNames());
  const runs = new SyncRunStore(db);
  const liveKeys = JSON.stringify(live.map((i) => i.key));
  const trusted: SqlParts = { sql: [], params: [] };
  const stale: SqlParts = { sql: [], params: [] };
  let readsRows = false;
  for (const platformType of new Set(Object.values(COVERED_PLATFORM_TYPE))) {
    const ofPlatform = live.filter((i) => COVERED_PLATFORM_TYPE[i.platform] === platformType);
    const finished = ofPlatform.filter((i) => !unfinished.has(i.id));
    // For a count, integrations that ask the same of the device (its platform, and its user: all users, or one test
    // group) share one sighting test: "some X of them sees it in a space X could read". At a million devices
    // (bench:search: three all-users integrations, two of them Android) the count gathers two sets of sightings instead
    // of three: one scan of device_sightings fewer, and each Android device looked up in one set instead of up to two
    // (the statement alone: CPU 542-570 -> 488-533 ms, medians 555 -> 501, seven runs interleaved at load 3.4). What
    // is left is mostly those lookups, in the random device order of devices_facets: ~0.4 µs each, against ~0.08 µs
    // in sighting order. A page probes each device's sightings by primary key and keeps one probe per integration.
    const judgedAlike = new Map<string, { judged: string; params: unknown[]; seen: string[]; seenParams: unknown[] }>();
    for (const integration of (finished.length > 0 ? finished : ofPlatform).filter(mayTrust)) {
      const user = forItsUser(integration, membership);
      readsRows ||= user.sql !== '';
      const staleIds = runs.staleSpaces(integration.id).map((s) => s.spaceId);
      const marks = staleIds.map(() => '?').join(', ');
      const judged = `d.platform_code IS ?${user.sql}`;
      const judgedParams = [codeOf(PLATFORM, platformType), ...user.params];
      const readable = staleIds.length === 0 ? '' : ` AND (s.space_id IS NULL OR s.space_id NOT IN (${marks}))`;
      const asked = test === 'every-device' ? JSON.stringify([judged, judgedParams]) : String(integration.key);
      const alike = judgedAlike.get(asked) ?? { judged, params: judgedParams, seen: [], seenParams: [] };
      judgedAlike.set(asked, alike);
      alike.seen.push(`s.integration_key = ?${readable}`);
      alike.seenParams.push(integration.key, ...staleIds);
      if (staleIds.length > 0) {
        const inStale = `s.space_id IN (${marks})`;
        stale.sql.push(
          `(${judged} AND (${sighted(`s.integration_key = ? AND ${inStale}`)} OR (NOT ${sighted('s.integration_key = ?')} AND ${sighted(
            `s.integration_key IN (SELECT value FROM json_each(?)) AND ${inStale}`,
          )})))`,
        );
        stale.params.push(...judgedParams, integration.key, ...staleIds, integration.key, liveKeys, ...staleIds);
      }
    }
    for (const { judged, params, seen, seenParams } of judgedAlike.values()) {
      trusted.sql.push(`(${judged} AND ${sighted(`s.removed_at IS NULL AND (${seen.join(' OR ')})`)})`);
      trusted.params.push(...params, ...seenParams);
    }
  }
  // IS, not =: a NULL column must make each condition false, never NULL, so that NOT gives the rest. By their codes
  // (migration 0028), which the sort indexes and devices_facets hold. `+`, as every filter of a walk in a sort index's
  // order (device-selection.ts): SQLite took `d.state_code IS 1` for a constant and sorted each run of equal leading
  // columns instead of walking on ("USE TEMP B-TREE FOR LAST 3 TERMS OF ORDER BY"), reading every trusted device of the
  // first integration before the first page sorted by integration (358 ms at 300,000 devices, 0.06 ms with `+`).
  const trustedSql = trusted.sql.length === 0 ? '0' : `(+d.state_code IS ${codeOf(REGISTRATION_STATE, 'ACTIVE')} AND +d.has_client_id IS 1 AND (${trusted.sql.join(' OR ')}))`;
  const staleSql = stale.sql.length === 0 ? '0' : `(+d.has_client_id IS 1 AND (${stale.sql.join(' OR ')}))`;
  return {
    trusted: { sql: trustedSql, params: trusted.params, readsRows },
    cantTell: { sql: `(NOT ${trustedSql} AND ${staleSql})`, params: [...trusted.params, ...stale.params], readsRows },
    notTrusted: { sql: `(NOT ${trustedSql} AND NOT ${staleSql})`, params: [...trusted.params, ...stale.params], readsRows },
  };
}

interface SqlParts {
  sql: string[];
  params: unknown[];
}

/** Enabled, and not a legacy certificate integration (see trustConditions). */
function mayTrust(integration: IntegrationFacts): boolean {
  return integration.status !== 'disabled' && integration.platform !== 'ios-certs';
}

/** The device's user in the integration's test group (one list of names per query), or nothing for all users. */
function forItsUser(integration: IntegrationFacts, membership: TestGroupMembership): { sql: string; params: string[] } {
  if (integration.status !== 'test-group') return { sql: '', params: [] };
  const members = nameKeyIn('d.uid', membership.memberKeys(integration.id));
  return { sql: ` AND d.uid IS NOT NULL AND ${members.sql}`, params: members.params };
}
