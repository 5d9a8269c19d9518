import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../../../src-shared/errors';
import {
  identifies,
  issuerAndSerialNumber,
  readCertificateIdentifier,
  type CertificateFields,
  type CertificateIdentifier,
} from './certificate-fields';
import {
  type Asn1,
  Type,
  algorithmIdentifier,
  asUniversalSet,
  children,
  derSortedSet,
  expectSequence,
  expectSet,
  explicitTag,
  implicitConstructed,
  isContextTag,
  isUniversal,
  octetString,
  oid,
  parseDer,
  rawDer,
  readOctetString,
  readOid,
  sequence,
  set,
  smallInteger,
  toDer,
  utcTime,
} from './der';
import { DIGEST_OID, OID, digestNameForOid, type DigestName } from './oids';

/**
 * CMS SignedData (RFC 5652) as SCEP uses it, built and verified here because node-forge can do neither for SCEP:
 * its signer drops custom authenticated attributes (node-forge issue #400) and its `verify()` is not implemented.
 * The RSA operations run in node:crypto (node-forge's JavaScript RSA takes ~65 ms per private-key operation here).
 */

export interface CmsAttribute {
  type: string;
  values: Asn1[];
}

export interface SignedDataSigner {
  certificate: CertificateFields;
  privateKey: KeyObject;
  digest: DigestName;
}

export interface BuildSignedDataInput {
  /** The encapsulated content (id-data); null for a SCEP reply without content (FAILURE, PENDING). */
  content: Buffer | null;
  signer: SignedDataSigner;
  /** Added to contentType, messageDigest and signingTime. */
  attributes: CmsAttribute[];
  /** Certificates to carry; the signer's certificate by default. */
  certificates?: Buffer[];
  signingTime?: Date;
}

function attribute(type: string, value: Asn1): Asn1 {
  return sequence([oid(type), set([value])]);
}

export function buildSignedData(input: BuildSignedDataInput): Buffer {
  const { signer } = input;
  const digestOid = DIGEST_OID[signer.digest];
  const content = input.content ?? Buffer.alloc(0);
  const signedAttributes = derSortedSet([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(createHash(signer.digest).update(content).digest())),
    attribute(OID.signingTime, utcTime(input.signingTime ?? new Date())),
    ...input.attributes.map((a) => sequence([oid(a.type), set(a.values)])),
  ]);
  // The signature covers the attributes encoded as a universal SET (tag 0x31), not as the [0] they are sent in.
  const signature = sign(signer.digest, toDer(signedAttributes), signer.privateKey);

  const signerInfo = sequence([
    smallInteger(1),
    issuerAndSerialNumber(signer.certificate),
    algorithmIdentifier(digestOid),
    implicitConstructed(0, children(signedAttributes, 'signed attributes')),
    // rsaEncryption (not sha256WithRSAEncryption): what every SCEP implementation accepts.
    algorithmIdentifier(OID.rsaEncryption),
    octetString(signature),
  ]);
  const encapsulated = input.content
    ? sequence([oid(OID.data), explicitTag(0, octetString(input.content))])
    : sequence([oid(OID.data)]);
  const certificates = (input.certificates ?? [signer.certificate.der]).map((der) => rawDer(der));
  const signedData = sequence([
    smallInteger(1),
    set([algorithmIdentifier(digestOid)]),
    encapsulated,
    implicitConstructed(0, certificates),
    set([signerInfo]),
  ]);
  return toDer(sequence([oid(OID.signedData), explicitTag(0, signedData)]));
}

export interface SignerInfo {
  signer: CertificateIdentifier;
  digestAlgorithm: string;
  /** The signed attributes as the universal SET the signature covers; null when the signer has none. */
  signedAttributes: Asn1 | null;
  attributes: CmsAttribute[];
  signatureAlgorithm: string;
  signature: Buffer;
}

export interface SignedData {
  contentType: string;
  /** null when the encapsulated content is absent. */
  content: Buffer | null;
  certificates: Buffer[];
  signers: SignerInfo[];
}

/** Reads a ContentInfo holding SignedData (a pkiMessage, or a degenerate certificates-only bundle). */
export function parseSignedData(der: Buffer, what: string): SignedData {
  const [contentType, wrapped] = expectSequence(parseDer(der, what), what);
  if (readOid(contentType, `${what} content type`) !== OID.signedData) {
    throw new AppError('SCEP_BAD_RESPONSE', `The SCEP server sent ${what} that is not a CMS SignedData.`, { what });
  }
  const [body] = children(wrapped, `${what} SignedData`);
  const fields = expectSequence(body, `${what} SignedData`);
  const encapsulated = expectSequence(fields[2], `${what} encapsulated content`);
  const certificates: Buffer[] = [];
  let signerInfos: Asn1 | undefined;
  for (const node of fields.slice(3)) {
    if (isContextTag(node, 0)) certificates.push(...children(node, `${what} certificates`).map((c) => toDer(c)));
    else if (isUniversal(node, Type.SET)) signerInfos = node;
  }
  const contentNode = encapsulated[1];
  return {
    contentType: readOid(encapsulated[0], `${what} encapsulated content type`),
    content: contentNode ? readOctetString(children(contentNode, `${what} content`)[0], `${what} content`) : null,
    certificates,
    signers: expectSet(signerInfos, `${what} signerInfos`).map((node) => parseSignerInfo(node, what)),
  };
}

function parseSignerInfo(node: Asn1, what: string): SignerInfo {
  const fields = expectSequence(node, `${what} signerInfo`);
  const signer = readCertificateIdentifier(fields[1], `${what} signer identifier`);
  const digestAlgorithm = readOid(expectSequence(fields[2], `${what} digest algorithm`)[0], `${what} digest algorithm`);
  let index = 3;
  let signedAttributes: Asn1 | null = null;
  if (isContextTag(fields[index], 0)) {
    signedAttributes = asUniversalSet(fields[index]!, `${what} signed attributes`);
    index++;
  }
  const signatureAlgorithm = readOid(
    expectSequence(fields[index], `${what} signature algorithm`)[0],
    `${what} signature algorithm`,
  );
  const signature = readOctetString(fields[index + 1], `${what} signature`);
  const attributes = signedAttributes
    ? children(signedAttributes, 'signed attributes').map((a) => {
        const [type, values] = expectSequence(a, `${what} attribute`);
        return { type: readOid(type, `${what} attribute type`), values: expectSet(values, `${what} attribute values`) };
      })
    : [];
  return { signer, digestAlgorithm, signedAttributes, attributes, signatureAlgorithm, signature };
}

/** Whether `signer` names `certificate` (by issuer and serial number, or by subject key identifier). */
export function signerMatches(signer: SignerInfo, certificate: CertificateFields): boolean {
  return identifies(signer.signer, certificate);
}

export function findAttribute(signer: SignerInfo, type: string): Asn1 | undefined {
  return signer.attributes.find((a) => a.type === type)?.values[0];
}

/**
 * Verifies one signer of `signedData` with `certificate`'s public key: the RSA signature over the signed
 * attributes, then the messageDigest attribute against the content. The certificate is the one the caller trusts
 * (for a CertRep, the CA/RA certificate from GetCACert), never one carried inside the message.
 */
export function verifySigner(signedData: SignedData, signer: SignerInfo, certificate: CertificateFields): void {
  const digest = digestNameForOid(signer.digestAlgorithm);
  if (!digest) {
    throw new AppError(
      'SCEP_UNSUPPORTED',
      signer.digestAlgorithm === OID.md5
        ? 'The SCEP server signed its reply with MD5, which the console does not accept (RFC 8894 forbids it).'
        : 'The SCEP server signed its reply with a digest algorithm the console does not support.',
      { digestAlgorithm: signer.digestAlgorithm },
    );
  }
  if (!signer.signedAttributes) {
    throw new AppError('SCEP_BAD_RESPONSE', 'The SCEP server\'s reply carries no signed SCEP attributes.');
  }
  let valid = false;
  try {
    const publicKey = createPublicKey({ key: certificate.publicKeyInfo, format: 'der', type: 'spki' });
    valid = verify(digest, toDer(signer.signedAttributes), publicKey, signer.signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new AppError(
      'SCEP_BAD_SIGNATURE',
      'The reply is not signed by the CA/RA certificate the SCEP server published (GetCACert). Something between the console and the CA altered or forged it.',
    );
  }
  const messageDigest = findAttribute(signer, OID.messageDigest);
  const expected = createHash(digest).update(signedData.content ?? Buffer.alloc(0)).digest();
  if (!messageDigest || !readOctetString(messageDigest, 'messageDigest').equals(expected)) {
    throw new AppError(
      'SCEP_DIGEST_MISMATCH',
      'The content of the SCEP reply does not match the digest the CA signed: it was altered in transit.',
    );
  }
}
