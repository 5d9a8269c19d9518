import { describe, expect, it } from 'vitest';
import { chooseAlgorithms, parseCaps } from '../../../src-main/core/scep/scep-caps';

describe('GetCACaps', () => {
  it('reads keywords whatever the case and line endings', () => {
    const caps = parseCaps('postpkioperation\r\nRenewal\r\nSHA-1\r\nDES3\r\n\r\n');
    expect(caps).toMatchObject({ postPkiOperation: true, renewal: true, sha1: true, des3: true, aes: false, sha256: false });
  });

  it('takes SCEPStandard as AES, SHA-256 and POSTPKIOperation (RFC 8894 3.5.2)', () => {
    expect(chooseAlgorithms(parseCaps('SCEPStandard'))).toEqual({ cipher: 'aes-128-cbc', digest: 'sha256' });
    expect(parseCaps('SCEPStandard').postPkiOperation).toBe(true);
  });

  it('prefers AES and SHA-256, and uses Triple DES and SHA-1 only when nothing better is offered', () => {
    expect(chooseAlgorithms(parseCaps('AES\nDES3\nSHA-1\nSHA-256'))).toEqual({ cipher: 'aes-128-cbc', digest: 'sha256' });
    expect(chooseAlgorithms(parseCaps('DES3\nSHA-1'))).toEqual({ cipher: 'des-ede3-cbc', digest: 'sha1' });
    expect(chooseAlgorithms(parseCaps('AES\nSHA-512'))).toEqual({ cipher: 'aes-128-cbc', digest: 'sha512' });
  });

  it('refuses a CA that would need single DES or MD5', () => {
    for (const text of ['', 'POSTPKIOperation', 'AES', 'SHA-256']) {
      expect(() => chooseAlgorithms(parseCaps(text))).toThrow(expect.objectContaining({ code: 'SCEP_UNSUPPORTED' }));
    }
  });
});
