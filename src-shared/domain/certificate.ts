/**
 * What the console shows about an X.509 certificate (Test Configuration of the legacy CA, the certificate inventory,
 * `tec scep`): plain data, safe to send to the renderer. Never holds a private key.
 */
import { z } from 'zod';
import { KEY_USAGE_NAMES, type KeyUsageName as KeyUsageNameText } from './key-usage';

export const KeyUsageName = z.enum(KEY_USAGE_NAMES);
export type KeyUsageName = KeyUsageNameText;

export const CertificateSummary = z.object({
  /** RFC 4514 order, most specific first: "CN=device-42,O=Acme". */
  subject: z.string(),
  issuer: z.string(),
  /** Upper-case hex without leading zero octets, as CAs and `openssl x509 -serial` print it. */
  serialNumber: z.string().regex(/^[0-9A-F]+$/),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  /** Empty when the certificate has no keyUsage extension (every usage allowed). */
  keyUsage: z.array(KeyUsageName),
  /** basicConstraints cA. */
  isCa: z.boolean(),
  /** SHA-256 of the DER, upper-case hex pairs joined by colons (as Windows and macOS show it). */
  sha256Fingerprint: z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/),
});
export type CertificateSummary = z.infer<typeof CertificateSummary>;
