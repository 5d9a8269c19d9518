import { integrationCovers, COVERED_PLATFORM_TYPE } from '../integrations/device-inventory';
import type { IntegrationFacts } from '../integrations/integration-store';
import type { SqlCondition } from './sql-condition';
import { codeOf, PLATFORM } from './device-codes';

/**
 * Which integrations a device is shown under (issue 14 point 3): one device of one tenant, listed once, with every
 * integration that covers it. A device row names the one integration it is *listed under* (`devices.integration_key`,
 * an integration of its platform when one saw it); another integration covers it too when that integration is live,
 * of the device's platform and has a sighting of it (still seeing it, or the device is gone for all). Two integrations
 * of one platform on one tenant (iOS App Config beside the legacy `ios-certs`) both cover the tenant's iOS devices.
 *
 * The explorer's rows, its integration filter, the facets' per-integration counts and the device exports all use this
 * one rule, so a device found under an integration is counted and exported under it. The filter stays an index walk:
 * a device listed under X matches X from the index entry alone, and only devices listed under an integration that can
 * list what X covers (another of X's tenant and platform family, live or deleted) are probed in `device_sightings` by
 * its primary key. With one integration per platform and tenant, the filter is the plain equality it always was.
 */

/**
 * The integrations other than `integrationId` under which a device it covers may be listed: those of the same tenant
 * and platform family, deleted ones included (their devices stay listed under them for the audit). Integrations of
 * other tenants never see the same device; one of another family lists a device of this one's only until this one's
 * next sync re-lists it (core/sync/device-store.ts).
 */
function listingsCoveredBy(facts: ReadonlyMap<string, IntegrationFacts>, integrationId: string): string[] {
  const own = facts.get(integrationId);
  if (own === undefined || own.deleted || own.tenant === null) return [];
  const covered = COVERED_PLATFORM_TYPE[own.platform];
  return [...facts.values()].filter((f) => f.id !== integrationId && f.tenant === own.tenant && COVERED_PLATFORM_TYPE[f.platform] === covered).map((f) => f.id);
}

/** The integrations a device is shown under: the one it is listed under, then the others that cover it. */
export function coveringIntegrations(
  facts: ReadonlyMap<string, IntegrationFacts>,
  device: { listedUnder: string; platformType: string | null; sightedBy: readonly string[] },
): string[] {
  const others = device.sightedBy.filter((id) => {
    const f = facts.get(id);
    return (
      id !== device.listedUnder &&
      f !== undefined &&
      integrationCovers(f.platform, device.platformType) &&
      listingsCoveredBy(facts, id).includes(device.listedUnder)
    );
  });
  return [device.listedUnder, ...[...new Set(others)].sort()];
}

/**
 * The sightings that count for coverage, as a JSON array of integration ids per device `d`: those still seeing it, or
 * every one when the device is gone for all. Only the owners of device_sightings spell the table (DeviceRepository
 * passes its own text here).
 */
export interface CoverageSql {
  /** `EXISTS (…)`: the integration (one `?`, its key: migration 0032) has a sighting of `d` that counts. */
  sightedBy: string;
}

/**
 * The explorer's integration filter: the devices shown under `integrationId` (coveringIntegrations). `walkInOrder`:
 * written `+d.col` so a sort index checks it in place (device-selection.ts).
 */
export function integrationFilter(
  facts: ReadonlyMap<string, IntegrationFacts>,
  integrationId: string,
  sql: CoverageSql,
  walkInOrder: boolean,
): SqlCondition {
  const column = (name: string) => (walkInOrder ? `+${name}` : name);
  const listed = `${column('d.integration_key')} = ?`;
  const others = listingsCoveredBy(facts, integrationId);
  if (others.length === 0) return { sql: listed, params: [keyOf(facts, integrationId)] };
  const platform = codeOf(PLATFORM, COVERED_PLATFORM_TYPE[facts.get(integrationId)!.platform]);
  return {
    sql: `(${listed} OR (${column('d.integration_key')} IN (${others.map(() => '?').join(', ')}) AND ${column('d.platform_code')} = ? AND ${sql.sightedBy}))`,
    params: [keyOf(facts, integrationId), ...others.map((id) => keyOf(facts, id)), platform, keyOf(facts, integrationId)],
  };
}

/**
 * The one integration key the devices shown under `integrationId` are listed under, when it covers no other listing
 * (integrationFilter is then `integration_key = key`); undefined when it does, or when the integration does not exist.
 */
export function soleListingKey(facts: ReadonlyMap<string, IntegrationFacts>, integrationId: string): number | undefined {
  return listingsCoveredBy(facts, integrationId).length === 0 ? (keyOf(facts, integrationId) ?? undefined) : undefined;
}

/**
 * The integration's key (integrations.key, migration 0018): the device indexes name the integration a device is listed
 * under by it, not by its UUID. Null for an integration that does not exist, which matches no device.
 */
function keyOf(facts: ReadonlyMap<string, IntegrationFacts>, integrationId: string): number | null {
  return facts.get(integrationId)?.key ?? null;
}

/**
 * For the facets: the devices of a selection listed under another integration that `integrationId` covers too, so
 * its count includes them (the selection's total counts each device once). Null when there can be none.
 */
export function alsoCoveredCondition(facts: ReadonlyMap<string, IntegrationFacts>, integrationId: string, sql: CoverageSql): SqlCondition | null {
  const others = listingsCoveredBy(facts, integrationId);
  if (others.length === 0) return null;
  const platform = codeOf(PLATFORM, COVERED_PLATFORM_TYPE[facts.get(integrationId)!.platform]);
  return {
    sql: `d.integration_key IN (${others.map(() => '?').join(', ')}) AND d.platform_code = ? AND ${sql.sightedBy}`,
    params: [...others.map((id) => keyOf(facts, id)), platform, keyOf(facts, integrationId)],
  };
}
