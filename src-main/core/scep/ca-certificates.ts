import { createHash } from 'node:crypto';
import type { KeyUsageName } from '../../../src-shared/domain/certificate';
import { AppError } from '../../../src-shared/errors';
import { allowsKeyUsage, readCertificate, type CertificateFields } from './certificate-fields';
import { Type, expectSequence, isUniversal, parseDer, toDer } from './der';
import { pemToDerList } from './pem';
import { parseSignedData } from './signed-data';

/**
 * The CA's answer to GetCACert, with the role of each certificate worked out. A CA alone answers with one DER
 * certificate (application/x-x509-ca-cert); a CA behind a registration authority, as NDES always is, answers with a
 * certificates-only CMS SignedData (application/x-x509-ca-ra-cert) whose order is not specified.
 */
export interface CaCertificates {
  form: 'single' | 'ca-ra';
  certificates: CertificateFields[];
  /** Requests are encrypted to this one (keyEncipherment). */
  recipient: CertificateFields;
  /** Replies are expected to be signed by this one (digitalSignature); see `trustedSigners`. */
  signer: CertificateFields;
  /** The issuing CA: its name goes into CertPoll's IssuerAndSubject. */
  issuer: CertificateFields;
}

export function parseCaCertificates(body: Buffer): CaCertificates {
  const certificates = readCertificateList(body);
  if (certificates.length === 0) {
    throw new AppError('SCEP_BAD_RESPONSE', 'The SCEP server\'s GetCACert answer holds no certificate.');
  }
  const recipient = pickFor(certificates, 'keyEncipherment');
  const signer = pickFor(certificates, 'digitalSignature');
  return {
    form: certificates.length === 1 ? 'single' : 'ca-ra',
    certificates,
    recipient,
    signer,
    issuer: issuingCa(certificates, recipient),
  };
}

function readCertificateList(body: Buffer): CertificateFields[] {
  const head = body.subarray(0, 64).toString('latin1');
  if (head.includes('-----BEGIN')) {
    return pemToDerList(body.toString('latin1')).map((der) => readCertificate(der, 'CA certificate'));
  }
  // Decide by content, not by Content-Type: servers mislabel both forms. A certificate starts with a SEQUENCE
  // (tbsCertificate); a CMS ContentInfo starts with an OID.
  const [first] = expectSequence(parseDer(body, 'GetCACert answer'), 'GetCACert answer');
  if (isUniversal(first, Type.OID)) {
    return parseSignedData(body, 'GetCACert answer').certificates.map((der) => readCertificate(der, 'CA/RA certificate'));
  }
  return [readCertificate(body, 'CA certificate')];
}

/**
 * The certificate for `usage`, in this order of preference: an RA (non-CA) certificate that states the usage, an RA
 * certificate without keyUsage, a CA certificate that states it; failing all, the end of the chain (the certificate
 * that issued no other in the set), which is how a CA without an RA (micromdm/scep: keyCertSign only) is used.
 */
function pickFor(certificates: CertificateFields[], usage: KeyUsageName): CertificateFields {
  const score = (c: CertificateFields) =>
    !c.isCa && c.keyUsage?.includes(usage) ? 3 : !c.isCa && c.keyUsage === null ? 2 : c.isCa && allowsKeyUsage(c, usage) ? 1 : 0;
  let best: CertificateFields | undefined;
  for (const certificate of certificates) if (score(certificate) > 0 && (!best || score(certificate) > score(best))) best = certificate;
  return best ?? endOfChain(certificates);
}

function endOfChain(certificates: CertificateFields[]): CertificateFields {
  const issuers = new Set(
    certificates
      .filter((c) => !toDer(c.subject).equals(toDer(c.issuer)) || certificates.length === 1)
      .map((c) => toDer(c.issuer).toString('hex')),
  );
  return certificates.find((c) => !issuers.has(toDer(c.subject).toString('hex'))) ?? certificates[0]!;
}

function issuingCa(certificates: CertificateFields[], recipient: CertificateFields): CertificateFields {
  if (recipient.isCa) return recipient;
  const issuer = toDer(recipient.issuer);
  return certificates.find((c) => c.isCa && toDer(c.subject).equals(issuer)) ?? recipient;
}

/**
 * NDES shows a thumbprint of its CA certificate on the challenge page: MD5 on older servers (32 hex digits), SHA-1
 * (40) or SHA-256 (64) on others. Matching it against GetCACert proves the SCEP URL and the challenge URL lead to
 * the same CA. The hash only identifies a certificate here; it protects nothing.
 */
export function assertCaThumbprint(ca: CaCertificates, thumbprint: string): void {
  const wanted = thumbprint.replace(/[\s:]/g, '').toLowerCase();
  const algorithm = { 32: 'md5', 40: 'sha1', 64: 'sha256' }[wanted.length];
  const match =
    algorithm !== undefined && ca.certificates.some((c) => createHash(algorithm).update(c.der).digest('hex') === wanted);
  if (!match) {
    throw new AppError(
      'SCEP_CA_THUMBPRINT_MISMATCH',
      'The CA certificate published at the SCEP URL does not match the thumbprint shown on the challenge page. Check that both URLs point to the same NDES server.',
      { thumbprint: wanted },
    );
  }
}
