import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IvantiClient, type IvantiClientOptions } from '../../../src-main/core/ivanti/ivanti-client';
import { SPACES_ENVELOPE, startCannedServer, type CannedServer } from './canned-server';
import { startConnectProxy } from './connect-proxy';
import { closeAfterEach } from './close-after-each';
import { recordingSleep } from './recording-sleep';
import { rejectionOf } from './rejection-of';
import { createTestCertificate, type TestCertificate } from './test-certificate';

const track = closeAfterEach();

let certificate: TestCertificate;
let caFile: string;
let tenant: CannedServer;
let tmp: string;

beforeAll(async () => {
  certificate = createTestCertificate();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-ivanti-tls-'));
  caFile = path.join(tmp, 'corporate-ca.pem');
  fs.writeFileSync(caFile, certificate.certPem);
  tenant = await startCannedServer({ status: 200, headers: { 'Content-Type': 'application/json' }, body: SPACES_ENVELOPE }, certificate);
});

afterAll(async () => {
  await tenant.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function client(options: Partial<IvantiClientOptions> & { domain: string }): IvantiClient {
  const c = new IvantiClient({ email: 'api@acmecorp.example', password: 'secret-password', env: {}, sleep: recordingSleep().sleep, maxRetries: 1, ...options });
  track(c);
  return c;
}


describe('IvantiClient over the network', () => {
  it('reports a domain that does not resolve as IVANTI_DNS_FAILED', async () => {
    const error = await rejectionOf(client({ domain: 'tenant-that-does-not-exist.invalid' }).listSpaces());
    expect(error.code).toBe('IVANTI_DNS_FAILED');
    expect(error.message).toContain('tenant-that-does-not-exist.invalid');
  });

  it('refuses an untrusted certificate with IVANTI_TLS_FAILED and never sends the credentials', async () => {
    const before = tenant.requests.length;
    const error = await rejectionOf(client({ domain: `https://127.0.0.1:${tenant.port}` }).listSpaces());
    expect(error.code).toBe('IVANTI_TLS_FAILED');
    expect(error.message).toContain('TEC_EXTRA_CA_CERTS');
    expect(tenant.requests.length).toBe(before);
  });

  it('trusts the certificate once its CA is given as an extra CA file (option or TEC_EXTRA_CA_CERTS)', async () => {
    const byOption = await client({ domain: `https://127.0.0.1:${tenant.port}`, extraCaCerts: caFile }).listSpaces();
    expect(byOption.map((s) => s.name)).toEqual(['Default Space']);
    const byEnv = await client({ domain: `https://localhost:${tenant.port}`, env: { TEC_EXTRA_CA_CERTS: caFile } }).listSpaces();
    expect(byEnv).toHaveLength(1);
  });

  it('reports an unreadable extra CA file as IVANTI_TLS_FAILED naming the file', () => {
    expect(() => client({ domain: 'acmecorp.mobileiron.com', extraCaCerts: path.join(tmp, 'missing.pem') })).toThrow(
      expect.objectContaining({ code: 'IVANTI_TLS_FAILED', message: expect.stringContaining('missing.pem') }),
    );
  });

  it('goes through the HTTPS_PROXY with CONNECT, letting the proxy resolve the host name', async () => {
    const proxy = await startConnectProxy(tenant.port);
    track(proxy);
    const c = client({ domain: 'tenant.invalid', env: { HTTPS_PROXY: proxy.url }, extraCaCerts: caFile });
    expect(c.proxy).toBe(proxy.url);
    const spaces = await c.listSpaces();
    expect(spaces).toHaveLength(1);
    expect(proxy.connects).toEqual(['tenant.invalid:443']);
    expect(tenant.requests.at(-1)).toMatchObject({ path: '/api/v1/tenant/partition/device?start=0&rows=100', authorized: true });
  });

  it('connects directly to a host listed in NO_PROXY', async () => {
    const proxy = await startConnectProxy(tenant.port);
    track(proxy);
    const c = client({ domain: `https://127.0.0.1:${tenant.port}`, env: { https_proxy: proxy.url, NO_PROXY: 'example.com,127.0.0.1' }, extraCaCerts: caFile });
    expect(c.proxy).toBeNull();
    await c.listSpaces();
    expect(proxy.connects).toEqual([]);
  });

  it('reports a proxy that demands authentication as IVANTI_PROXY_FAILED, without sending Ivanti credentials to it', async () => {
    const proxy = await startConnectProxy(tenant.port, 407);
    track(proxy);
    const error = await rejectionOf(client({ domain: 'tenant.invalid', env: { HTTPS_PROXY: proxy.url }, extraCaCerts: caFile }).listSpaces());
    expect(error.code).toBe('IVANTI_PROXY_FAILED');
    expect(error.details).toMatchObject({ proxyStatus: 407 });
    expect(error.message).toContain('NO_PROXY');
  });

  it('reports an unreachable proxy as IVANTI_PROXY_FAILED and hides the proxy password', async () => {
    const proxy = await startConnectProxy(tenant.port);
    const port = proxy.port;
    await proxy.close();
    const error = await rejectionOf(client({ domain: 'tenant.invalid', env: { HTTPS_PROXY: `http://corp-user:proxy-pass-77@127.0.0.1:${port}` } }).listSpaces());
    expect(error.code).toBe('IVANTI_PROXY_FAILED');
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain('proxy-pass-77');
  });

  it('never proxies plain http to the loopback simulator', () => {
    const c = client({ domain: '127.0.0.1:8080', env: { HTTPS_PROXY: 'http://proxy.example:3128', HTTP_PROXY: 'http://proxy.example:3128', ALL_PROXY: 'http://proxy.example:3128' } });
    expect(c.proxy).toBeNull();
  });

  it('reports the TLS certificate it connected with in a probe without credentials', async () => {
    const before = tenant.requests.length;
    const probe = await client({ domain: `https://localhost:${tenant.port}`, extraCaCerts: caFile }).probeConnection();
    expect(probe.status).toBe(200);
    expect(probe.tls).toMatchObject({ subject: 'localhost', protocol: expect.stringMatching(/^TLS/) });
    expect(tenant.requests.slice(before)).toEqual([expect.objectContaining({ authorized: false })]);
  });
});
