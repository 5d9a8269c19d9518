import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, type CertificateFields } from '../../../src-main/core/scep/certificate-fields';
import { buildCertificateRequest } from '../../../src-main/core/scep/certificate-request';
import { Type, compareDerEncodings, expectSequence, parseDer, readOid, toDer } from '../../../src-main/core/scep/der';
import { distinguishedNameToAsn1 } from '../../../src-main/core/scep/distinguished-name';
import { decryptEnvelopedData, type ContentCipher } from '../../../src-main/core/scep/enveloped-data';
import { OID } from '../../../src-main/core/scep/oids';
import { derToPem, pemToDer } from '../../../src-main/core/scep/pem';
import { MESSAGE_TYPE, buildPkiRequest } from '../../../src-main/core/scep/pki-message';
import { buildSelfSignedCertificate } from '../../../src-main/core/scep/self-signed-certificate';
import { parseSignedData } from '../../../src-main/core/scep/signed-data';
import { attributesOf } from './scep-peer';

/** What the client sends, read by OpenSSL, an implementation that shares no code with ours. */

let dir: string;
let ra: CertificateFields;
let requester: { publicKey: KeyObject; privateKey: KeyObject };
let signer: CertificateFields;

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
}

function write(name: string, data: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

function request(cipher: ContentCipher, challengePassword = '2F1A9C3B4D5E6F70') {
  const subject = distinguishedNameToAsn1('CN=device-42,OU=Mobile,O=Acme');
  const csr = buildCertificateRequest({ subject, ...requester, digest: 'sha256', challengePassword, keyUsage: ['digitalSignature'] });
  const message = buildPkiRequest({
    messageType: MESSAGE_TYPE.pkcsReq,
    transactionId: 'a1b2c3',
    senderNonce: randomBytes(16),
    content: csr,
    recipient: ra,
    cipher,
    signer: { certificate: signer, privateKey: requester.privateKey, digest: 'sha256' },
  });
  return { csr, message };
}

describe('messages the client sends, as OpenSSL reads them', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-scep-openssl-'));
    const made = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ra.key', '-out', 'ra.pem', '-subj', '/CN=RA/O=Acme',
      '-days', '2', '-addext', 'keyUsage=critical,keyEncipherment,digitalSignature']);
    if (made.status !== 0) throw new Error(made.stderr);
    ra = readCertificate(pemToDer(fs.readFileSync(path.join(dir, 'ra.pem'), 'utf8')));
    requester = generateKeyPairSync('rsa', { modulusLength: 2048 });
    signer = buildSelfSignedCertificate({
      subject: distinguishedNameToAsn1('CN=device-42,OU=Mobile,O=Acme'),
      ...requester,
      digest: 'sha256',
      now: new Date(),
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const cipher of ['aes-128-cbc', 'des-ede3-cbc'] as const) {
    it(`signs a PKCSReq OpenSSL verifies and envelopes it with ${cipher} so the RA can open it`, () => {
      const { csr, message } = request(cipher);
      const msgFile = write(`msg-${cipher}.der`, message);
      const verified = openssl(['cms', '-verify', '-inform', 'DER', '-in', msgFile, '-noverify', '-out', `inner-${cipher}.der`]);
      expect(verified.stderr).toContain('Verification successful');
      const decrypted = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', `inner-${cipher}.der`, '-recip', 'ra.pem', '-inkey', 'ra.key',
        '-out', `csr-${cipher}.der`]);
      expect(decrypted.status, decrypted.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, `csr-${cipher}.der`)).equals(csr)).toBe(true);
    });
  }

  it('puts the signed attributes in DER order, SCEP attributes included', () => {
    const { message } = request('aes-128-cbc');
    const [info] = parseSignedData(message, 'request').signers;
    const encodings = (info!.signedAttributes!.value as never[]).map((a) => toDer(a));
    const types = (info!.signedAttributes!.value as never[]).map((a) => readOid(expectSequence(a, 'attribute')[0], 'type'));
    expect(types).toEqual(expect.arrayContaining([OID.contentType, OID.messageDigest, OID.signingTime, OID.scepMessageType,
      OID.scepSenderNonce, OID.scepTransactionId]));
    for (let i = 1; i < encodings.length; i++) expect(compareDerEncodings(encodings[i - 1]!, encodings[i]!)).toBeLessThan(0);
    expect(attributesOf(message)).toMatchObject({ messageType: '19', transactionId: 'a1b2c3' });
    expect(attributesOf(message).senderNonce).toHaveLength(16);
  });

  it('writes a CSR whose signature OpenSSL verifies, with the challenge as a PrintableString', () => {
    const { csr } = request('aes-128-cbc');
    const checked = openssl(['req', '-inform', 'DER', '-in', write('csr.der', csr), '-verify', '-noout', '-text']);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout + checked.stderr).toMatch(/verify OK/i);
    expect(checked.stdout).toMatch(/Subject: O ?= ?Acme, OU ?= ?Mobile, CN ?= ?device-42/);
    expect(checked.stdout).toMatch(/Digital Signature/);
    const [infoNode] = expectSequence(parseDer(csr, 'csr'), 'csr');
    const attributes = expectSequence(infoNode, 'info')[3]!.value as never[];
    const challenge = attributes.map((a) => expectSequence(a, 'attribute')).find(([t]) => readOid(t, 't') === OID.challengePassword)!;
    const value = (challenge[1]!.value as Array<{ type: number; value: string }>)[0]!;
    expect(value.type).toBe(Type.PRINTABLESTRING);
    expect(value.value).toBe('2F1A9C3B4D5E6F70');
  });

  it('falls back to UTF8String for a challenge PrintableString cannot hold', () => {
    const { csr } = request('aes-128-cbc', 'pässwort_1');
    const checked = openssl(['req', '-inform', 'DER', '-in', write('csr-utf8.der', csr), '-verify', '-noout', '-text']);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/challengePassword\s*:/);
  });

  it('makes a self-signed signer certificate OpenSSL accepts as its own issuer', () => {
    const file = write('self.pem', derToPem(signer.der));
    const checked = openssl(['verify', '-CAfile', file, '-purpose', 'any', file]);
    expect(checked.stdout, checked.stderr).toContain(': OK');
  });

  for (const [flag, label] of [['-aes256', 'AES-256-CBC'], ['-des3', '3DES-CBC'], ['-des', 'single DES-CBC (micromdm/scep replies)']] as const) {
    it(`decrypts a reply OpenSSL enveloped with ${label} for the signer certificate`, () => {
      const content = randomBytes(700);
      const certFile = write('signer.pem', derToPem(signer.der));
      const legacy = flag === '-des' ? ['-provider', 'legacy', '-provider', 'default'] : [];
      const made = openssl(['cms', '-encrypt', '-binary', ...legacy, flag, '-outform', 'DER', '-in', write('plain.bin', content),
        '-out', 'env.der', certFile]);
      expect(made.status, made.stderr).toBe(0);
      expect(decryptEnvelopedData(fs.readFileSync(path.join(dir, 'env.der')), signer, requester.privateKey).equals(content)).toBe(true);
    });
  }
});
