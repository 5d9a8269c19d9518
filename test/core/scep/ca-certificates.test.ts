import { spawnSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCaThumbprint, parseCaCertificates } from '../../../src-main/core/scep/ca-certificates';
import { summarizeCertificate } from '../../../src-main/core/scep/certificate-summary';
import { pemToDer } from '../../../src-main/core/scep/pem';
import { readCertRep } from '../../../src-main/core/scep/pki-message';
import { AppError } from '../../../src-shared/errors';
import { forgeCertRep } from './scep-peer';

/**
 * An NDES-shaped CA/RA bundle made by OpenSSL (an independent implementation): a root CA, an RA certificate for
 * encryption (keyEncipherment, like NDES's "CEP Encryption") and one for signing (digitalSignature, like "Exchange
 * Enrollment Agent (Offline request)"), packed into a certificates-only PKCS#7 in orders NDES does not promise.
 */
function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

let dir: string;
const pem = (name: string) => fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8');
const key = (name: string): KeyObject => createPrivateKey(fs.readFileSync(path.join(dir, `${name}.key`)));

function bundle(order: string[]): Buffer {
  const file = path.join(dir, `bundle-${order.join('-')}.pem`);
  fs.writeFileSync(file, order.map(pem).join(''));
  openssl(['crl2pkcs7', '-nocrl', '-certfile', file, '-outform', 'DER', '-out', `${file}.p7b`], dir);
  return fs.readFileSync(`${file}.p7b`);
}

describe('GetCACert answers: picking the CA/RA certificates by key usage', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-scep-ra-'));
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Acme Issuing CA/O=Acme', '-days', '30',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
      dir,
    );
    for (const [name, usage] of [['ra-encrypt', 'keyEncipherment'], ['ra-sign', 'digitalSignature']] as const) {
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=NDES ${name}/O=Acme`], dir);
      fs.writeFileSync(path.join(dir, `${name}.ext`), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,${usage}\n`);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30',
        '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
    }
  });

  for (const order of [['ra-sign', 'ca', 'ra-encrypt'], ['ca', 'ra-encrypt', 'ra-sign'], ['ra-encrypt', 'ra-sign', 'ca']]) {
    it(`encrypts to the keyEncipherment RA and expects replies from the digitalSignature RA (order ${order.join(', ')})`, () => {
      const ca = parseCaCertificates(bundle(order));
      expect(ca.form).toBe('ca-ra');
      expect(ca.certificates).toHaveLength(3);
      expect(ca.recipient.der.equals(pemToDer(pem('ra-encrypt')))).toBe(true);
      expect(ca.signer.der.equals(pemToDer(pem('ra-sign')))).toBe(true);
      expect(ca.issuer.der.equals(pemToDer(pem('ca')))).toBe(true);
    });
  }

  it('reads a lone CA certificate sent as DER or PEM', () => {
    expect(parseCaCertificates(pemToDer(pem('ca'))).form).toBe('single');
    expect(parseCaCertificates(Buffer.from(pem('ca'))).recipient.der.equals(pemToDer(pem('ca')))).toBe(true);
  });

  it('summarises a certificate as OpenSSL describes it', () => {
    const summary = summarizeCertificate(pemToDer(pem('ra-sign')));
    const text = spawnSync('openssl', ['x509', '-in', path.join(dir, 'ra-sign.pem'), '-noout', '-serial', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    }).stdout;
    expect(summary.subject).toBe('O=Acme,CN=NDES ra-sign');
    expect(summary.issuer).toBe('O=Acme,CN=Acme Issuing CA');
    expect(text).toContain(`serial=${summary.serialNumber}`);
    expect(text).toContain(`=${summary.sha256Fingerprint}`);
    expect(summary.keyUsage).toEqual(['digitalSignature']);
    expect(summary.isCa).toBe(false);
    expect(summarizeCertificate(pemToDer(pem('ca')))).toMatchObject({ isCa: true, keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'] });
  });

  it('accepts a CertRep signed by the RA and refuses one signed by a key outside the bundle', () => {
    const ca = parseCaCertificates(bundle(['ca', 'ra-sign', 'ra-encrypt']));
    const expected = { transactionId: 'tx-1', senderNonce: Buffer.alloc(16, 1) };
    const attributes = { messageType: '3', pkiStatus: '3', transactionId: 'tx-1', recipientNonce: Buffer.alloc(16, 1) };
    const byRa = forgeCertRep({ content: null, attributes, signerCertificate: ca.signer, signerKey: key('ra-sign') });
    expect(readCertRep(byRa, ca.certificates, expected).status).toBe('PENDING');

    const forged = forgeCertRep({ content: null, attributes, signerCertificate: ca.signer, signerKey: key('ra-encrypt') });
    expect(() => readCertRep(forged, ca.certificates, expected)).toThrow(expect.objectContaining({ code: 'SCEP_BAD_SIGNATURE' }));
  });

  it('matches the CA thumbprint NDES shows, in MD5, SHA-1 or SHA-256 and with or without spaces', () => {
    const ca = parseCaCertificates(bundle(['ra-sign', 'ca', 'ra-encrypt']));
    for (const digest of ['-md5', '-sha1', '-sha256']) {
      const out = spawnSync('openssl', ['x509', '-in', path.join(dir, 'ca.pem'), '-noout', '-fingerprint', digest], { encoding: 'utf8' }).stdout;
      const hex = out.split('=')[1]!.trim().replace(/:/g, '');
      expect(() => assertCaThumbprint(ca, hex.match(/.{1,8}/g)!.join(' '))).not.toThrow();
    }
    expect(() => assertCaThumbprint(ca, '00'.repeat(20))).toThrow(AppError);
  });
});
