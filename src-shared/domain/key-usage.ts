/**
 * RFC 5280 keyUsage bits by name, in bit order (digitalSignature is bit 0). Kept free of zod so the SCEP core and
 * the `tec scep` command can use it without loading zod at start-up; the schema is in ./certificate.ts.
 */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];
