import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import type { CertificateSummary, KeyUsageName } from '../../../src-shared/domain/certificate';
import { AppError } from '../../../src-shared/errors';
import { assertCaThumbprint, parseCaCertificates, type CaCertificates } from './ca-certificates';
import { buildCertificateRequest } from './certificate-request';
import { readCertificate, type CertificateFields } from './certificate-fields';
import { summarizeCertificate } from './certificate-summary';
import { type Asn1, sequence, toDer } from './der';
import { distinguishedNameToAsn1 } from './distinguished-name';
import { decryptEnvelopedData } from './enveloped-data';
import { derToPem, pemToDer } from './pem';
import { FAIL_INFO_NAMES, MESSAGE_TYPE, buildPkiRequest, readCertRep, type CertRep, type MessageType } from './pki-message';
import { chooseAlgorithms, parseCaps, type ScepAlgorithms, type ScepCaps } from './scep-caps';
import {
  allowedUrl,
  cancelledError,
  createNodeScepHttp,
  type ScepHttp,
  type ScepHttpResponse,
} from './scep-http';
import { generateRsaKeyPair, type RsaKeyPair } from './rsa-key-pair';
import { buildSelfSignedCertificate } from './self-signed-certificate';
import { parseSignedData, type SignedDataSigner } from './signed-data';

export interface ScepClientOptions {
  /** The CA's SCEP URL, e.g. https://ndes.example.com/certsrv/mscep/mscep.dll or http://127.0.0.1:8080/scep. */
  url: string;
  http?: ScepHttp;
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
  /** Plain http to a non-loopback host (many NDES servers only offer http). Default false. */
  allowPlainHttp?: boolean;
  /** Sent as `message=` with GetCACaps/GetCACert; CAs that host several CAs on one URL pick by it. */
  caIdentifier?: string;
  /** How a PENDING answer is polled with CertPoll. Default every 15 s, at most 8 times. */
  pendingPoll?: { intervalMs?: number; maxAttempts?: number };
  /** Attempts for GetCACaps/GetCACert on network errors and 429/502/503/504. Default 3. PKIOperation is sent once. */
  getAttempts?: number;
  now?: () => Date;
}

export interface EnrollRequest {
  /** RFC 4514 DN as admins type it: "CN=device-42,O=Acme". */
  subject: string;
  challengePassword?: string;
  /** Requested in the CSR; the CA's template decides. Default digitalSignature (the identity certificate's usage). */
  keyUsage?: KeyUsageName[];
  /** Thumbprint of the CA certificate from the NDES challenge page; the enrollment stops if GetCACert differs. */
  caThumbprint?: string;
  /**
   * The new key pair, when the caller has one or started generating it earlier (the CLI starts before loading this
   * module); RSA 2048 by default, generated while GetCACaps/GetCACert are on the wire.
   */
  keyPair?: Promise<RsaKeyPair>;
  signal?: AbortSignal;
  onPending?: (progress: { attempt: number; transactionId: string }) => void;
}

export interface RenewRequest {
  /** The certificate to renew (DER or PEM) and its private key: they sign the RenewalReq. */
  certificate: Buffer | string;
  privateKey: KeyObject;
  /** Default: the subject of the certificate being renewed. */
  subject?: string;
  /** RFC 8894 does not need one for renewal, but some CAs (micromdm/scep 2.x) check it on every request. */
  challengePassword?: string;
  keyUsage?: KeyUsageName[];
  keyPair?: Promise<RsaKeyPair>;
  signal?: AbortSignal;
  onPending?: (progress: { attempt: number; transactionId: string }) => void;
}

export interface EnrollmentResult {
  certificate: Buffer;
  certificatePem: string;
  summary: CertificateSummary;
  /**
   * The new key. It stays in this process: nothing here writes or logs it; exporting it is the caller's explicit
   * act (`tec scep enroll --out-key`, an admin's export).
   */
  privateKey: KeyObject;
  transactionId: string;
  algorithms: ScepAlgorithms;
  /** CertPoll requests sent after PENDING answers. */
  pollAttempts: number;
}

const REPLY_LIMIT = 1024 * 1024;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

const FAIL_INFO_HELP: Record<string, string> = {
  badAlg: 'the CA does not accept the algorithms used',
  badMessageCheck: 'the CA could not verify the request\'s signature or integrity',
  badRequest: 'the CA refused the request (not permitted or not supported)',
  badTime: 'the console\'s clock and the CA\'s disagree',
  badCertId: 'the CA does not recognise the certificate the request refers to',
};

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** Printable, bounded text of an HTTP error body (micromdm/scep explains its 500s in plain text). */
function serverText(response: ScepHttpResponse): string | null {
  const type = response.headers['content-type'] ?? '';
  if (response.body.length === 0 || !/^text\/|json|xml/.test(type)) return null;
  const text = response.body.toString('utf8').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text.slice(0, 300);
}

interface Transaction {
  messageType: MessageType;
  subject: Asn1;
  csr: Buffer;
  publicKeyInfo: Buffer;
  signer: SignedDataSigner;
  challengeSent: boolean;
  signal: AbortSignal | undefined;
  onPending: EnrollRequest['onPending'];
}

/**
 * A SCEP client (RFC 8894) for one CA URL: GetCACaps, GetCACert, PKCSReq enrollment with PENDING polling, and
 * RenewalReq. Electron-free; every answer is verified before it is believed (see readCertRep).
 */
export class ScepClient {
  private readonly url: URL;
  private readonly http: ScepHttp;
  private readonly timeoutMs: number;
  private readonly caIdentifier: string | undefined;
  private readonly pollIntervalMs: number;
  private readonly maxPollAttempts: number;
  private readonly getAttempts: number;
  private readonly now: () => Date;

  constructor(options: ScepClientOptions) {
    this.url = allowedUrl(options.url, options.allowPlainHttp ?? false, 'SCEP URL', 'url');
    this.http = options.http ?? createNodeScepHttp();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.caIdentifier = options.caIdentifier;
    this.pollIntervalMs = options.pendingPoll?.intervalMs ?? 15_000;
    this.maxPollAttempts = options.pendingPoll?.maxAttempts ?? 8;
    this.getAttempts = Math.max(1, options.getAttempts ?? 3);
    this.now = options.now ?? (() => new Date());
  }

  async getCaCaps(options: { signal?: AbortSignal } = {}): Promise<ScepCaps> {
    const response = await this.get('GetCACaps', options.signal);
    return parseCaps(response.body.toString('utf8'));
  }

  async getCaCertificates(options: { signal?: AbortSignal } = {}): Promise<CaCertificates> {
    const response = await this.get('GetCACert', options.signal);
    this.assertNotText(response, 'GetCACert');
    return parseCaCertificates(response.body);
  }

  async enroll(request: EnrollRequest): Promise<EnrollmentResult> {
    const subject = distinguishedNameToAsn1(request.subject);
    return this.requestCertificate(MESSAGE_TYPE.pkcsReq, subject, request, {
      check: (_caps, ca) => {
        if (request.caThumbprint) assertCaThumbprint(ca, request.caThumbprint);
      },
      signer: (keys, digest) => ({
        certificate: buildSelfSignedCertificate({ subject, ...keys, digest, now: this.now() }),
        privateKey: keys.privateKey,
        digest,
      }),
    });
  }

  async renew(request: RenewRequest): Promise<EnrollmentResult> {
    const existing = readCertificateToRenew(request.certificate);
    const existingKeyInfo = createPublicKey(request.privateKey).export({ format: 'der', type: 'spki' });
    if (!existingKeyInfo.equals(existing.publicKeyInfo)) {
      throw new AppError('VALIDATION_FAILED', 'The private key given does not belong to the certificate to renew.', {
        field: 'privateKey',
      });
    }
    const subject = request.subject === undefined ? existing.subject : distinguishedNameToAsn1(request.subject);
    return this.requestCertificate(MESSAGE_TYPE.renewalReq, subject, request, {
      check: (caps) => {
        if (!caps.renewal) {
          throw new AppError('SCEP_UNSUPPORTED', 'This CA does not offer renewal (no "Renewal" in GetCACaps). Enroll a new certificate instead.', {
            caps: caps.keywords,
          });
        }
      },
      // RFC 8894 section 3.3.1.2: a renewal is signed with the certificate being renewed.
      signer: (_keys, digest) => ({ certificate: existing, privateKey: request.privateKey, digest }),
    });
  }

  /** PKCSReq and RenewalReq: new key, CSR, signed request; they differ in who signs and what the CA must offer. */
  private async requestCertificate(
    messageType: MessageType,
    subject: Asn1,
    request: Pick<EnrollRequest, 'challengePassword' | 'keyUsage' | 'keyPair' | 'signal' | 'onPending'>,
    how: {
      check: (caps: ScepCaps, ca: CaCertificates) => void;
      signer: (keys: RsaKeyPair, digest: ScepAlgorithms['digest']) => SignedDataSigner;
    },
  ): Promise<EnrollmentResult> {
    // Key generation runs on the thread pool while GetCACaps and GetCACert are on the wire.
    const keys = request.keyPair ?? generateRsaKeyPair();
    keys.catch(() => undefined); // awaited below; avoids an unhandled rejection if the network part fails first
    const [caps, ca] = await Promise.all([this.getCaCaps(request), this.getCaCertificates(request)]);
    how.check(caps, ca);
    const algorithms = chooseAlgorithms(caps);
    const { publicKey, privateKey } = await keys;
    if (privateKey.asymmetricKeyType !== 'rsa') {
      throw new AppError('VALIDATION_FAILED', 'SCEP requests need an RSA key pair.', { field: 'keyPair' });
    }
    throwIfAborted(request.signal);
    return this.transact(caps, ca, algorithms, privateKey, {
      messageType,
      subject,
      csr: buildCertificateRequest({
        subject,
        publicKey,
        privateKey,
        digest: algorithms.digest,
        challengePassword: request.challengePassword,
        keyUsage: request.keyUsage ?? ['digitalSignature'],
      }),
      publicKeyInfo: publicKey.export({ format: 'der', type: 'spki' }),
      signer: how.signer({ publicKey, privateKey }, algorithms.digest),
      challengeSent: request.challengePassword !== undefined,
      signal: request.signal,
      onPending: request.onPending,
    });
  }

  private async transact(
    caps: ScepCaps,
    ca: CaCertificates,
    algorithms: ScepAlgorithms,
    newKey: KeyObject,
    tx: Transaction,
  ): Promise<EnrollmentResult> {
    // The transactionID is the hash of the new public key (RFC 8894 section 3.2.1.1), so a retried request for the
    // same key is recognised by the CA as the same transaction.
    const transactionId = createHash(algorithms.digest).update(tx.publicKeyInfo).digest('hex');
    const send = async (messageType: MessageType, content: Buffer): Promise<CertRep> => {
      const senderNonce = randomBytes(16);
      const message = buildPkiRequest({
        messageType,
        transactionId,
        senderNonce,
        content,
        recipient: ca.recipient,
        cipher: algorithms.cipher,
        signer: tx.signer,
      });
      const response = await this.pkiOperation(message, caps, tx.signal);
      return readCertRep(response, ca.certificates, { transactionId, senderNonce });
    };

    let reply = await send(tx.messageType, tx.csr);
    let pollAttempts = 0;
    // CertPoll (RFC 8894 section 3.3.3) names the request by issuer and subject, under the same transactionID.
    const issuerAndSubject = toDer(sequence([ca.issuer.subject, tx.subject]));
    while (reply.status === 'PENDING') {
      if (pollAttempts >= this.maxPollAttempts) {
        throw new AppError(
          'SCEP_PENDING_TIMEOUT',
          `The CA still holds the request for manual approval after ${pollAttempts} checks. Approve it on the CA, then enroll again.`,
          { transactionId, attempts: pollAttempts },
        );
      }
      tx.onPending?.({ attempt: pollAttempts + 1, transactionId });
      await sleep(this.pollIntervalMs, tx.signal);
      pollAttempts++;
      reply = await send(MESSAGE_TYPE.certPoll, issuerAndSubject);
    }
    if (reply.status === 'FAILURE') throw failureError(reply, tx);

    const degenerate = decryptEnvelopedData(reply.envelope!, tx.signer.certificate, tx.signer.privateKey);
    const issued = parseSignedData(degenerate, 'issued certificate bundle')
      .certificates.map((der) => readCertificate(der, 'issued certificate'))
      .find((certificate: CertificateFields) => certificate.publicKeyInfo.equals(tx.publicKeyInfo));
    if (!issued) {
      throw new AppError('SCEP_BAD_RESPONSE', 'The CA\'s reply holds no certificate for the key the console generated.');
    }
    return {
      certificate: issued.der,
      certificatePem: derToPem(issued.der),
      summary: summarizeCertificate(issued),
      privateKey: newKey,
      transactionId,
      algorithms,
      pollAttempts,
    };
  }

  private operationUrl(operation: string, message?: string): URL {
    const url = new URL(this.url.href);
    url.searchParams.set('operation', operation);
    if (message !== undefined) url.searchParams.set('message', message);
    return url;
  }

  private async get(operation: 'GetCACaps' | 'GetCACert', signal: AbortSignal | undefined): Promise<ScepHttpResponse> {
    const url = this.operationUrl(operation, this.caIdentifier);
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      let response: ScepHttpResponse | null = null;
      let failure: AppError | null = null;
      try {
        response = await this.http.request({ method: 'GET', url, timeoutMs: this.timeoutMs, signal, maxResponseBytes: REPLY_LIMIT });
      } catch (error) {
        if (!(error instanceof AppError) || (error.code !== 'SCEP_NETWORK_FAILED' && error.code !== 'SCEP_TIMEOUT')) throw error;
        failure = error;
      }
      const retryable = failure !== null || RETRY_STATUSES.has(response!.status);
      if (!retryable || attempt >= this.getAttempts) {
        if (failure) throw failure;
        this.assertOk(response!, operation);
        return response!;
      }
      // Exponential back-off with jitter; Retry-After (seconds) wins when the server sends one, capped at 10 s.
      const retryAfter = Number(response?.headers['retry-after']);
      const delay = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, 10_000) : 300 * 2 ** (attempt - 1) + Math.random() * 200;
      await sleep(delay, signal);
    }
  }

  private async pkiOperation(message: Buffer, caps: ScepCaps, signal: AbortSignal | undefined): Promise<Buffer> {
    const response = caps.postPkiOperation
      ? await this.http.request({
          method: 'POST',
          url: this.operationUrl('PKIOperation'),
          body: message,
          contentType: 'application/x-pki-message',
          timeoutMs: this.timeoutMs,
          signal,
          maxResponseBytes: REPLY_LIMIT,
        })
      : await this.http.request({
          method: 'GET',
          url: this.operationUrl('PKIOperation', message.toString('base64')),
          timeoutMs: this.timeoutMs,
          signal,
          maxResponseBytes: REPLY_LIMIT,
        });
    this.assertOk(response, 'PKIOperation');
    this.assertNotText(response, 'PKIOperation');
    return response.body;
  }

  private assertOk(response: ScepHttpResponse, operation: string): void {
    if (response.status === 200) return;
    if (response.status === 404) {
      throw new AppError(
        'SCEP_NOT_FOUND',
        `The SCEP URL answered 404 Not Found to ${operation}. Check the path (NDES: /certsrv/mscep/mscep.dll).`,
        { operation, status: 404 },
      );
    }
    const text = serverText(response);
    throw new AppError(
      'SCEP_HTTP_ERROR',
      `The SCEP server answered HTTP ${response.status} to ${operation}${text ? `: ${text}` : '.'}`,
      { operation, status: response.status, serverMessage: text },
    );
  }

  /** A 200 with a web page (a proxy's login page, an IIS default page) is not a SCEP answer. */
  private assertNotText(response: ScepHttpResponse, operation: string): void {
    const type = response.headers['content-type'] ?? '';
    if (/^text\//i.test(type) || response.body.subarray(0, 1).toString('latin1') === '<') {
      throw new AppError(
        'SCEP_BAD_RESPONSE',
        `The SCEP URL answered ${operation} with ${type || 'text'} instead of a SCEP message. Check that the URL is the SCEP endpoint and that no proxy intercepts it.`,
        { operation, contentType: type || null },
      );
    }
  }
}

/** The admin's certificate, not the server's answer: a problem with it is theirs to fix (VALIDATION_FAILED). */
function readCertificateToRenew(certificate: Buffer | string): CertificateFields {
  try {
    return readCertificate(typeof certificate === 'string' ? pemToDer(certificate) : certificate, 'certificate to renew');
  } catch (error) {
    if (error instanceof AppError && error.code !== 'VALIDATION_FAILED') {
      throw new AppError('VALIDATION_FAILED', 'The certificate to renew could not be read; give it as PEM or DER.', {
        field: 'certificate',
      }, { cause: error });
    }
    throw error;
  }
}

function failureError(reply: CertRep, tx: Transaction): AppError {
  const name = reply.failInfo === null ? null : (FAIL_INFO_NAMES[reply.failInfo] ?? `failInfo ${reply.failInfo}`);
  const serverSays = reply.failInfoText ? ` The CA says: "${reply.failInfoText}".` : '';
  const details = { failInfo: name, failInfoText: reply.failInfoText };
  if (name === 'badRequest' && tx.challengeSent) {
    return new AppError(
      'SCEP_CHALLENGE_REJECTED',
      `The CA rejected the request (badRequest). The challenge password is most likely wrong, expired or already used: NDES passwords work once and for 60 minutes. Fetch a fresh one and try again.${serverSays}`,
      details,
    );
  }
  const help = name ? (FAIL_INFO_HELP[name] ?? 'no reason given') : 'no reason given';
  return new AppError('SCEP_REQUEST_REJECTED', `The CA rejected the request${name ? ` (${name})` : ''}: ${help}.${serverSays}`, details);
}
