import { createHash } from 'node:crypto';
import type { CertificateSummary } from '../../../src-shared/domain/certificate';
import { readCertificate, withoutLeadingZeros, type CertificateFields } from './certificate-fields';
import { formatDistinguishedName, readName } from './distinguished-name';

/** The plain-data view of a certificate that the UI, the inventory and `tec scep` show. */
export function summarizeCertificate(certificate: Buffer | CertificateFields): CertificateSummary {
  const fields = Buffer.isBuffer(certificate) ? readCertificate(certificate) : certificate;
  const fingerprint = createHash('sha256').update(fields.der).digest('hex').toUpperCase();
  return {
    subject: formatDistinguishedName(readName(fields.subject, 'certificate subject')),
    issuer: formatDistinguishedName(readName(fields.issuer, 'certificate issuer')),
    serialNumber: withoutLeadingZeros(fields.serialNumber).toString('hex').toUpperCase(),
    notBefore: fields.notBefore.toISOString(),
    notAfter: fields.notAfter.toISOString(),
    keyUsage: fields.keyUsage ?? [],
    isCa: fields.isCa,
    sha256Fingerprint: fingerprint.match(/../g)!.join(':'),
  };
}
