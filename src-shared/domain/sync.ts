/**
 * Device sync as the UI, the CLI and the audit see it: runs, their progress and the per-device changes they recorded.
 * Plain data, safe to send to the renderer: no credential ever appears in any of these.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors';

export const SyncTrigger = z.enum(['manual', 'scheduled', 'cli', 'wizard']);
export type SyncTrigger = z.infer<typeof SyncTrigger>;

/**
 * `running` also covers a run whose process died (it is resumed by the next start); `cancelled` (by the admin) and
 * `interrupted` (network loss, the tenant failing after every retry) keep their checkpoint and are resumed by the
 * next start too; `failed` needs the admin (password, role) and is not resumed.
 */
export const SyncRunStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type SyncRunStatus = z.infer<typeof SyncRunStatus>;

export const SyncRunError = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** The device space it happened in, when it concerns one. */
  space: z.string().optional(),
});
export type SyncRunError = z.infer<typeof SyncRunError>;

/** Failures confined to one space: the others are still read, but the run cannot be complete and that space is stale. */
export const SPACE_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['IVANTI_SPACE_FORBIDDEN', 'IVANTI_BAD_REQUEST', 'NOT_FOUND']);

/**
 * The spaces a run could not read, from its errors. A note that names a space the run did read ("devices kept being
 * enrolled or removed while it was read") is not one.
 */
export function unreadableSpaceNames(errors: readonly SyncRunError[]): string[] {
  return [...new Set(errors.flatMap((e) => (e.space !== undefined && SPACE_FAILURE_CODES.has(e.code) ? [e.space] : [])))];
}

/** Why the run could not read the space: the failure it recorded there (the last, after any note of an earlier pass). */
export function unreadableReason(errors: readonly SyncRunError[], space: string): string | null {
  return errors.findLast((e) => e.space === space && SPACE_FAILURE_CODES.has(e.code))?.message ?? null;
}

export const SyncRun = z.object({
  id: z.number().int(),
  integrationId: z.string(),
  trigger: SyncTrigger,
  status: SyncRunStatus,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Time spent syncing, summed over resumes. */
  durationMs: z.number().int().nonnegative(),
  /** Every visible space was read to the end: only such a run marks devices missing from the tenant as removed. */
  complete: z.boolean(),
  spacesTotal: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  devicesSeen: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  restored: z.number().int().nonnegative(),
  errors: z.array(SyncRunError),
});
export type SyncRun = z.infer<typeof SyncRun>;

export const SyncPhase = z.enum(['listing-spaces', 'paging', 'reconciling', 'finalizing']);
export type SyncPhase = z.infer<typeof SyncPhase>;

export const SyncProgress = z.object({
  integrationId: z.string(),
  runId: z.number().int(),
  phase: SyncPhase,
  /** The space being read; null while listing spaces or finalizing. */
  space: z.string().nullable(),
  spaceIndex: z.number().int().nonnegative(),
  spacesTotal: z.number().int().nonnegative(),
  /** Pages written by this run (resumes included). */
  page: z.number().int().nonnegative(),
  /** Distinct devices stored by this run so far. */
  devicesSoFar: z.number().int().nonnegative(),
  /** What the tenant reported (totalCount per space), null until known. */
  devicesExpected: z.number().int().nonnegative().nullable(),
  devicesPerSecond: z.number().nonnegative(),
  /** null when unknown (no rate yet, or no total). */
  etaSeconds: z.number().nonnegative().nullable(),
  /** A passing condition the admin may want to know ("Ivanti is throttling; retrying in 4 s"). */
  notice: z.string().nullable(),
  resumed: z.boolean(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const SyncFinished = z.object({
  integrationId: z.string(),
  runId: z.number().int(),
  run: SyncRun,
});
export type SyncFinished = z.infer<typeof SyncFinished>;

export const SyncStatus = z.object({
  integrationId: z.string(),
  /** The run in progress in this process, with its latest progress; null when idle. */
  running: z.object({ runId: z.number().int(), progress: SyncProgress.nullable() }).nullable(),
  lastRun: SyncRun.nullable(),
  /** When the scheduler will sync this integration next; null when scheduled sync is off or does not apply. */
  nextScheduledAt: z.string().nullable(),
  syncIntervalMinutes: z.number().int().nonnegative(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const DeviceChangeKind = z.enum(['added', 'changed', 'removed', 'restored']);
export type DeviceChangeKind = z.infer<typeof DeviceChangeKind>;

export const DeviceChange = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  guid: z.string(),
  kind: DeviceChangeKind,
  /** For `changed`: each field that differs, as [before, after] in the tenant's own representation. */
  fields: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).nullable(),
  at: z.string(),
  /** From the device as stored now, to make the list readable. */
  deviceName: z.string().nullable(),
  clientDeviceIdentifier: z.string().nullable(),
});
export type DeviceChange = z.infer<typeof DeviceChange>;

export const DeviceChangePage = z.object({
  changes: z.array(DeviceChange),
  total: z.number().int().nonnegative(),
  /** Pass as `afterId` for the next page; null at the end. */
  nextAfterId: z.number().int().nullable(),
});
export type DeviceChangePage = z.infer<typeof DeviceChangePage>;

/** One synced device as `devices.find` answers it: the answer to "has this device synced?". */
export const SyncedDevice = z.object({
  /** The integration the device is listed under (the one asked about, when the lookup named one). */
  integrationId: z.string(),
  integrationName: z.string(),
  /** Every integration of the device's platform that saw it: a device of one tenant is stored once, whatever their number. */
  coveredBy: z.array(z.object({ integrationId: z.string(), integrationName: z.string(), removedAt: z.string().nullable() })),
  guid: z.string(),
  ivantiId: z.number().int().nullable(),
  clientDeviceIdentifier: z.string().nullable(),
  platformType: z.string().nullable(),
  registrationState: z.string().nullable(),
  deviceName: z.string().nullable(),
  model: z.string().nullable(),
  uid: z.string().nullable(),
  spaceName: z.string().nullable(),
  lastCheckin: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  /** Set when a complete sync no longer found the device in the tenant. */
  removedAt: z.string().nullable(),
});
export type SyncedDevice = z.infer<typeof SyncedDevice>;
