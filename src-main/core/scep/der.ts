import type * as forge from 'node-forge';
import asn1 from 'node-forge/lib/asn1';
import util from 'node-forge/lib/util';
import { AppError } from '../../../src-shared/errors';

/**
 * The ASN.1 DER codec the SCEP messages are built and read with: node-forge's ASN.1 tree plus the few things forge
 * does not do (sorting a SET OF by its encodings, reading with our own error codes). node-forge strings are "binary"
 * strings (one char per byte); everything that leaves this file is a Buffer.
 */
export type Asn1 = forge.asn1.Asn1;
export const Type = asn1.Type;
export const Class = asn1.Class;

// ---- writing -------------------------------------------------------------------------------------------------

export function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

export function sequence(items: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

/** A SET holding one value, or values whose order does not matter to any reader. */
export function set(items: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SET, true, items);
}

/**
 * A DER SET OF: X.690 11.6 orders the components by their encodings compared as octet strings, the shorter padded
 * with zero octets. Strict SCEP servers verify the signature over the attribute SET as re-encoded by their DER
 * library, so an unsorted SET fails there even though our own signature was over the same bytes.
 */
export function derSortedSet(items: Asn1[]): Asn1 {
  const encoded = items.map((node) => ({ node, der: toDer(node) }));
  encoded.sort((a, b) => compareDerEncodings(a.der, b.der));
  return set(encoded.map((e) => e.node));
}

export function compareDerEncodings(a: Buffer, b: Buffer): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  const longer = a.length > b.length ? a : b;
  const sign = a.length > b.length ? 1 : -1;
  for (let i = shared; i < longer.length; i++) {
    if (longer[i] !== 0) return sign;
  }
  return 0;
}

export function oid(dotted: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

/** A non-negative INTEGER from its big-endian magnitude (a leading zero is added when the top bit is set). */
export function unsignedInteger(magnitude: Buffer): Asn1 {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let bytes = magnitude.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, bytes.toString('binary'));
}

/** An INTEGER from content octets read elsewhere, kept byte for byte (serial numbers are matched exactly). */
export function rawInteger(content: Buffer): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, content.toString('binary'));
}

export function smallInteger(value: number): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

export function octetString(bytes: Buffer): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
}

/** A BIT STRING holding whole octets (a signature): zero unused bits. */
export function bitString(bytes: Buffer): Asn1 {
  return rawBitString(Buffer.concat([Buffer.from([0]), bytes]));
}

/** A BIT STRING from its full content octets (the unused-bits count first). */
export function rawBitString(content: Buffer): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, content.toString('binary'));
}

export function booleanTrue(): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, '\u00ff');
}

export function printableString(value: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.PRINTABLESTRING, false, value);
}

export function ia5String(value: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.IA5STRING, false, value);
}

export function utf8String(value: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.UTF8, false, util.encodeUtf8(value));
}

export function nullValue(): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}

export function utcTime(date: Date): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date));
}

/** AlgorithmIdentifier; RSA and digest algorithms carry explicit NULL parameters (RFC 4055 section 2.1). */
export function algorithmIdentifier(algorithm: string, withNullParameters = true): Asn1 {
  return sequence(withNullParameters ? [oid(algorithm), nullValue()] : [oid(algorithm)]);
}

/** `[n] EXPLICIT inner`. */
export function explicitTag(tagNumber: number, inner: Asn1): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, true, [inner]);
}

/** `[n] IMPLICIT SET/SEQUENCE OF`: the children keep their own tags. */
export function implicitConstructed(tagNumber: number, children: Asn1[]): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, true, children);
}

/** `[n] IMPLICIT OCTET STRING`. */
export function implicitPrimitive(tagNumber: number, bytes: Buffer): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, false, bytes.toString('binary'));
}

/** Wraps already-encoded DER (a certificate, a Name) so it can sit in a tree being built. */
export function rawDer(der: Buffer): Asn1 {
  return parseDer(der, 'an embedded DER value');
}

// ---- reading -------------------------------------------------------------------------------------------------

/**
 * Parses one complete DER value. Truncated input, trailing bytes and impossible lengths all end here as
 * SCEP_MALFORMED_DER, so a damaged reply is never half-read. `what` names the value for the admin ("PKIOperation
 * reply", "GetCACert answer").
 */
export function parseDer(bytes: Buffer, what: string): Asn1 {
  if (bytes.length === 0) {
    throw new AppError('SCEP_MALFORMED_DER', `The ${what} is empty.`, { what });
  }
  try {
    // decodeBitStrings: false keeps BIT STRING contents (public keys, signatures) as the raw bytes that were sent.
    const options = { strict: true, parseAllBytes: true, decodeBitStrings: false };
    return (asn1.fromDer as unknown as (b: string, o: typeof options) => Asn1)(bytes.toString('binary'), options);
  } catch (error) {
    throw new AppError(
      'SCEP_MALFORMED_DER',
      `The ${what} is not valid DER: it is truncated or was damaged in transit.`,
      { what, length: bytes.length },
      { cause: error },
    );
  }
}

function badStructure(what: string): AppError {
  return new AppError('SCEP_BAD_RESPONSE', `The SCEP server's answer could not be read: ${what}.`, { what });
}

export function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw badStructure(`${what} is missing or not constructed`);
  return node.value;
}

export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node !== undefined && node.tagClass === Class.UNIVERSAL && node.type === type;
}

export function isContextTag(node: Asn1 | undefined, tagNumber: number): boolean {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tagNumber;
}

export function expectSequence(node: Asn1 | undefined, what: string): Asn1[] {
  if (!isUniversal(node, Type.SEQUENCE)) throw badStructure(`${what} is not a SEQUENCE`);
  return children(node, what);
}

export function expectSet(node: Asn1 | undefined, what: string): Asn1[] {
  if (!isUniversal(node, Type.SET)) throw badStructure(`${what} is not a SET`);
  return children(node, what);
}

export function readOid(node: Asn1 | undefined, what: string): string {
  if (!isUniversal(node, Type.OID) || typeof node!.value !== 'string') throw badStructure(`${what} is not an OID`);
  return asn1.derToOid(node!.value);
}

/** The content octets of a primitive value; a constructed (BER-style, chunked) OCTET STRING is concatenated. */
export function contentBytes(node: Asn1 | undefined, what: string): Buffer {
  if (!node) throw badStructure(`${what} is missing`);
  if (typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  return Buffer.concat(node.value.map((child) => contentBytes(child, what)));
}

export function readOctetString(node: Asn1 | undefined, what: string): Buffer {
  if (!isUniversal(node, Type.OCTETSTRING)) throw badStructure(`${what} is not an OCTET STRING`);
  return contentBytes(node, what);
}

/** PrintableString, UTF8String or IA5String as text (SCEP servers differ in which they send). */
export function readText(node: Asn1 | undefined, what: string): string {
  if (!node || typeof node.value !== 'string' || node.tagClass !== Class.UNIVERSAL) throw badStructure(`${what} is not a string`);
  switch (node.type) {
    case Type.PRINTABLESTRING:
    case Type.IA5STRING:
      return node.value;
    case Type.UTF8:
      return util.decodeUtf8(node.value);
    default:
      throw badStructure(`${what} is not a text string`);
  }
}

/** A BIT STRING's bytes without the unused-bits octet. */
export function readBitString(node: Asn1 | undefined, what: string): Buffer {
  if (!isUniversal(node, Type.BITSTRING)) throw badStructure(`${what} is not a BIT STRING`);
  return contentBytes(node, what).subarray(1);
}

export function readInteger(node: Asn1 | undefined, what: string): Buffer {
  if (!isUniversal(node, Type.INTEGER)) throw badStructure(`${what} is not an INTEGER`);
  return contentBytes(node, what);
}

export function readTime(node: Asn1 | undefined, what: string): Date {
  if (isUniversal(node, Type.UTCTIME)) return asn1.utcTimeToDate(node!.value as string);
  if (isUniversal(node, Type.GENERALIZEDTIME)) return asn1.generalizedTimeToDate(node!.value as string);
  throw badStructure(`${what} is not a time`);
}

/** Re-tags an IMPLICIT SET (e.g. `[0] signedAttrs`) as the universal SET it stands for, as CMS signs it. */
export function asUniversalSet(node: Asn1, what: string): Asn1 {
  return set(children(node, what));
}
