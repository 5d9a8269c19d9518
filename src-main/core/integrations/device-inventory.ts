/**
 * Whose devices an integration syncs (docs/architecture.md, "One device per tenant"). A device is one device of one
 * tenant, keyed by (tenant, guid) whatever the number of integrations that cover it.
 *
 * - The tenant is the host the admin entered, lower-cased (with its port: two simulators on one machine are two tenants).
 * - On a regional cluster shared by many tenants (na1.mobileiron.com and the like; reference/ivanti-api.md, "Hosts and
 *   auth") the host says nothing about the tenant: Ivanti identifies it by the API user's credentials. There the tenant
 *   is the host and the API user, so two integrations share an inventory only when they use the same API user.
 * - Integrations of one tenant that use the same API user read exactly the same devices: they share one fetch (the
 *   `fetchGroup`). With different API users each fetches what its own user can read, into the same rows.
 */
export interface DeviceInventory {
  tenant: string;
  /** The tenant and the API user: integrations with the same value share one fetch. */
  fetchGroup: string;
}

/** Ivanti's regional clusters (reference/ivanti-api.md): na1, na2, na3, eu1, ap1, ap2 and any later number. */
const SHARED_HOST = /^(na|eu|ap)\d+\.mobileiron\.com(:443)?$/;

export function deviceInventory(domain: string, email: string): DeviceInventory {
  const host = domain
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '');
  const user = email.trim().toLowerCase();
  const tenant = SHARED_HOST.test(host) ? `${host}/${user}` : host;
  return { tenant, fetchGroup: `${tenant}|${user}` };
}

/** Ivanti's platformType of the devices an integration of this platform covers: Android ANDROID, both iOS ones IOS. */
export const COVERED_PLATFORM_TYPE = { android: 'ANDROID', 'ios-appconfig': 'IOS', 'ios-certs': 'IOS' } as const;

/** An integration covers only the devices of its own platform (Windows and OTHER devices are covered by none). */
export function integrationCovers(platform: keyof typeof COVERED_PLATFORM_TYPE, platformType: string | null): boolean {
  return platformType !== null && COVERED_PLATFORM_TYPE[platform] === platformType;
}
