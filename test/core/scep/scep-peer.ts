import type { KeyObject } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { CertificateFields } from '../../../src-main/core/scep/certificate-fields';
import {
  readScepAttributes,
  scepAttributes,
  type ScepAttributes,
} from '../../../src-main/core/scep/pki-message';
import { buildSignedData, parseSignedData } from '../../../src-main/core/scep/signed-data';

/**
 * A loopback HTTP peer between the client under test and the real scepserver. By default it forwards every request
 * unchanged; a test installs a handler to damage, replace or forge the answers, as a hostile network or a broken CA
 * would.
 */

export interface PeerResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface PeerExchange {
  operation: string;
  method: string;
  /** The decoded pkiMessage of a PKIOperation (POST body or GET `message`), else null. */
  message: Buffer | null;
  /** Sends the same request to the real server. */
  forward(): Promise<PeerResponse>;
}

export type PeerHandler = (exchange: PeerExchange) => Promise<PeerResponse>;

export interface ScepPeer {
  url: string;
  handler: PeerHandler;
  /** Every exchange seen, in order. */
  seen: Array<{ operation: string; method: string; message: Buffer | null }>;
  /** Back to forwarding everything, with nothing seen. */
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forwardTo(upstream: URL, method: string, path: string, body: Buffer, contentType: string | undefined): Promise<PeerResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (method === 'POST') {
      headers['content-type'] = contentType ?? 'application/x-pki-message';
      headers['content-length'] = String(body.length);
    }
    const req = request({ host: upstream.hostname, port: upstream.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

export async function startScepPeer(upstreamUrl: string): Promise<ScepPeer> {
  const upstream = new URL(upstreamUrl);
  const peer: ScepPeer = {
    url: '',
    handler: (exchange) => exchange.forward(),
    seen: [],
    reset() {
      peer.handler = (exchange) => exchange.forward();
      peer.seen.length = 0;
    },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => void (async () => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req);
      const operation = url.searchParams.get('operation') ?? '';
      let message: Buffer | null = null;
      if (operation === 'PKIOperation') {
        message = req.method === 'POST' ? body : Buffer.from(url.searchParams.get('message') ?? '', 'base64');
      }
      const method = req.method ?? 'GET';
      peer.seen.push({ operation, method, message });
      const upstreamPath = `${upstream.pathname}${url.search}`;
      const answer = await peer.handler({
        operation,
        method,
        message,
        forward: () => forwardTo(upstream, method, upstreamPath, body, req.headers['content-type']),
      });
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
      res.end(answer.body);
    } catch (error) {
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`test peer failed: ${String(error)}`);
    }
  })());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('peer has no address');
  peer.url = `http://127.0.0.1:${address.port}/scep`;
  peer.close = () => new Promise((resolve) => server.close(() => resolve()));
  return peer;
}

/** The SCEP attributes of a pkiMessage (ours or the CA's), read without verifying anything. */
export function attributesOf(message: Buffer): ScepAttributes {
  const [signer] = parseSignedData(message, 'pkiMessage').signers;
  return readScepAttributes(signer!);
}

/** The encapsulated content (the EnvelopedData) of a pkiMessage. */
export function contentOf(message: Buffer): Buffer | null {
  return parseSignedData(message, 'pkiMessage').content;
}

/**
 * A CertRep signed by `signer` with `attributes`, around `content`: what a CA (or someone holding a key) would send.
 * Tests use it to re-sign a real reply after changing one attribute, so the client's signature check passes and the
 * check under test is the one that must refuse it.
 */
export function forgeCertRep(input: {
  content: Buffer | null;
  attributes: ScepAttributes;
  signerCertificate: CertificateFields;
  signerKey: KeyObject;
}): Buffer {
  return buildSignedData({
    content: input.content,
    signer: { certificate: input.signerCertificate, privateKey: input.signerKey, digest: 'sha256' },
    attributes: scepAttributes(input.attributes),
  });
}

/** Re-signs a real CertRep after `change` edits its SCEP attributes; the content is kept. */
export function resignCertRep(
  reply: Buffer,
  change: (attributes: ScepAttributes) => ScepAttributes,
  signerCertificate: CertificateFields,
  signerKey: KeyObject,
): Buffer {
  return forgeCertRep({ content: contentOf(reply), attributes: change(attributesOf(reply)), signerCertificate, signerKey });
}

