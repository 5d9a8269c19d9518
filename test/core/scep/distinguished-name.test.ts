import { describe, expect, it } from 'vitest';
import {
  distinguishedNameToAsn1,
  formatDistinguishedName,
  parseDistinguishedName,
  readName,
} from '../../../src-main/core/scep/distinguished-name';
import { Type, toDer } from '../../../src-main/core/scep/der';

function roundTrip(text: string): string {
  return formatDistinguishedName(readName(distinguishedNameToAsn1(text), 'subject'));
}

describe('subjects as admins type them', () => {
  it('encodes RFC 4514 order in reverse, root first, as X.509 expects', () => {
    expect(parseDistinguishedName('CN=device-42,O=Acme,C=US')).toEqual([
      [{ oid: '2.5.4.6', value: 'US' }],
      [{ oid: '2.5.4.10', value: 'Acme' }],
      [{ oid: '2.5.4.3', value: 'device-42' }],
    ]);
  });

  it('reads back what it wrote, with spaces, escapes, multi-valued RDNs and non-ASCII text', () => {
    expect(roundTrip('CN=device-42, O=Acme')).toBe('CN=device-42,O=Acme');
    expect(roundTrip('CN=Smith\\, John,OU=Sales+L=Berlin,O=Acme')).toBe('CN=Smith\\, John,OU=Sales+L=Berlin,O=Acme');
    expect(roundTrip('CN=Jürgen Straße,E=j@example.com,DC=example')).toBe('CN=Jürgen Straße,E=j@example.com,DC=example');
    expect(roundTrip('CN=\\23hash')).toBe('CN=\\#hash');
  });

  it('picks PrintableString where it fits, UTF8String otherwise and IA5String for e-mail and DC', () => {
    const name = distinguishedNameToAsn1('CN=Jürgen,O=Acme,E=j@example.com');
    const types = (name.value as Array<{ value: Array<{ value: Array<{ type: number }> }> }>).map((rdn) => rdn.value[0]!.value[1]!.type);
    expect(types).toEqual([Type.IA5STRING, Type.PRINTABLESTRING, Type.UTF8]);
    expect(toDer(name).includes(Buffer.from('Jürgen', 'utf8'))).toBe(true);
  });

  it('accepts dotted OIDs as attribute names', () => {
    expect(parseDistinguishedName('2.5.4.45=abc')).toEqual([[{ oid: '2.5.4.45', value: 'abc' }]]);
    expect(parseDistinguishedName('emailAddress=a@b.c')[0]![0]!.oid).toBe('1.2.840.113549.1.9.1');
  });

  it('explains what is wrong with a subject it cannot use', () => {
    for (const [text, message] of [
      ['', /Enter a subject/],
      ['device-42', /NAME=value/],
      ['XYZ=1', /"XYZ" is not known/],
      ['CN=', /has no value/],
      ['C=USA', /two-letter/],
    ] as const) {
      expect(() => parseDistinguishedName(text)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', message: expect.stringMatching(message) }));
    }
  });
});
