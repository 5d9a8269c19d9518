import { X509Certificate, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, type CertificateFields } from '../../../src-main/core/scep/certificate-fields';
import { expectSequence, parseDer } from '../../../src-main/core/scep/der';
import { distinguishedNameToAsn1, formatDistinguishedName, readName } from '../../../src-main/core/scep/distinguished-name';
import { buildEnvelopedData, decryptEnvelopedData } from '../../../src-main/core/scep/enveloped-data';
import { pemToDer } from '../../../src-main/core/scep/pem';
import { ScepClient } from '../../../src-main/core/scep/scep-client';
import { buildSelfSignedCertificate } from '../../../src-main/core/scep/self-signed-certificate';
import { rejectionOf } from '../ivanti/rejection-of';
import { uniqueSubject } from './unique-subject';
import { scepServerUnavailable, startScepServer, type ScepServer } from '../../support/scep-server';
import { attributesOf, contentOf, forgeCertRep, resignCertRep, startScepPeer, type PeerResponse, type ScepPeer } from './scep-peer';

const unavailable = scepServerUnavailable();
const CHALLENGE = 'fault-challenge-51c2';

let server: ScepServer;
let peer: ScepPeer;
let ca: CertificateFields;
let caKey: KeyObject;
let strangerKey: KeyObject;
let strangerCertificate: CertificateFields;

/** Lets the real server answer, then hands its PKIOperation reply to `tamper`. */
function tamperReplies(tamper: (reply: PeerResponse, request: Buffer) => PeerResponse | Promise<PeerResponse>): void {
  peer.handler = async (exchange) => {
    const answer = await exchange.forward();
    return exchange.operation === 'PKIOperation' ? tamper(answer, exchange.message!) : answer;
  };
}

function enroll(options: { signal?: AbortSignal; maxAttempts?: number } = {}) {
  return new ScepClient({ url: peer.url, pendingPoll: { intervalMs: 10, maxAttempts: options.maxAttempts ?? 3 } }).enroll({
    subject: uniqueSubject('fault'),
    challengePassword: CHALLENGE,
    signal: options.signal,
  });
}

function pkiOperations(): number {
  return peer.seen.filter((s) => s.operation === 'PKIOperation').length;
}

/** A PENDING CertRep for `request`, signed by the CA, as a CA waiting for manual approval sends it. */
function pendingFor(request: Buffer): PeerResponse {
  const asked = attributesOf(request);
  const body = forgeCertRep({
    content: null,
    attributes: { messageType: '3', pkiStatus: '3', transactionId: asked.transactionId, recipientNonce: asked.senderNonce },
    signerCertificate: ca,
    signerKey: caKey,
  });
  return { status: 200, contentType: 'application/x-pki-message', body };
}

describe.skipIf(unavailable)(`ScepClient refuses damaged and forged CA answers${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    server = await startScepServer({ challenge: CHALLENGE });
    peer = await startScepPeer(server.url);
    ca = readCertificate(pemToDer(server.caCertificatePem));
    caKey = server.caPrivateKey();
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    strangerKey = stranger.privateKey;
    strangerCertificate = buildSelfSignedCertificate({
      subject: distinguishedNameToAsn1('CN=Not The CA,O=Elsewhere'),
      publicKey: stranger.publicKey,
      privateKey: stranger.privateKey,
      digest: 'sha256',
      now: new Date(),
    });
  });
  afterAll(() => Promise.all([peer?.close(), server?.stop()]));
  afterEach(() => peer.reset());

  it('reports a truncated reply as malformed DER', async () => {
    tamperReplies((reply) => ({ ...reply, body: reply.body.subarray(0, reply.body.length - 40) }));
    expect((await rejectionOf(enroll())).code).toBe('SCEP_MALFORMED_DER');
  });

  it('reports a byte changed inside the encrypted content as a digest mismatch', async () => {
    tamperReplies((reply) => {
      const content = contentOf(reply.body)!;
      const at = reply.body.indexOf(content) + Math.floor(content.length / 2);
      const body = Buffer.from(reply.body);
      body[at]! ^= 0x01;
      return { ...reply, body };
    });
    expect((await rejectionOf(enroll())).code).toBe('SCEP_DIGEST_MISMATCH');
  });

  it('reports a byte changed inside the signature as a bad signature', async () => {
    tamperReplies((reply) => {
      const body = Buffer.from(reply.body);
      body[body.length - 5]! ^= 0x01;
      return { ...reply, body };
    });
    expect((await rejectionOf(enroll())).code).toBe('SCEP_BAD_SIGNATURE');
  });

  it('reports HTTP 500 with the server\'s own text when the server cannot read the request', async () => {
    // The peer damages our request on its way to the real server, which answers as micromdm/scep does: 500, text.
    peer.handler = async (exchange) => {
      if (exchange.operation !== 'PKIOperation') return exchange.forward();
      const damaged = await new Promise<PeerResponse>((resolve, reject) => {
        const url = new URL(server.url);
        url.searchParams.set('operation', 'PKIOperation');
        const body = exchange.message!.subarray(0, 100);
        fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-pki-message' } })
          .then(async (r) => resolve({ status: r.status, contentType: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) }))
          .catch(reject);
      });
      return damaged;
    };
    const error = await rejectionOf(enroll());
    expect(error.code).toBe('SCEP_HTTP_ERROR');
    expect(error.details).toMatchObject({ status: 500, operation: 'PKIOperation' });
    expect(error.message).toContain('HTTP 500');
    expect(error.details?.serverMessage).toEqual(expect.stringMatching(/\w/));
  });

  it('reports a reply re-signed with another key under the CA\'s name as a bad signature', async () => {
    tamperReplies((reply) => ({ ...reply, body: resignCertRep(reply.body, (a) => a, ca, strangerKey) }));
    const error = await rejectionOf(enroll());
    expect(error.code).toBe('SCEP_BAD_SIGNATURE');
  });

  it('reports a reply signed by a certificate the CA never published as a bad signature', async () => {
    tamperReplies((reply) => ({ ...reply, body: resignCertRep(reply.body, (a) => a, strangerCertificate, strangerKey) }));
    const error = await rejectionOf(enroll());
    expect(error.code).toBe('SCEP_BAD_SIGNATURE');
    expect(error.message).toMatch(/did not publish/);
  });

  it('reports a correctly signed reply to another nonce as a nonce mismatch', async () => {
    tamperReplies((reply) => ({
      ...reply,
      body: resignCertRep(reply.body, (a) => ({ ...a, recipientNonce: Buffer.alloc(16, 7) }), ca, caKey),
    }));
    expect((await rejectionOf(enroll())).code).toBe('SCEP_NONCE_MISMATCH');
  });

  it('reports a correctly signed reply without a recipientNonce as a nonce mismatch', async () => {
    tamperReplies((reply) => ({
      ...reply,
      body: resignCertRep(reply.body, (a) => ({ ...a, recipientNonce: undefined }), ca, caKey),
    }));
    expect((await rejectionOf(enroll())).code).toBe('SCEP_NONCE_MISMATCH');
  });

  it('reports a correctly signed reply for an unknown transaction as a transaction mismatch', async () => {
    tamperReplies((reply) => ({
      ...reply,
      body: resignCertRep(reply.body, (a) => ({ ...a, transactionId: 'someone-elses-transaction' }), ca, caKey),
    }));
    const error = await rejectionOf(enroll());
    expect(error.code).toBe('SCEP_TRANSACTION_MISMATCH');
    expect(error.details).toMatchObject({ received: 'someone-elses-transaction' });
  });

  it('reports a signed message that is not a CertRep as a bad response', async () => {
    tamperReplies((reply) => ({ ...reply, body: resignCertRep(reply.body, (a) => ({ ...a, messageType: '19' }), ca, caKey) }));
    expect((await rejectionOf(enroll())).code).toBe('SCEP_BAD_RESPONSE');
  });

  it('reports a certificate encrypted for someone else as undecryptable', async () => {
    tamperReplies((reply) => {
      const content = buildEnvelopedData(Buffer.from('not for you'), strangerCertificate, 'aes-128-cbc');
      return { ...reply, body: forgeCertRep({ content, attributes: attributesOf(reply.body), signerCertificate: ca, signerKey: caKey }) };
    });
    expect((await rejectionOf(enroll())).code).toBe('SCEP_DECRYPT_FAILED');
  });

  it('reports a web page answered with HTTP 200 as a bad response, not as damaged DER', async () => {
    peer.handler = async (exchange) =>
      exchange.operation === 'PKIOperation'
        ? { status: 200, contentType: 'text/html', body: Buffer.from('<html><body>Sign in to the proxy</body></html>') }
        : exchange.forward();
    const error = await rejectionOf(enroll());
    expect(error.code).toBe('SCEP_BAD_RESPONSE');
    expect(error.details).toMatchObject({ contentType: 'text/html' });
  });

  it('reports a SCEP URL that answers 404 as not found', async () => {
    peer.handler = async () => ({ status: 404, contentType: 'text/plain', body: Buffer.from('404 page not found') });
    expect((await rejectionOf(enroll())).code).toBe('SCEP_NOT_FOUND');
  });

  it('explains a FAILURE with its failInfo and the CA\'s failInfoText', async () => {
    tamperReplies((reply, request) => {
      const asked = attributesOf(request);
      const body = forgeCertRep({
        content: null,
        attributes: {
          messageType: '3',
          pkiStatus: '2',
          failInfo: '3',
          failInfoText: 'Clock skew: request signed 2 hours ahead',
          transactionId: asked.transactionId,
          recipientNonce: asked.senderNonce,
        },
        signerCertificate: ca,
        signerKey: caKey,
      });
      return { ...reply, body };
    });
    const error = await rejectionOf(enroll());
    expect(error.code).toBe('SCEP_REQUEST_REJECTED');
    expect(error.message).toContain('badTime');
    expect(error.message).toContain('Clock skew: request signed 2 hours ahead');
  });

  it('polls a PENDING request with CertPoll under the same transaction until the CA issues it', async () => {
    let held: PeerResponse | null = null;
    const polls: Array<{ transactionId?: string; messageType?: string; subject: string; issuer: string }> = [];
    let firstTransaction: string | undefined;
    peer.handler = async (exchange) => {
      if (exchange.operation !== 'PKIOperation') return exchange.forward();
      const asked = attributesOf(exchange.message!);
      if (asked.messageType === '19') {
        // Let the real CA issue the certificate, but keep its answer back and say PENDING, as NDES does while a
        // request waits for approval.
        held = await exchange.forward();
        firstTransaction = asked.transactionId;
        return pendingFor(exchange.message!);
      }
      const issuerAndSubject = decryptEnvelopedData(contentOf(exchange.message!)!, ca, caKey);
      const [issuer, subjectName] = expectSequence(parseDer(issuerAndSubject, 'IssuerAndSubject'), 'IssuerAndSubject');
      polls.push({
        transactionId: asked.transactionId,
        messageType: asked.messageType,
        issuer: formatDistinguishedName(readName(issuer!, 'issuer')),
        subject: formatDistinguishedName(readName(subjectName!, 'subject')),
      });
      if (polls.length < 2) return pendingFor(exchange.message!);
      return { ...held!, body: resignCertRep(held!.body, (a) => ({ ...a, recipientNonce: asked.senderNonce }), ca, caKey) };
    };
    const pendingSeen: number[] = [];
    const wanted = uniqueSubject('pending');
    const result = await new ScepClient({ url: peer.url, pendingPoll: { intervalMs: 10, maxAttempts: 5 } }).enroll({
      subject: wanted,
      challengePassword: CHALLENGE,
      onPending: ({ attempt }) => pendingSeen.push(attempt),
    });

    expect(new X509Certificate(result.certificate).verify(new X509Certificate(server.caCertificatePem).publicKey)).toBe(true);
    expect(result.pollAttempts).toBe(2);
    expect(pendingSeen).toEqual([1, 2]);
    expect(polls).toHaveLength(2);
    for (const poll of polls) {
      expect(poll).toMatchObject({ transactionId: firstTransaction, messageType: '20', subject: wanted.replace(/, ?/g, ',') });
      expect(poll.issuer).toBe(formatDistinguishedName(readName(ca.subject, 'ca')));
    }
    expect(result.transactionId).toBe(firstTransaction);
  });

  it('gives up on a request that stays PENDING after the configured number of polls', async () => {
    peer.handler = async (exchange) => (exchange.operation === 'PKIOperation' ? pendingFor(exchange.message!) : exchange.forward());
    const error = await rejectionOf(enroll({ maxAttempts: 2 }));
    expect(error.code).toBe('SCEP_PENDING_TIMEOUT');
    expect(error.details).toMatchObject({ attempts: 2 });
    expect(pkiOperations()).toBe(3);
  });

  it('stops polling as soon as the caller cancels', async () => {
    const controller = new AbortController();
    peer.handler = async (exchange) => {
      if (exchange.operation !== 'PKIOperation') return exchange.forward();
      controller.abort();
      return pendingFor(exchange.message!);
    };
    const error = await rejectionOf(
      new ScepClient({ url: peer.url, pendingPoll: { intervalMs: 60_000, maxAttempts: 5 } }).enroll({
        subject: uniqueSubject('cancel'),
        challengePassword: CHALLENGE,
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe('CANCELLED');
    expect(pkiOperations()).toBe(1);
  });
});
