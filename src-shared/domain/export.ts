/**
 * Exports of devices, sync diffs and the audit log. They stream to a file with progress, so a million devices export
 * with flat memory; the UI follows `export.progress` events and may cancel.
 */
import { z } from 'zod';
import { EntityId } from './entity-id';
import { DeviceQuery } from './device';
import { DeviceChangeKind } from './sync';

export const ExportFormat = z.enum(['csv', 'json']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/**
 * Where a UI export goes: the path the admin chose (the app's save dialog, the rig's path field), absolute. Left out:
 * the data directory's exports folder.
 */
const ExportTarget = z.string().trim().min(1).max(4096).optional();

export const ExportRequest = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('devices'),
      format: ExportFormat,
      /** The explorer's current text, filters and order. */
      query: DeviceQuery,
      /** Add the raw record as tenant sent it (a JSON column in CSV). */
      includeRaw: z.boolean().default(false),
      to: ExportTarget,
    })
    .strict(),
  z
    .object({
      kind: z.literal('changes'),
      format: ExportFormat,
      integrationId: EntityId.optional(),
      runId: z.number().int().optional(),
      change: DeviceChangeKind.optional(),
      to: ExportTarget,
    })
    .strict(),
  z.object({ kind: z.literal('audit'), format: ExportFormat, to: ExportTarget }).strict(),
]);
export type ExportRequest = z.infer<typeof ExportRequest>;
export type ExportKind = ExportRequest['kind'];

export const ExportState = z.enum(['running', 'completed', 'cancelled', 'failed']);
export type ExportState = z.infer<typeof ExportState>;

export const ExportProgress = z.object({
  exportId: z.string(),
  kind: z.enum(['devices', 'changes', 'audit']),
  format: ExportFormat,
  /** Where the finished file is (it appears only once complete; a cancelled or failed export leaves no file). */
  file: z.string(),
  written: z.number().int(),
  /** Rows expected, counted when the export started. */
  total: z.number().int(),
  state: ExportState,
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;
