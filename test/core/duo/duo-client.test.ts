import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DuoClient, type DuoClientOptions } from '../../../src-main/core/duo/duo-client';
import { signDuoRequest } from '../../../src-main/core/duo/duo-signature';
import { startDuoDouble, type DuoDoubleOptions, type RunningDuoDouble } from '../../duo/duo-admin-double';
import { startSimulator } from '../../simulator/ivanti-simulator';
import { startCannedServer } from '../ivanti/canned-server';
import { closeAfterEach } from '../ivanti/close-after-each';
import { recordingSleep } from '../ivanti/recording-sleep';
import { rejectionOf } from '../ivanti/rejection-of';
import { createTestCertificate } from '../ivanti/test-certificate';

const track = closeAfterEach();

async function double(options: Partial<DuoDoubleOptions> = {}): Promise<RunningDuoDouble> {
  const ivanti = track(await startSimulator({ devices: 120, seed: 'duo-client' }));
  return track(await startDuoDouble({ ivantiDevices: ivanti.expectedDevices(), users: 25, ...options }));
}

function clientFor(duo: RunningDuoDouble, options: Partial<DuoClientOptions> = {}): DuoClient {
  return track(new DuoClient({ apiHostname: duo.apiHostname, ...duo.credentials, sleep: recordingSleep().sleep, ...options }));
}

describe('DuoClient against the Duo double', () => {
  it('reads every user across pages, following next_offset, with v5 signatures', async () => {
    const duo = await double();
    const pages: number[] = [];
    const users = await clientFor(duo).list('list users', '/admin/v1/users', 7, undefined, (n) => pages.push(n));
    expect(users.map((u) => (u as { username: string }).username)).toEqual(duo.users().map((u) => u.username));
    expect(pages).toEqual([7, 14, 21, 25]);
    expect(new Set(duo.requests().map((r) => r.signature))).toEqual(new Set(['v5']));
  });

  it('reads a list that fits one default page without metadata', async () => {
    const duo = await double();
    const page = await clientFor(duo).get('list groups', '/admin/v1/groups', []);
    expect(page.nextOffset).toBeNull();
    expect((page.response as unknown[]).length).toBe(duo.groups().length);
  });

  it('reports a wrong secret key as a rejected signature, which the double refused with 40103', async () => {
    const duo = await double();
    const error = await rejectionOf(clientFor(duo, { secretKey: 'not-the-secret-key' }).get('list users', '/admin/v1/users', [['limit', '1']]));
    expect(error.code).toBe('DUO_SIGNATURE_REJECTED');
    expect(error.details).toMatchObject({ status: 401, duoCode: 40103 });
    expect(error.message).not.toContain('not-the-secret-key');
  });

  it('reports an unknown integration key (40102)', async () => {
    const duo = await double();
    const error = await rejectionOf(clientFor(duo, { integrationKey: 'DIWRONGWRONGWRONG000' }).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_INTEGRATION_KEY_REJECTED');
    expect(error.message).toContain('DIWRONGWRONGWRONG000');
  });

  it('diagnoses a local clock 10 minutes off as clock skew, from the Date header of Duo\'s answer', async () => {
    const duo = await double();
    const tenMinutesAhead = { now: () => Date.now() + 10 * 60_000 };
    const error = await rejectionOf(clientFor(duo, { clock: tenMinutesAhead }).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_CLOCK_SKEW');
    expect(error.message).toContain('10 min ahead of Duo');
    expect(Math.round((error.details!.skewMs as number) / 60_000)).toBe(-10);
    expect(duo.requests().at(-1)!.status).toBe(401);
  });

  it('reports a missing Admin API permission (403)', async () => {
    const duo = await double({ readResource: false });
    const error = await rejectionOf(clientFor(duo).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_PERMISSION_MISSING');
    expect(error.message).toContain('Grant read resource');
  });

  it('retries 429 with Duo\'s back-off (1 s doubling, plus jitter) and succeeds', async () => {
    const duo = await double({ faults: { '429': { next: 3 } } });
    const { sleep, delays } = recordingSleep();
    const page = await clientFor(duo, { sleep, random: () => 0.5 }).get('list users', '/admin/v1/users', [['limit', '1']]);
    expect((page.response as unknown[]).length).toBe(1);
    expect(delays).toEqual([1_500, 2_500, 4_500]);
  });

  it('gives up on endless 429 within a bounded wait, 32 s at most per wait', async () => {
    const duo = await double({ faults: { '429': { next: 1000 } } });
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(clientFor(duo, { sleep, random: () => 0.999, maxRetries: 8, maxTotalWaitMs: 200_000 }).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_RATE_LIMITED');
    expect(delays.map((d) => Math.floor(d / 1000))).toEqual([1, 2, 4, 8, 16, 32, 32, 32]);
    expect(error.details).toMatchObject({ attempts: 9 });
  });

  it('stops waiting at the total cap', async () => {
    const duo = await double({ faults: { '429': { next: 1000 } } });
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(clientFor(duo, { sleep, random: () => 0, maxTotalWaitMs: 10_000 }).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_RATE_LIMITED');
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
  });

  it('answers bursts with 429 and the client rides them out by waiting', async () => {
    // One clock for both sides, moved only by the client's waits: the burst window closes because the client waited.
    let t = Date.UTC(2026, 11, 5, 12);
    const duo = await double({ burstLimit: 2, now: () => t });
    const { sleep, delays } = recordingSleep((ms) => (t += ms));
    const client = clientFor(duo, { sleep, clock: { now: () => t } });
    await Promise.all([1, 2, 3, 4].map(() => client.get('list users', '/admin/v1/users', [['limit', '1']])));
    expect(duo.requests().filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(delays.length).toBeGreaterThan(0);
  });
});

describe('DuoClient diagnostics without the double', () => {
  const credentials = { integrationKey: 'DIWJ8X6AEYOR5OMC6TQ1', secretKey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep' };

  it('reports a host that does not resolve', async () => {
    const error = await rejectionOf(track(new DuoClient({ apiHostname: 'api-doesnotexist.invalid', ...credentials, maxRetries: 0 })).probe());
    expect(error.code).toBe('DUO_DNS_FAILED');
    expect(error.message).toContain('api-doesnotexist.invalid');
  });

  it('honours a Retry-After on 429 through the shared retry loop, should Duo send one', async () => {
    const server = track(
      await startCannedServer({ status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '7' }, body: JSON.stringify({ stat: 'FAIL', code: 42901, message: 'Too Many Requests' }) }),
    );
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(track(new DuoClient({ apiHostname: `127.0.0.1:${server.port}`, ...credentials, sleep, maxRetries: 2 })).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_RATE_LIMITED');
    expect(error.details).toMatchObject({ status: 429, duoCode: 42901, attempts: 3 });
    expect(delays).toEqual([7_000, 7_000]);
  });

  it('retries a 5xx and then reports a server error, as the Ivanti client does', async () => {
    const server = track(await startCannedServer({ status: 503, headers: { 'Content-Type': 'text/html' }, body: '<html>down</html>' }));
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(track(new DuoClient({ apiHostname: `127.0.0.1:${server.port}`, ...credentials, sleep, random: () => 0, maxRetries: 2 })).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_SERVER_ERROR');
    expect(error.message).toContain('HTTP 503');
    expect(delays).toEqual([1_000, 2_000]);
  });

  it('reports a host that accepts the connection but never answers as a timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const port = (silent.address() as net.AddressInfo).port;
    const client = track(new DuoClient({ apiHostname: `127.0.0.1:${port}`, ...credentials, timeoutMs: 300, maxRetries: 0 }));
    silent.on('connection', (socket) => track({ close: () => socket.destroy() }));
    const error = await rejectionOf(client.get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_TIMEOUT');
    expect(error.message).toContain('did not answer within');
  });

  it('names the proxy when HTTPS_PROXY cannot be reached', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = track(new DuoClient({ apiHostname: 'api-1a2b3c4d.duosecurity.com', ...credentials, env: { HTTPS_PROXY: `http://127.0.0.1:${port}` }, maxRetries: 0 }));
    const error = await rejectionOf(client.probe());
    expect(error.code).toBe('DUO_PROXY_FAILED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('reports an untrusted TLS certificate', async () => {
    const server = track(await startCannedServer({ status: 200, body: '{}' }, createTestCertificate()));
    const error = await rejectionOf(track(new DuoClient({ apiHostname: `https://127.0.0.1:${server.port}`, ...credentials, maxRetries: 0 })).probe());
    expect(error.code).toBe('DUO_TLS_FAILED');
  });

  it('reports a refused Date (40104) as a date problem when the clocks agree', async () => {
    const server = track(
      await startCannedServer({
        status: 401,
        headers: { 'Content-Type': 'application/json', Date: new Date().toUTCString() },
        body: JSON.stringify({ stat: 'FAIL', code: 40104, message: 'Missing request timestamp' }),
      }),
    );
    const error = await rejectionOf(track(new DuoClient({ apiHostname: `127.0.0.1:${server.port}`, ...credentials })).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_DATE_REJECTED');
  });

  it('reports a proxy page instead of Duo\'s JSON without throwing from inside the socket', async () => {
    const server = track(await startCannedServer({ status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>Sign in to the proxy</html>' }));
    const error = await rejectionOf(track(new DuoClient({ apiHostname: `127.0.0.1:${server.port}`, ...credentials })).get('list users', '/admin/v1/users', []));
    expect(error.code).toBe('DUO_BAD_RESPONSE');
    expect(error.message).toContain('text/html');
  });

  it('refuses plain http to anything but loopback', () => {
    expect(() => new DuoClient({ apiHostname: 'http://api-1234.duosecurity.com', ...credentials })).toThrow(expect.objectContaining({ code: 'DUO_INSECURE_URL' }));
  });

  it('signs with the host Duo sees, lower-case', () => {
    const request = { method: 'GET', host: 'API-XXXXXXXX.duosecurity.com', path: '/admin/v1/endpoints', params: [['limit', '500'], ['offset', '0']] as const, date: 'Tue, 21 Aug 2012 17:29:18 -0000' };
    expect(signDuoRequest(credentials.secretKey, request)).toMatch(/^874d096c/);
  });
});
