import type { CertificateStatus } from '../../../../src-shared/domain/ca-profile';
import type { KeyUsageName } from '../../../../src-shared/domain/certificate';

export const STATUS_LABELS: Record<CertificateStatus, string> = { active: 'Active', expired: 'Expired', invalidated: 'Invalidated' };

const KEY_USAGE_LABELS: Record<KeyUsageName, string> = {
  digitalSignature: 'Digital signature',
  nonRepudiation: 'Non-repudiation',
  keyEncipherment: 'Key encipherment',
  dataEncipherment: 'Data encipherment',
  keyAgreement: 'Key agreement',
  keyCertSign: 'Certificate signing',
  cRLSign: 'CRL signing',
  encipherOnly: 'Encipher only',
  decipherOnly: 'Decipher only',
};

/** As the admin reads it: "Digital signature, Key encipherment"; no extension means every usage is allowed. */
export function keyUsageText(usage: KeyUsageName[]): string {
  return usage.length === 0 ? 'Any (no key usage extension)' : usage.map((u) => KEY_USAGE_LABELS[u]).join(', ');
}

export function dateTimeText(iso: string): string {
  return new Date(iso).toLocaleString();
}
