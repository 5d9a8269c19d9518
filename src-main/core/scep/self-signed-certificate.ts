import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { keyUsageExtension, readCertificate, type CertificateFields } from './certificate-fields';
import {
  type Asn1,
  algorithmIdentifier,
  bitString,
  explicitTag,
  rawDer,
  sequence,
  smallInteger,
  toDer,
  unsignedInteger,
  utcTime,
} from './der';
import { SIGNATURE_OID, type DigestName } from './oids';

/**
 * The throwaway certificate a new SCEP request is signed with (RFC 8894 section 2.3: before it has a certificate,
 * the requester signs with a self-signed one for the key in its PKCS#10). The CA encrypts its reply to this
 * certificate, so it allows keyEncipherment as well as digitalSignature.
 */
export function buildSelfSignedCertificate(input: {
  subject: Asn1;
  publicKey: KeyObject;
  privateKey: KeyObject;
  digest: DigestName;
  now: Date;
}): CertificateFields {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive and never zero
  // Ten minutes of slack either way for a CA whose clock runs behind ours; the certificate dies with the request.
  const notBefore = new Date(input.now.getTime() - 10 * 60_000);
  const notAfter = new Date(input.now.getTime() + 24 * 60 * 60_000);
  const signatureAlgorithm = algorithmIdentifier(SIGNATURE_OID[input.digest]);
  const tbs = sequence([
    explicitTag(0, smallInteger(2)),
    unsignedInteger(serial),
    signatureAlgorithm,
    input.subject,
    sequence([utcTime(notBefore), utcTime(notAfter)]),
    input.subject,
    rawDer(input.publicKey.export({ format: 'der', type: 'spki' })),
    explicitTag(3, sequence([keyUsageExtension(['digitalSignature', 'keyEncipherment'], true)])),
  ]);
  const signature = sign(input.digest, toDer(tbs), input.privateKey);
  const der = toDer(sequence([tbs, algorithmIdentifier(SIGNATURE_OID[input.digest]), bitString(signature)]));
  return readCertificate(der, 'self-signed certificate');
}
