import { z } from 'zod';

/**
 * Where a run resumes. Written in the same transaction as the page of devices it covers, so after a crash at any
 * instant the checkpoint and the stored devices agree: nothing is lost and nothing is counted twice.
 */
export const SpaceCursorState = z.object({
  id: z.number().int(),
  name: z.string(),
  /** `failed`: this space could not be read (no access); the run cannot be complete. */
  state: z.enum(['pending', 'paging', 'verified', 'failed']),
  /** Passes over the space in this run; a pass restarts from row 0 when the tenant changed under the previous one. */
  pass: z.number().int().nonnegative(),
  /** The last pass failed its count check: the next reconciliation round reads the space again from row 0. */
  drifted: z.boolean(),
  /** The run's first page number of the current pass (see devices.last_seen_page). */
  passStartPage: z.number().int().nonnegative(),
  /** Next row index to ask for. */
  start: z.number().int().nonnegative(),
  /** Highest device id stored by the current pass: pages are sorted by id, so this is the anchor. */
  lastId: z.number().nullable(),
  /** Distinct devices stored by the current pass. */
  seenInPass: z.number().int().nonnegative(),
  /** totalCount of the latest page (null before the first), or the spaces list's count as an estimate. */
  totalCount: z.number().int().nonnegative().nullable(),
  /** Devices the admin's role could not read, or that the tenant sent in a shape that could not be stored. */
  unparsed: z.number().int().nonnegative(),
});
export type SpaceCursorState = z.infer<typeof SpaceCursorState>;

export const SyncCheckpoint = z.object({
  version: z.literal(1),
  /** `paging`: first reading of each space; `reconciling`: re-checking every space's end; `finalizing`: marking removals. */
  phase: z.enum(['paging', 'reconciling', 'finalizing']),
  /** Reconciliation rounds done. */
  round: z.number().int().nonnegative(),
  /** Something was stored, or a space read again, in the current round: another round follows. */
  roundChanged: z.boolean(),
  spaces: z.array(SpaceCursorState),
});
export type SyncCheckpoint = z.infer<typeof SyncCheckpoint>;

export function parseCheckpoint(text: string | null): SyncCheckpoint | null {
  if (text === null) return null;
  try {
    const parsed = SyncCheckpoint.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
