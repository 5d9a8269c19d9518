import { AppError } from '../../../src-shared/errors';
import {
  type Asn1,
  children,
  expectSequence,
  expectSet,
  ia5String,
  oid,
  printableString,
  readOid,
  readText,
  sequence,
  set,
  utf8String,
} from './der';

/**
 * Distinguished names as admins type them ("CN=device-42,O=Acme") and as X.509 encodes them. The string form follows
 * RFC 4514: the most specific RDN comes first, so it is the reverse of the encoding order (what Windows, .NET and
 * `openssl -nameopt RFC2253` show). A subject typed here and the summary of the issued certificate read the same.
 */

interface AttributeType {
  oid: string;
  label: string;
  /** IA5String for the attributes whose ASN.1 definitions require it; otherwise PrintableString or UTF8String. */
  ia5?: boolean;
  /** C must be a two-letter PrintableString (ISO 3166). */
  country?: boolean;
}

const ATTRIBUTES: Record<string, AttributeType> = {
  CN: { oid: '2.5.4.3', label: 'CN' },
  SERIALNUMBER: { oid: '2.5.4.5', label: 'SERIALNUMBER' },
  C: { oid: '2.5.4.6', label: 'C', country: true },
  L: { oid: '2.5.4.7', label: 'L' },
  ST: { oid: '2.5.4.8', label: 'ST' },
  S: { oid: '2.5.4.8', label: 'ST' },
  STREET: { oid: '2.5.4.9', label: 'STREET' },
  O: { oid: '2.5.4.10', label: 'O' },
  OU: { oid: '2.5.4.11', label: 'OU' },
  T: { oid: '2.5.4.12', label: 'T' },
  TITLE: { oid: '2.5.4.12', label: 'T' },
  UID: { oid: '0.9.2342.19200300.100.1.1', label: 'UID' },
  DC: { oid: '0.9.2342.19200300.100.1.25', label: 'DC', ia5: true },
  E: { oid: '1.2.840.113549.1.9.1', label: 'E', ia5: true },
  EMAIL: { oid: '1.2.840.113549.1.9.1', label: 'E', ia5: true },
  EMAILADDRESS: { oid: '1.2.840.113549.1.9.1', label: 'E', ia5: true },
};

const LABEL_BY_OID = new Map(Object.values(ATTRIBUTES).map((a) => [a.oid, a.label]));
const TYPE_BY_OID = new Map(Object.values(ATTRIBUTES).map((a) => [a.oid, a]));

export interface NameAttribute {
  oid: string;
  value: string;
}

/** RDNs in encoding order (root first); each RDN holds one or more attributes (multi-valued with '+'). */
export type ParsedName = NameAttribute[][];

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { field: 'subject' });
}

/** Splits on an unescaped separator, keeping escapes in place for the value decoder. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1]!;
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeValue(raw: string): string {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  let out = '';
  const hexRun: number[] = [];
  const flushHex = () => {
    if (hexRun.length > 0) out += Buffer.from(hexRun).toString('utf8');
    hexRun.length = 0;
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      hexRun.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    flushHex();
    if (ch === '\\' && i + 1 < value.length) {
      out += value[i + 1]!;
      i++;
    } else {
      out += ch;
    }
  }
  flushHex();
  return out;
}

/** Parses "CN=device,O=Acme" (RFC 4514 order) into RDNs in encoding order. Throws VALIDATION_FAILED. */
export function parseDistinguishedName(text: string): ParsedName {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid('Enter a subject such as CN=device-42,O=Acme.');
  const rdns = splitUnescaped(trimmed, ',').map((rdnText) =>
    splitUnescaped(rdnText, '+').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw invalid(`"${pair.trim()}" in the subject is not of the form NAME=value (e.g. CN=device-42).`);
      const name = pair.slice(0, eq).trim();
      const type = /^\d+(\.\d+)+$/.test(name) ? { oid: name, label: name } : ATTRIBUTES[name.toUpperCase()];
      if (!type) {
        throw invalid(`The subject attribute "${name}" is not known. Use CN, O, OU, L, ST, C, E, DC, UID or a dotted OID.`);
      }
      const value = unescapeValue(pair.slice(eq + 1));
      if (value === '') throw invalid(`The subject attribute ${name} has no value.`);
      if ('country' in type && type.country && !/^[A-Za-z]{2}$/.test(value)) {
        throw invalid(`The country (C) in the subject must be a two-letter code such as US, not "${value}".`);
      }
      return { oid: type.oid, value };
    }),
  );
  return rdns.reverse();
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function attributeValue(attribute: NameAttribute): Asn1 {
  const type = TYPE_BY_OID.get(attribute.oid);
  if (type?.ia5) {
    if (!/^\p{ASCII}*$/u.test(attribute.value)) throw invalid(`${type.label} in the subject must be ASCII.`);
    return ia5String(attribute.value);
  }
  return PRINTABLE.test(attribute.value) ? printableString(attribute.value) : utf8String(attribute.value);
}

/** The X.509 Name for a parsed DN. */
export function nameToAsn1(name: ParsedName): Asn1 {
  return sequence(
    name.map((rdn) => set(rdn.map((attribute) => sequence([oid(attribute.oid), attributeValue(attribute)])))),
  );
}

export function distinguishedNameToAsn1(text: string): Asn1 {
  return nameToAsn1(parseDistinguishedName(text));
}

/** Reads an encoded Name back into RDNs (encoding order). */
export function readName(node: Asn1, what: string): ParsedName {
  return expectSequence(node, what).map((rdn) =>
    expectSet(rdn, `${what} RDN`).map((pair) => {
      const [type, value] = children(pair, `${what} attribute`);
      return { oid: readOid(type, `${what} attribute type`), value: readText(value, `${what} attribute value`) };
    }),
  );
}

function escapeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (ch) => `\\${ch}`)
    .replace(/^[ #]/, (ch) => `\\${ch}`)
    .replace(/ $/, '\\ ');
}

/** "CN=device-42,O=Acme": RFC 4514 order, most specific first. */
export function formatDistinguishedName(name: ParsedName): string {
  return [...name]
    .reverse()
    .map((rdn) => rdn.map((a) => `${LABEL_BY_OID.get(a.oid) ?? a.oid}=${escapeValue(a.value)}`).join('+'))
    .join(',');
}
