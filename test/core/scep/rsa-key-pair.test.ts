import { spawnSync } from 'node:child_process';
import { constants, createPublicKey, privateDecrypt, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../../../src-main/core/scep/rsa-key-pair';

describe('RSA key pairs for SCEP requests', () => {
  it('makes 2048-bit keys with e = 65537 that OpenSSL\'s own key check accepts (primes, modulus, d, CRT values)', async () => {
    for (let i = 0; i < 3; i++) {
      const { privateKey, publicKey } = await generateRsaKeyPair();
      expect(privateKey.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
      expect(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).equals(publicKey.export({ format: 'der', type: 'spki' }))).toBe(
        true,
      );
      const check = spawnSync('openssl', ['rsa', '-check', '-noout'], {
        input: privateKey.export({ format: 'pem', type: 'pkcs1' }),
        encoding: 'utf8',
      });
      expect(check.stdout + check.stderr).toContain('RSA key ok');
    }
  });

  it('decrypts what its public key encrypted', async () => {
    const { privateKey, publicKey } = await generateRsaKeyPair();
    const secret = Buffer.from('content-encryption key');
    const encrypted = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, secret);
    expect(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, encrypted).equals(secret)).toBe(true);
  });

  it('never returns the same modulus twice', async () => {
    const moduli = new Set<string>();
    for (let i = 0; i < 4; i++) moduli.add((await generateRsaKeyPair()).publicKey.export({ format: 'jwk' }).n!);
    expect(moduli.size).toBe(4);
  });
});
