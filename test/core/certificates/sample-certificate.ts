import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { NewCertificate } from '../../../src-main/core/certificates/certificate-inventory';
import { summarizeCertificate } from '../../../src-main/core/scep/certificate-summary';
import { distinguishedNameToAsn1 } from '../../../src-main/core/scep/distinguished-name';
import { buildSelfSignedCertificate } from '../../../src-main/core/scep/self-signed-certificate';

let keys: { publicKey: KeyObject; privateKey: KeyObject } | null = null;

/**
 * A real certificate (DER and summary) valid from 10 minutes before `issuedAt` to 24 hours after it, for inventory
 * rows that do not need a CA. One RSA key serves every sample: each has its own random serial, so its own fingerprint.
 */
export function sampleCertificate(
  integrationId: string,
  options: { issuedAt: number; subject?: string; device?: { guid: string | null; identifier: string | null } },
): NewCertificate {
  keys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fields = buildSelfSignedCertificate({
    subject: distinguishedNameToAsn1(options.subject ?? 'CN=Sample Device,O=Acme Test'),
    ...keys,
    digest: 'sha256',
    now: new Date(options.issuedAt),
  });
  return {
    integrationId,
    purpose: options.device ? 'device' : 'test',
    der: fields.der,
    summary: summarizeCertificate(fields),
    ...(options.device ? { device: options.device } : {}),
  };
}

export const DAY_MS = 86_400_000;
