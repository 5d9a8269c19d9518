import type { CertificateRecord } from '../../../../src-shared/domain/ca-profile';
import { dateTimeText, keyUsageText } from './certificate-text';

/** What Ivanti's "Configuration test successful" page shows of the Duo certificate, and a little more. */
export function CertificateDetails({ certificate, label }: { certificate: CertificateRecord; label: string }) {
  return (
    <dl className="facts" aria-label={label}>
      <dt>Subject</dt>
      <dd className="mono">{certificate.subject}</dd>
      <dt>Issuer</dt>
      <dd className="mono">{certificate.issuer}</dd>
      <dt>Serial number</dt>
      <dd className="mono">{certificate.serialNumber}</dd>
      <dt>Valid from</dt>
      <dd>{dateTimeText(certificate.notBefore)}</dd>
      <dt>Valid until</dt>
      <dd>{dateTimeText(certificate.notAfter)}</dd>
      <dt>Key usage</dt>
      <dd>{keyUsageText(certificate.keyUsage)}</dd>
      <dt>SHA-256 fingerprint</dt>
      <dd className="mono certificates-fingerprint">{certificate.sha256Fingerprint}</dd>
    </dl>
  );
}
