import { z } from 'zod';

export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** How the chain compares with the keychain's signed head (see core/audit/audit-signature.ts). */
export const AuditSignatureState = z.object({
  state: z.enum(['signed', 'behind', 'unsigned', 'unavailable', 'missing', 'invalid', 'truncated', 'mismatch', 'checked']),
  /** The newest entry the signature covers. */
  signedThrough: z.number().int().nullable(),
  /** Entries after the signed head (written since, not yet signed). */
  unsigned: z.number().int(),
  /** Stretches [from, to] that were signed after the fact. */
  late: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Fingerprint of the signing key's public half. */
  publicKey: z.string().nullable(),
  note: z.string().nullable(),
});
export type AuditSignatureState = z.infer<typeof AuditSignatureState>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  brokenAt: z.number().int().nullable(),
  reason: z.string().nullable(),
  /** Absent when only the hash chain was walked. */
  signature: AuditSignatureState.optional(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

/** Filters of the admin-action log; each bounded, all optional (absent: everything). */
export const AuditFilter = z.object({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  /** The entry's target: an integration id, a Duo API hostname, an export kind. */
  target: z.string().min(1).max(200).optional(),
  /** Entries at or after this instant. */
  from: z.iso.datetime().optional(),
  /** Entries before this instant. */
  to: z.iso.datetime().optional(),
});
export type AuditFilter = z.infer<typeof AuditFilter>;

export const AuditChoices = z.object({
  actors: z.array(z.string()),
  actions: z.array(z.string()),
  /** Each target with the name the log last recorded for it (an integration's, also after it was deleted), or null. */
  targets: z.array(z.object({ target: z.string(), name: z.string().nullable() })),
});
export type AuditChoices = z.infer<typeof AuditChoices>;
