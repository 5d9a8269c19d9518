/**
 * Synced devices as the explorer, the device drawer, the overview charts and exports see them. Times are ISO 8601
 * strings (UTC); the database keeps epoch milliseconds. Values are the tenant's own (platformType `ANDROID`,
 * registrationState `ACTIVE`, …): the console stores and filters on what Ivanti said; screens show it in admin words
 * (ivantiValueLabel) and the drawer's raw record keeps the tenant's own spelling.
 */
import { z } from 'zod';
import { DeviceChangeKind } from './sync';
import { DeviceTrust } from './trust';

/** Columns the explorer can sort on; each has an index (migration 0004), so a sorted page never sorts the whole set. */
export const DEVICE_SORT_COLUMNS = [
  'deviceName',
  'displayName',
  'uid',
  'clientDeviceIdentifier',
  'serialNumber',
  'model',
  'platformType',
  'registrationState',
  'compliant',
  'spaceName',
  'integration',
  'lastCheckin',
] as const;
export const DeviceSortColumn = z.enum(DEVICE_SORT_COLUMNS);
export type DeviceSortColumn = z.infer<typeof DeviceSortColumn>;

export const DeviceSort = z.object({ column: DeviceSortColumn, direction: z.enum(['asc', 'desc']) }).strict();
export type DeviceSort = z.infer<typeof DeviceSort>;

export const Compliance = z.enum(['compliant', 'non-compliant', 'unknown']);
export type Compliance = z.infer<typeof Compliance>;

/** Last check-in age buckets, relative to now: the explorer's filter and the overview chart use the same ones. */
export const CHECKIN_AGES = ['day', 'week', 'month', 'older', 'never'] as const;
export const CheckinAge = z.enum(CHECKIN_AGES);
export type CheckinAge = z.infer<typeof CheckinAge>;
export const CHECKIN_AGE_LABELS: Record<CheckinAge, string> = {
  day: 'Last 24 hours',
  week: '1 to 7 days',
  month: '7 to 30 days',
  older: 'Over 30 days',
  never: 'Never checked in',
};

/** Ivanti's enum values an admin reads on screen, in plain words; any other value is spelled out the same way. */
const IVANTI_VALUE_LABELS: Record<string, string> = {
  ANDROID: 'Android',
  IOS: 'iOS',
  WINDOWS_PHONE: 'Windows',
  OTHER: 'Other',
  ACTIVE: 'Active',
  RETIRED: 'Retired',
  RETIRE_PENDING: 'Retire pending',
};

/** `RETIRE_PENDING` → "Retire pending", `IOS` → "iOS"; null (the tenant sent none) → "Not reported". */
export function ivantiValueLabel(value: string | null): string {
  if (value === null || value === '') return 'Not reported';
  const known = IVANTI_VALUE_LABELS[value];
  if (known) return known;
  if (!/^[A-Z0-9_]+$/.test(value)) return value;
  const words = value.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The explorer's trust filter: the verifier's three answers (cant-tell: our copy of the device's space is stale). */
export const TrustFilter = z.enum(['trusted', 'not-trusted', 'cant-tell']);
export type TrustFilter = z.infer<typeof TrustFilter>;

/** current: in the tenant at the last complete sync; removed: gone from the tenant (kept for the audit); all: both. */
export const Presence = z.enum(['current', 'removed', 'all']);
export type Presence = z.infer<typeof Presence>;

export const DeviceFilters = z
  .object({
    integrationId: z.string().min(1).max(100).optional(),
    spaceName: z.string().min(1).max(200).optional(),
    platformType: z.string().min(1).max(40).optional(),
    registrationState: z.string().min(1).max(40).optional(),
    compliance: Compliance.optional(),
    checkinAge: CheckinAge.optional(),
    trust: TrustFilter.optional(),
    /** Defaults to `current`. */
    presence: Presence.optional(),
  })
  .strict();
export type DeviceFilters = z.infer<typeof DeviceFilters>;

/** What the explorer shows: typed text (prefix match across identifiers, user, name and model), filters and order. */
export const DeviceQuery = DeviceFilters.extend({
  text: z.string().max(200).optional(),
  sort: DeviceSort.optional(),
}).strict();
export type DeviceQuery = z.infer<typeof DeviceQuery>;

export const DeviceRow = z.object({
  id: z.number().int(),
  /** The integration the device is listed under (one of its platform when one saw it). */
  integrationId: z.string(),
  integrationName: z.string(),
  /**
   * Every integration the device is shown under: the one it is listed under first, then the others of its platform
   * that cover it (iOS App Config beside a legacy ios-certs integration on one tenant). The integration filter and
   * the per-integration counts use the same list.
   */
  integrations: z.array(z.object({ id: z.string(), name: z.string() })),
  guid: z.string(),
  clientDeviceIdentifier: z.string().nullable(),
  platformType: z.string().nullable(),
  platformVersion: z.string().nullable(),
  registrationState: z.string().nullable(),
  compliant: z.boolean().nullable(),
  uid: z.string().nullable(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  serialNumber: z.string().nullable(),
  imei: z.string().nullable(),
  udid: z.string().nullable(),
  wifiMac: z.string().nullable(),
  model: z.string().nullable(),
  deviceName: z.string().nullable(),
  manufacturer: z.string().nullable(),
  /** Ivanti's `dmPartitionId` of the device's space. */
  spaceId: z.number().int().nullable(),
  spaceName: z.string().nullable(),
  lastCheckin: z.string().nullable(),
  lastSeenAt: z.string(),
  removedAt: z.string().nullable(),
});
export type DeviceRow = z.infer<typeof DeviceRow>;

/** A row of the explorer: the device with its device-level trust answer, computed when read, never stored. */
export const ListedDevice = DeviceRow.extend({ trust: DeviceTrust });
export type ListedDevice = z.infer<typeof ListedDevice>;

/** One entry of a device's change history, with the sync run that recorded it. */
export const DeviceHistoryEntry = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  kind: DeviceChangeKind,
  fields: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).nullable(),
  at: z.string(),
  runTrigger: z.string(),
  runStatus: z.string(),
});
export type DeviceHistoryEntry = z.infer<typeof DeviceHistoryEntry>;

export const DeviceDetail = DeviceRow.extend({
  ivantiId: z.number().int().nullable(),
  spaceId: z.number().int().nullable(),
  quarantined: z.boolean().nullable(),
  jailbroken: z.boolean().nullable(),
  firstSeenAt: z.string(),
  lastSeenRun: z.number().int(),
  removedRun: z.number().int().nullable(),
  /** The record exactly as the tenant last sent it. */
  raw: z.record(z.string(), z.unknown()),
  /** Newest first. */
  history: z.array(DeviceHistoryEntry),
  /** More history exists than `history` holds. */
  historyTruncated: z.boolean(),
});
export type DeviceDetail = z.infer<typeof DeviceDetail>;

export const FacetCount = z.object({ value: z.string().nullable(), count: z.number().int() });
export type FacetCount = z.infer<typeof FacetCount>;

/** Counts for the overview charts and the explorer's filter choices, over the devices a set of filters selects. */
export const DeviceFacets = z.object({
  total: z.number().int(),
  platforms: z.array(FacetCount),
  registrationStates: z.array(FacetCount),
  compliance: z.array(z.object({ value: Compliance, count: z.number().int() })),
  checkinAges: z.array(z.object({ value: CheckinAge, count: z.number().int() })),
  integrations: z.array(z.object({ id: z.string(), name: z.string(), count: z.number().int() })),
  spaces: z.array(FacetCount),
});
export type DeviceFacets = z.infer<typeof DeviceFacets>;

export const SavedSearch = z.object({
  id: z.number().int(),
  name: z.string(),
  query: DeviceQuery,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SavedSearch = z.infer<typeof SavedSearch>;

export const SavedSearchName = z.string().trim().min(1, 'Give the search a name.').max(80, 'Keep the name under 80 characters.');
