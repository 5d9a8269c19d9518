import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScepClient } from '../../../src-main/core/scep/scep-client';
import { createNodeScepHttp } from '../../../src-main/core/scep/scep-http';
import { rejectionOf } from '../ivanti/rejection-of';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let handler: Handler = (_req, res) => res.end('AES\nSHA-256\nPOSTPKIOperation\n');
let requests = 0;
let http: Server;
let https: Server;
let tlsCertificate: string;

const port = (server: Server) => (server.address() as AddressInfo).port;
const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const serve: Handler = (req, res) => {
  requests++;
  handler(req, res);
};

describe('SCEP over HTTP: transport failures as admins see them', () => {
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-scep-tls-'));
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(made.stderr);
    tlsCertificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    https = createHttpsServer({ cert: tlsCertificate, key: fs.readFileSync(path.join(dir, 'key.pem')) }, serve);
    fs.rmSync(dir, { recursive: true, force: true });
    http = createHttpServer(serve);
    await Promise.all([listen(http), listen(https)]);
  });
  afterAll(async () => {
    for (const server of [http, https]) {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const plainUrl = () => `http://127.0.0.1:${port(http)}/scep`;

  it('speaks https to a CA whose TLS certificate comes from an extra trusted CA, and refuses it otherwise', async () => {
    handler = (_req, res) => res.end('AES\nSHA-256\n');
    const url = `https://127.0.0.1:${port(https)}/scep`;
    const trusted = new ScepClient({ url, http: createNodeScepHttp({ extraCaCertificates: [tlsCertificate] }) });
    expect((await trusted.getCaCaps()).keywords).toEqual(['AES', 'SHA-256']);

    const error = await rejectionOf(new ScepClient({ url, getAttempts: 1 }).getCaCaps());
    expect(error.code).toBe('SCEP_NETWORK_FAILED');
    expect(error.message).toMatch(/TLS certificate/);
  });

  it('refuses plain http to anything but loopback unless the admin allowed it for this CA', () => {
    expect(() => new ScepClient({ url: 'http://ndes.example.test/certsrv/mscep/mscep.dll' })).toThrow(
      expect.objectContaining({ code: 'SCEP_INSECURE_URL' }),
    );
    expect(() => new ScepClient({ url: 'http://ndes.example.test/certsrv/mscep/mscep.dll', allowPlainHttp: true })).not.toThrow();
    expect(() => new ScepClient({ url: 'ftp://ndes.example.test/' })).toThrow(expect.objectContaining({ code: 'SCEP_INSECURE_URL' }));
    expect(() => new ScepClient({ url: 'not a url' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('retries GetCACaps after a 503, honouring Retry-After', async () => {
    requests = 0;
    handler = (_req, res) => {
      if (requests === 1) {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/plain' });
        res.end('busy');
      } else res.end('AES\nSHA-256\n');
    };
    expect((await new ScepClient({ url: plainUrl() }).getCaCaps()).aes).toBe(true);
    expect(requests).toBe(2);
  });

  it('gives up with SCEP_TIMEOUT on a CA that never answers', async () => {
    handler = () => undefined;
    const error = await rejectionOf(new ScepClient({ url: plainUrl(), timeoutMs: 200, getAttempts: 1 }).getCaCaps());
    expect(error.code).toBe('SCEP_TIMEOUT');
  });

  it('stops a request in flight when the caller cancels', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = new ScepClient({ url: plainUrl() }).getCaCertificates({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await rejectionOf(pending)).code).toBe('CANCELLED');
  });

  it('refuses an answer far larger than any SCEP message', async () => {
    handler = (_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 0x41));
    const error = await rejectionOf(new ScepClient({ url: plainUrl(), getAttempts: 1 }).getCaCertificates());
    expect(error.code).toBe('SCEP_BAD_RESPONSE');
  });

  it('names a wrong SCEP path as not found', async () => {
    handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>The resource cannot be found.</html>');
    };
    expect((await rejectionOf(new ScepClient({ url: plainUrl() }).getCaCaps())).code).toBe('SCEP_NOT_FOUND');
  });
});
