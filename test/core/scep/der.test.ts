import { describe, expect, it } from 'vitest';
import {
  compareDerEncodings,
  derSortedSet,
  octetString,
  parseDer,
  printableString,
  readText,
  sequence,
  toDer,
  utf8String,
} from '../../../src-main/core/scep/der';

describe('DER codec for SCEP messages', () => {
  it('orders SET OF components by their encodings, a shorter one padded with zero octets (X.690 11.6)', () => {
    expect(compareDerEncodings(Buffer.from([0x30, 0x03]), Buffer.from([0x30, 0x04]))).toBeLessThan(0);
    expect(compareDerEncodings(Buffer.from([0x31, 0x00]), Buffer.from([0x30, 0xff]))).toBeGreaterThan(0);
    expect(compareDerEncodings(Buffer.from([0x04, 0x01]), Buffer.from([0x04, 0x01, 0x00]))).toBe(0);
    expect(compareDerEncodings(Buffer.from([0x04, 0x01]), Buffer.from([0x04, 0x01, 0x05]))).toBeLessThan(0);
  });

  it('emits a sorted SET whatever order the members were given in', () => {
    const members = [octetString(Buffer.from('zz')), printableString('b'), octetString(Buffer.from('a'))];
    const encoded = toDer(derSortedSet(members));
    const reversed = toDer(derSortedSet([...members].reverse()));
    expect(encoded.equals(reversed)).toBe(true);
    // PrintableString (0x13) sorts after OCTET STRING (0x04); the shorter OCTET STRING first.
    expect(encoded.toString('hex')).toBe('310a' + '040161' + '04027a7a' + '130162');
  });

  it('refuses empty, truncated and over-long input with SCEP_MALFORMED_DER', () => {
    const good = toDer(sequence([printableString('19'), octetString(Buffer.alloc(16, 1))]));
    expect(() => parseDer(Buffer.alloc(0), 'reply')).toThrow(expect.objectContaining({ code: 'SCEP_MALFORMED_DER' }));
    expect(() => parseDer(good.subarray(0, good.length - 1), 'reply')).toThrow(expect.objectContaining({ code: 'SCEP_MALFORMED_DER' }));
    expect(() => parseDer(Buffer.concat([good, Buffer.from([0])]), 'reply')).toThrow(expect.objectContaining({ code: 'SCEP_MALFORMED_DER' }));
    expect(() => parseDer(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), 'reply')).toThrow(
      expect.objectContaining({ code: 'SCEP_MALFORMED_DER' }),
    );
  });

  it('reads UTF8String text, as RFC 8894 sends failInfoText, without mangling non-ASCII characters', () => {
    const text = 'Zertifikat abgelehnt – Vorlage fehlt';
    expect(readText(parseDer(toDer(utf8String(text)), 'failInfoText'), 'failInfoText')).toBe(text);
  });
});
