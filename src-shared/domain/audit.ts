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
