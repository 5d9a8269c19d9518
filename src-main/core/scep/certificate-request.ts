import { sign, type KeyObject } from 'node:crypto';
import type { KeyUsageName } from '../../../src-shared/domain/certificate';
import { keyUsageExtension } from './certificate-fields';
import {
  type Asn1,
  algorithmIdentifier,
  bitString,
  implicitConstructed,
  oid,
  printableString,
  rawDer,
  sequence,
  set,
  smallInteger,
  toDer,
  utf8String,
} from './der';
import { OID, SIGNATURE_OID, type DigestName } from './oids';

export interface CertificateRequestInput {
  /** Encoded X.509 Name. */
  subject: Asn1;
  publicKey: KeyObject;
  privateKey: KeyObject;
  digest: DigestName;
  challengePassword?: string;
  /** Asked for in an extensionRequest; the CA's template decides what it grants. */
  keyUsage?: readonly KeyUsageName[];
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * A PKCS#10 CertificationRequest (RFC 2986) signed with node:crypto. The challenge password goes in as a
 * PrintableString whenever it fits one: NDES and micromdm/scep read PrintableString, and NDES passwords are hex.
 */
export function buildCertificateRequest(input: CertificateRequestInput): Buffer {
  const attributes: Asn1[] = [];
  if (input.challengePassword !== undefined) {
    const value = PRINTABLE.test(input.challengePassword)
      ? printableString(input.challengePassword)
      : utf8String(input.challengePassword);
    attributes.push(sequence([oid(OID.challengePassword), set([value])]));
  }
  if (input.keyUsage && input.keyUsage.length > 0) {
    attributes.push(sequence([oid(OID.extensionRequest), set([sequence([keyUsageExtension(input.keyUsage, true)])])]));
  }
  const requestInfo = sequence([
    smallInteger(0),
    input.subject,
    rawDer(input.publicKey.export({ format: 'der', type: 'spki' })),
    implicitConstructed(0, attributes),
  ]);
  const signature = sign(input.digest, toDer(requestInfo), input.privateKey);
  return toDer(sequence([requestInfo, algorithmIdentifier(SIGNATURE_OID[input.digest]), bitString(signature)]));
}
