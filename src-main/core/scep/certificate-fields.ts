import { KEY_USAGE_NAMES, type KeyUsageName } from '../../../src-shared/domain/key-usage';
import {
  type Asn1,
  Type,
  children,
  contentBytes,
  expectSequence,
  isContextTag,
  isUniversal,
  booleanTrue,
  octetString,
  oid,
  parseDer,
  rawBitString,
  rawInteger,
  readBitString,
  readInteger,
  readOctetString,
  readOid,
  readTime,
  sequence,
  toDer,
} from './der';
import { OID } from './oids';

/**
 * The parts of an X.509 certificate SCEP works with, read from its DER with node-forge's ASN.1 parser rather than
 * forge's certificate parser (which refuses any non-RSA key, and CA chains may hold EC certificates) or Node's
 * X509Certificate (which does not expose the keyUsage bits).
 */
export interface CertificateFields {
  der: Buffer;
  serialNumber: Buffer;
  /** The encoded Name nodes, reused as-is in IssuerAndSerialNumber so a strict CA matches them byte for byte. */
  issuer: Asn1;
  subject: Asn1;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  publicKeyInfo: Buffer;
  /** null when the keyUsage extension is absent (then every usage is allowed). */
  keyUsage: KeyUsageName[] | null;
  isCa: boolean;
  /** The subjectKeyIdentifier extension, for CMS signers identified by key id instead of issuer and serial. */
  subjectKeyIdentifier: Buffer | null;
}



export function readCertificate(der: Buffer, what = 'certificate'): CertificateFields {
  const [tbs] = expectSequence(parseDer(der, what), what);
  const fields = expectSequence(tbs, `${what} tbsCertificate`);
  // version is [0] EXPLICIT and absent for v1 certificates.
  const offset = isContextTag(fields[0], 0) ? 1 : 0;
  const serialNode = fields[offset];
  const issuer = fields[offset + 2]!;
  const [notBefore, notAfter] = expectSequence(fields[offset + 3], `${what} validity`);
  const subject = fields[offset + 4]!;
  const spki = fields[offset + 5];
  expectSequence(issuer, `${what} issuer`);
  expectSequence(subject, `${what} subject`);
  expectSequence(spki, `${what} subjectPublicKeyInfo`);

  let keyUsage: KeyUsageName[] | null = null;
  let isCa = false;
  let subjectKeyIdentifier: Buffer | null = null;
  const extensionsWrapper = fields.slice(offset + 6).find((node) => isContextTag(node, 3));
  if (extensionsWrapper) {
    const [extensions] = children(extensionsWrapper, `${what} extensions`);
    for (const extension of expectSequence(extensions, `${what} extensions`)) {
      const parts = expectSequence(extension, `${what} extension`);
      const id = readOid(parts[0], `${what} extension id`);
      const value = readOctetString(parts[parts.length - 1], `${what} extension value`);
      if (id === OID.keyUsage) keyUsage = decodeKeyUsage(readBitString(parseDer(value, `${what} keyUsage`), 'keyUsage'));
      if (id === OID.basicConstraints) isCa = decodeIsCa(parseDer(value, `${what} basicConstraints`));
      if (id === OID.subjectKeyIdentifier) {
        subjectKeyIdentifier = readOctetString(parseDer(value, `${what} subjectKeyIdentifier`), 'subjectKeyIdentifier');
      }
    }
  }

  return {
    der,
    serialNumber: readInteger(serialNode, `${what} serial number`),
    issuer,
    subject,
    notBefore: readTime(notBefore, `${what} notBefore`),
    notAfter: readTime(notAfter, `${what} notAfter`),
    publicKeyInfo: toDer(spki!),
    keyUsage,
    isCa,
    subjectKeyIdentifier,
  };
}

/** The keyUsage extension (RFC 5280 4.2.1.3) for `usages`, as `Extension ::= SEQUENCE { id, critical, value }`. */
export function keyUsageExtension(usages: readonly KeyUsageName[], critical: boolean): Asn1 {
  const bits = Buffer.alloc(2);
  let highest = -1;
  for (const usage of usages) {
    const index = KEY_USAGE_NAMES.indexOf(usage);
    bits[index >> 3]! |= 0x80 >> (index & 7);
    highest = Math.max(highest, index);
  }
  // DER named bit lists drop trailing zero bits (X.690 11.2.2): keep the octets in use, count the unused bits.
  const used = bits.subarray(0, (highest >> 3) + 1);
  const unused = highest < 0 ? 0 : 7 - (highest & 7);
  const bitString = rawBitString(Buffer.concat([Buffer.from([unused]), used]));
  return sequence([oid(OID.keyUsage), ...(critical ? [booleanTrue()] : []), octetString(toDer(bitString))]);
}

function decodeKeyUsage(bits: Buffer): KeyUsageName[] {
  return KEY_USAGE_NAMES.filter((_, index) => {
    const byte = bits[index >> 3];
    return byte !== undefined && (byte & (0x80 >> (index & 7))) !== 0;
  });
}

function decodeIsCa(node: Asn1): boolean {
  const [first] = expectSequence(node, 'basicConstraints');
  return isUniversal(first, Type.BOOLEAN) && contentBytes(first, 'cA')[0] !== 0;
}

/** Whether the certificate may be used for `usage`; a certificate without keyUsage allows every usage. */
export function allowsKeyUsage(certificate: CertificateFields, usage: KeyUsageName): boolean {
  return certificate.keyUsage === null || certificate.keyUsage.includes(usage);
}

/**
 * How CMS names a certificate (SignerIdentifier, RecipientIdentifier): by issuer and serial number, or by subject
 * key identifier.
 */
export interface CertificateIdentifier {
  issuer: Asn1 | null;
  serialNumber: Buffer | null;
  subjectKeyIdentifier: Buffer | null;
}

/** Reads a SignerIdentifier / RecipientIdentifier: IssuerAndSerialNumber, or `[0] SubjectKeyIdentifier`. */
export function readCertificateIdentifier(node: Asn1 | undefined, what: string): CertificateIdentifier {
  if (isContextTag(node, 0)) {
    return { issuer: null, serialNumber: null, subjectKeyIdentifier: contentBytes(node, what) };
  }
  const [issuer, serial] = expectSequence(node, what);
  expectSequence(issuer, `${what} issuer`);
  return { issuer: issuer!, serialNumber: readInteger(serial, `${what} serial number`), subjectKeyIdentifier: null };
}

export function issuerAndSerialNumber(certificate: CertificateFields): Asn1 {
  return sequence([certificate.issuer, rawInteger(certificate.serialNumber)]);
}

export function identifies(identifier: CertificateIdentifier, certificate: CertificateFields): boolean {
  if (identifier.subjectKeyIdentifier) {
    return certificate.subjectKeyIdentifier !== null && certificate.subjectKeyIdentifier.equals(identifier.subjectKeyIdentifier);
  }
  return (
    identifier.issuer !== null &&
    identifier.serialNumber !== null &&
    toDer(identifier.issuer).equals(toDer(certificate.issuer)) &&
    withoutLeadingZeros(identifier.serialNumber).equals(withoutLeadingZeros(certificate.serialNumber))
  );
}

export function withoutLeadingZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
