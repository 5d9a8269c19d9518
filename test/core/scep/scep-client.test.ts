import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '../../../src-main/core/scep/certificate-fields';
import { readName, formatDistinguishedName } from '../../../src-main/core/scep/distinguished-name';
import { decryptEnvelopedData } from '../../../src-main/core/scep/enveloped-data';
import { OID } from '../../../src-main/core/scep/oids';
import { pemToDer } from '../../../src-main/core/scep/pem';
import { ScepClient } from '../../../src-main/core/scep/scep-client';
import { parseSignedData } from '../../../src-main/core/scep/signed-data';
import { expectSequence, parseDer, readOid } from '../../../src-main/core/scep/der';
import { rejectionOf } from '../ivanti/rejection-of';
import { uniqueSubject } from './unique-subject';
import { scepServerUnavailable, startScepServer, type ScepServer } from '../../support/scep-server';
import { attributesOf, contentOf, startScepPeer, type ScepPeer } from './scep-peer';

const unavailable = scepServerUnavailable();
const CHALLENGE = 'integration-challenge-7f3a';

let server: ScepServer;
let peer: ScepPeer;
let caX509: X509Certificate;

/** The content-encryption algorithm of a request, read with the CA's key as scepserver would. */
function requestCipherOid(message: Buffer): string {
  const envelope = contentOf(message)!;
  const [, wrapped] = expectSequence(parseDer(envelope, 'envelope'), 'envelope');
  const fields = expectSequence((wrapped!.value as never[])[0], 'EnvelopedData');
  const [, algorithm] = expectSequence(fields[2], 'encryptedContentInfo');
  return readOid(expectSequence(algorithm, 'algorithm')[0], 'cipher');
}

describe.skipIf(unavailable)(`ScepClient against Debian's scepserver${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    // allowRenewDays 0: scepserver otherwise refuses a second certificate for a subject with a fresh one (renewal).
    server = await startScepServer({ challenge: CHALLENGE, allowRenewDays: 0 });
    caX509 = new X509Certificate(server.caCertificatePem);
    peer = await startScepPeer(server.url);
  });
  afterAll(() => Promise.all([peer?.close(), server?.stop()]));
  afterEach(() => peer.reset());

  it('reads the capabilities the CA advertises', async () => {
    const caps = await new ScepClient({ url: server.url }).getCaCaps();
    expect(caps.keywords).toEqual(expect.arrayContaining(['POSTPKIOperation', 'Renewal', 'AES', 'SHA-256']));
    expect(caps).toMatchObject({ postPkiOperation: true, renewal: true, aes: true, sha256: true });
  });

  it('takes a single DER CA certificate as recipient, reply signer and issuer', async () => {
    const ca = await new ScepClient({ url: server.url }).getCaCertificates();
    const depotCa = pemToDer(server.caCertificatePem);
    expect(ca.form).toBe('single');
    expect(ca.recipient.der.equals(depotCa)).toBe(true);
    expect(ca.signer.der.equals(depotCa)).toBe(true);
    expect(ca.issuer.der.equals(depotCa)).toBe(true);
  });

  it('enrolls a certificate for the requested subject that verifies against the CA', async () => {
    const subject = uniqueSubject('device');
    const result = await new ScepClient({ url: server.url }).enroll({ subject, challengePassword: CHALLENGE });

    const issued = new X509Certificate(result.certificate);
    expect(issued.verify(caX509.publicKey)).toBe(true);
    expect(issued.checkPrivateKey(result.privateKey)).toBe(true);
    expect(issued.issuer).toBe(caX509.subject);
    expect(result.summary.subject).toBe(subject.replace(/, ?/g, ','));
    expect(result.summary.keyUsage).toContain('digitalSignature');
    expect(result.summary.sha256Fingerprint.replace(/:/g, '').toLowerCase()).toBe(
      createHash('sha256').update(result.certificate).digest('hex'),
    );
    expect(result.algorithms).toEqual({ cipher: 'aes-128-cbc', digest: 'sha256' });
    expect(result.transactionId).toBe(
      createHash('sha256').update(createPublicKey(result.privateKey).export({ format: 'der', type: 'spki' })).digest('hex'),
    );
    expect(result.pollAttempts).toBe(0);
  });

  it('turns a wrong challenge password into SCEP_CHALLENGE_REJECTED', async () => {
    const error = await rejectionOf(
      new ScepClient({ url: server.url }).enroll({ subject: uniqueSubject('wrong-challenge'), challengePassword: 'not-the-challenge' }),
    );
    expect(error.code).toBe('SCEP_CHALLENGE_REJECTED');
    expect(error.message).toMatch(/challenge password/i);
    expect(error.details).toMatchObject({ failInfo: 'badRequest' });
  });

  it('sends the CSR, challenge included, inside an envelope only the CA can open', async () => {
    const subject = uniqueSubject('envelope');
    await new ScepClient({ url: peer.url }).enroll({ subject, challengePassword: CHALLENGE });
    const request = peer.seen.find((s) => s.operation === 'PKIOperation')!.message!;
    const ca = readCertificate(pemToDer(server.caCertificatePem));
    const csrDer = decryptEnvelopedData(contentOf(request)!, ca, server.caPrivateKey());
    const [info] = expectSequence(parseDer(csrDer, 'csr'), 'csr');
    const [, name, , attributes] = expectSequence(info, 'csr info');
    expect(formatDistinguishedName(readName(name!, 'subject'))).toBe(subject.replace(/, ?/g, ','));
    const challenge = (attributes!.value as never[]).map((a) => expectSequence(a, 'attribute'));
    expect(challenge.some(([type]) => readOid(type, 'type') === OID.challengePassword)).toBe(true);
    expect(attributesOf(request)).toMatchObject({ messageType: '19' });
  });

  it('renews an issued certificate with a RenewalReq signed by the certificate being renewed', async () => {
    const subject = uniqueSubject('renew');
    const client = new ScepClient({ url: peer.url });
    const first = await client.enroll({ subject, challengePassword: CHALLENGE });
    peer.seen.length = 0;

    // scepserver 2.1.0 checks its challenge on every request, renewal included (its "TODO: only for PKCSReq?").
    const renewed = await client.renew({ certificate: first.certificate, privateKey: first.privateKey, challengePassword: CHALLENGE });

    const issued = new X509Certificate(renewed.certificate);
    expect(issued.verify(caX509.publicKey)).toBe(true);
    expect(issued.checkPrivateKey(renewed.privateKey)).toBe(true);
    expect(renewed.summary.subject).toBe(first.summary.subject);
    expect(renewed.summary.serialNumber).not.toBe(first.summary.serialNumber);
    expect(renewed.transactionId).not.toBe(first.transactionId);
    const request = peer.seen.find((s) => s.operation === 'PKIOperation')!.message!;
    expect(attributesOf(request).messageType).toBe('17');
    expect(parseSignedData(request, 'request').certificates[0]!.equals(first.certificate)).toBe(true);
  });

  it('refuses to renew with a key that does not belong to the certificate', async () => {
    const client = new ScepClient({ url: server.url });
    const a = await client.enroll({ subject: uniqueSubject('key-a'), challengePassword: CHALLENGE });
    const b = await client.enroll({ subject: uniqueSubject('key-b'), challengePassword: CHALLENGE });
    const error = await rejectionOf(client.renew({ certificate: a.certificatePem, privateKey: b.privateKey }));
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('treats an unreadable certificate to renew as the admin\'s input error, before contacting the CA', async () => {
    const { privateKey } = await new ScepClient({ url: server.url }).enroll({ subject: uniqueSubject('garbage'), challengePassword: CHALLENGE });
    peer.seen.length = 0;
    const client = new ScepClient({ url: peer.url });
    for (const certificate of [Buffer.from('not a certificate'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'no PEM here']) {
      expect((await rejectionOf(client.renew({ certificate, privateKey }))).code).toBe('VALIDATION_FAILED');
    }
    expect(peer.seen).toEqual([]);
  });

  it('sends the request with GET and a base64 message when the CA does not advertise POSTPKIOperation', async () => {
    peer.handler = async (exchange) => {
      const answer = await exchange.forward();
      if (exchange.operation !== 'GetCACaps') return answer;
      return { ...answer, body: Buffer.from(answer.body.toString('utf8').replace(/POSTPKIOperation\s*|SCEPStandard\s*/g, '')) };
    };
    const result = await new ScepClient({ url: peer.url }).enroll({ subject: uniqueSubject('get'), challengePassword: CHALLENGE });
    expect(new X509Certificate(result.certificate).verify(caX509.publicKey)).toBe(true);
    expect(peer.seen.filter((s) => s.operation === 'PKIOperation').map((s) => s.method)).toEqual(['GET']);
  });

  it('falls back to Triple DES and SHA-1 only when that is all the CA offers', async () => {
    peer.handler = async (exchange) => {
      const answer = await exchange.forward();
      return exchange.operation === 'GetCACaps' ? { ...answer, body: Buffer.from('POSTPKIOperation\nDES3\nSHA-1\n') } : answer;
    };
    const result = await new ScepClient({ url: peer.url }).enroll({ subject: uniqueSubject('des3'), challengePassword: CHALLENGE });
    expect(result.algorithms).toEqual({ cipher: 'des-ede3-cbc', digest: 'sha1' });
    const request = peer.seen.find((s) => s.operation === 'PKIOperation')!.message!;
    expect(requestCipherOid(request)).toBe(OID.desEde3Cbc);
    expect(parseSignedData(request, 'request').signers[0]!.digestAlgorithm).toBe(OID.sha1);
  });

  it('sends nothing to a CA that offers neither AES nor Triple DES, instead of falling back to single DES', async () => {
    peer.handler = async (exchange) => {
      const answer = await exchange.forward();
      return exchange.operation === 'GetCACaps' ? { ...answer, body: Buffer.from('POSTPKIOperation\nSHA-1\n') } : answer;
    };
    const error = await rejectionOf(new ScepClient({ url: peer.url }).enroll({ subject: uniqueSubject('des'), challengePassword: CHALLENGE }));
    expect(error.code).toBe('SCEP_UNSUPPORTED');
    expect(peer.seen.some((s) => s.operation === 'PKIOperation')).toBe(false);
  });

  it('refuses renewal when the CA does not advertise Renewal', async () => {
    const client = new ScepClient({ url: peer.url });
    const first = await client.enroll({ subject: uniqueSubject('no-renewal'), challengePassword: CHALLENGE });
    peer.handler = async (exchange) => {
      const answer = await exchange.forward();
      return exchange.operation === 'GetCACaps' ? { ...answer, body: Buffer.from(answer.body.toString().replace('Renewal', '')) } : answer;
    };
    peer.seen.length = 0;
    const error = await rejectionOf(client.renew({ certificate: first.certificate, privateKey: first.privateKey }));
    expect(error.code).toBe('SCEP_UNSUPPORTED');
    expect(peer.seen.some((s) => s.operation === 'PKIOperation')).toBe(false);
  });

  it('checks the CA thumbprint from the NDES challenge page against GetCACert', async () => {
    const client = new ScepClient({ url: server.url });
    const sha1 = createHash('sha1').update(pemToDer(server.caCertificatePem)).digest('hex').toUpperCase();
    const ok = await client.enroll({ subject: uniqueSubject('thumb'), challengePassword: CHALLENGE, caThumbprint: sha1 });
    expect(new X509Certificate(ok.certificate).verify(caX509.publicKey)).toBe(true);

    const error = await rejectionOf(
      client.enroll({ subject: uniqueSubject('thumb-bad'), challengePassword: CHALLENGE, caThumbprint: 'AB'.repeat(20) }),
    );
    expect(error.code).toBe('SCEP_CA_THUMBPRINT_MISMATCH');
  });
});
