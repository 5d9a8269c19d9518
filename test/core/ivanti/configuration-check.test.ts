import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTestConfiguration, type IvantiConnectionDetails, type TestConfigurationDeps } from '../../../src-main/core/ivanti/configuration-check';
import type { TestConfigurationResult, TestConfigurationStep } from '../../../src-shared/domain/test-configuration';
import { TestConfigurationResult as ResultSchema } from '../../../src-shared/domain/test-configuration';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/ivanti-simulator';
import { SPACES_ENVELOPE, startCannedServer, type CannedServer } from './canned-server';
import { startConnectProxy } from './connect-proxy';
import { closeAfterEach } from './close-after-each';
import { recordingSleep } from './recording-sleep';
import { createTestCertificate, type TestCertificate } from './test-certificate';
import { until } from '../../support/until';

const track = closeAfterEach();

let certificate: TestCertificate;
beforeAll(() => {
  certificate = createTestCertificate();
});

const deps: TestConfigurationDeps = { client: { env: {}, sleep: recordingSleep().sleep } };

async function simulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ devices: 2_000, seed: 'test-configuration', ...options });
  track(sim);
  return sim;
}

async function canned(status: number, headers: Record<string, string>, body: string, tls?: TestCertificate): Promise<CannedServer> {
  const server = await startCannedServer({ status, headers, body }, tls);
  track(server);
  return server;
}

function run(details: IvantiConnectionDetails, extra: TestConfigurationDeps = {}): Promise<TestConfigurationResult> {
  return runTestConfiguration(details, { ...deps, ...extra, client: { ...deps.client, ...extra.client } }, new AbortController().signal);
}

function statuses(result: TestConfigurationResult): Record<string, string> {
  return Object.fromEntries(result.steps.map((s) => [s.check, s.status]));
}

const login = { email: 'api@acmecorp.example', password: 'secret-password' };

describe('Test Configuration', () => {
  it('passes against a healthy tenant and reports the device count of every space', async () => {
    const sim = await simulator();
    const result = await run({ domain: sim.domain, ...sim.credentials });
    expect(ResultSchema.parse(result)).toEqual(result);
    expect(result.ok).toBe(true);
    expect(result.failure).toBeNull();
    expect(statuses(result)).toEqual({
      'host-resolves': 'skipped',
      'tls-valid': 'skipped',
      'credentials-accepted': 'passed',
      'spaces-visible': 'passed',
      'devices-readable': 'passed',
      'device-count': 'passed',
    });
    expect(result.steps[1]!.detail).toContain('Not applicable (local simulator)');
    expect(result.spaces).toEqual(
      sim.spaces().map((s) => ({ id: s.id, name: s.name, defaultSpace: s.defaultSpace, readable: true, deviceCount: s.deviceCount })),
    );
    expect(result.steps[5]!.detail).toContain('2,000 devices');
  });

  it('resolves a host name before anything else', async () => {
    const sim = await simulator({ devices: 10 });
    const result = await run({ domain: `localhost:${sim.port}`, ...sim.credentials });
    expect(result.steps[0]).toMatchObject({ status: 'passed', detail: expect.stringContaining('localhost resolves to') });
    expect(result.ok).toBe(true);
  });

  it('reports each state change to onStep, in order', async () => {
    const sim = await simulator({ devices: 10 });
    const seen: Array<[string, string]> = [];
    await runTestConfiguration({ domain: sim.domain, ...sim.credentials }, deps, new AbortController().signal, (step: TestConfigurationStep) =>
      seen.push([step.check, step.status]),
    );
    expect(seen).toEqual([
      ['host-resolves', 'running'],
      ['host-resolves', 'skipped'],
      ['tls-valid', 'running'],
      ['tls-valid', 'skipped'],
      ['credentials-accepted', 'running'],
      ['credentials-accepted', 'passed'],
      ['spaces-visible', 'running'],
      ['spaces-visible', 'passed'],
      ['devices-readable', 'running'],
      ['devices-readable', 'passed'],
      ['device-count', 'running'],
      ['device-count', 'passed'],
    ]);
  });

  it('stops at a wrong domain with IVANTI_DNS_FAILED and leaves the later checks pending', async () => {
    const result = await run({ domain: 'acmecorp-typo.invalid', ...login });
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({ check: 'host-resolves', error: { code: 'IVANTI_DNS_FAILED' } });
    expect(statuses(result)).toMatchObject({ 'host-resolves': 'failed', 'tls-valid': 'pending', 'device-count': 'pending' });
  });

  it('refuses plain http to a real host at the first check: IVANTI_INSECURE_URL', async () => {
    const result = await run({ domain: 'http://acmecorp.mobileiron.com', ...login });
    expect(result.failure).toMatchObject({ check: 'host-resolves', error: { code: 'IVANTI_INSECURE_URL' } });
  });

  it('fails the TLS check with IVANTI_TLS_FAILED before the password is sent anywhere', async () => {
    const server = await canned(200, { 'Content-Type': 'application/json' }, SPACES_ENVELOPE, certificate);
    const result = await run({ domain: `https://127.0.0.1:${server.port}`, ...login });
    expect(result.failure).toMatchObject({ check: 'tls-valid', error: { code: 'IVANTI_TLS_FAILED' } });
    expect(server.requests.filter((r) => r.authorized)).toEqual([]);
  });

  it('fails the TLS check with IVANTI_PROXY_FAILED when the proxy refuses, and leaves name resolution to the proxy', async () => {
    const proxy = await startConnectProxy(1, 403);
    track(proxy);
    const result = await run({ domain: 'acmecorp.mobileiron.com', ...login }, { client: { env: { HTTPS_PROXY: proxy.url } } });
    expect(result.steps[0]).toMatchObject({ status: 'skipped', detail: expect.stringContaining(proxy.url) });
    expect(result.failure).toMatchObject({ check: 'tls-valid', error: { code: 'IVANTI_PROXY_FAILED' } });
  });

  it('shows the certificate when TLS is valid', async () => {
    const server = await canned(200, { 'Content-Type': 'application/json' }, SPACES_ENVELOPE, certificate);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-tc-'));
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, certificate.certPem);
    try {
      const result = await run({ domain: `https://localhost:${server.port}`, ...login }, { client: { extraCaCerts: caFile } });
      expect(result.steps[1]).toMatchObject({ status: 'passed', detail: expect.stringContaining('certificate for localhost') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the credentials check with IVANTI_AUTH_REJECTED for a wrong password', async () => {
    const sim = await simulator({ devices: 10 });
    const result = await run({ domain: sim.domain, email: sim.credentials.email, password: 'not-the-password' });
    expect(result.failure).toMatchObject({ check: 'credentials-accepted', error: { code: 'IVANTI_AUTH_REJECTED' } });
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  it('fails the credentials check with IVANTI_MFA_REQUIRED on a tenant enforcing MFA', async () => {
    const sim = await simulator({ devices: 10, mfaEnforced: true });
    const result = await run({ domain: sim.domain, ...sim.credentials });
    expect(result.failure).toMatchObject({ check: 'credentials-accepted', error: { code: 'IVANTI_MFA_REQUIRED' } });
    expect(result.failure!.error.message).toContain('token');
  });

  it('fails the credentials check with IVANTI_NOT_JSON when an HTML page answers', async () => {
    const server = await canned(200, { 'Content-Type': 'text/html; charset=utf-8' }, '<!doctype html><title>Sign in to the guest network</title>');
    const result = await run({ domain: `127.0.0.1:${server.port}`, ...login });
    expect(result.failure).toMatchObject({ check: 'credentials-accepted', error: { code: 'IVANTI_NOT_JSON' } });
  });

  it('accepts the credentials but fails the spaces check with IVANTI_FORBIDDEN without System Read Only', async () => {
    const sim = await simulator({ devices: 10, systemReadOnly: false });
    const result = await run({ domain: sim.domain, ...sim.credentials });
    expect(statuses(result)).toMatchObject({ 'credentials-accepted': 'passed', 'spaces-visible': 'failed' });
    expect(result.failure).toMatchObject({ check: 'spaces-visible', error: { code: 'IVANTI_FORBIDDEN' } });
  });

  it('fails the spaces check with IVANTI_NO_SPACES when the list is empty', async () => {
    const server = await canned(200, { 'Content-Type': 'application/json' }, JSON.stringify({ errors: null, result: { searchResults: [], totalCount: 0 } }));
    const result = await run({ domain: `127.0.0.1:${server.port}`, ...login });
    expect(result.failure).toMatchObject({ check: 'spaces-visible', error: { code: 'IVANTI_NO_SPACES' } });
  });

  it('names every space without Device Read Only: IVANTI_SPACE_FORBIDDEN', async () => {
    const sim = await simulator({
      devices: 300,
      spaces: [
        { id: 10, name: 'Default Space', defaultSpace: true },
        { id: 11, name: 'Marketing', deviceRead: false },
        { id: 12, name: 'Sales' },
        { id: 13, name: 'Contractors', deviceRead: false },
      ],
    });
    const result = await run({ domain: sim.domain, ...sim.credentials });
    expect(result.failure).toMatchObject({
      check: 'devices-readable',
      error: { code: 'IVANTI_SPACE_FORBIDDEN', details: { spaces: [{ id: 11, name: 'Marketing' }, { id: 13, name: 'Contractors' }] } },
    });
    expect(result.failure!.error.message).toContain('"Marketing", "Contractors"');
    expect(result.spaces.map((s) => [s.name, s.readable])).toEqual([
      ['Default Space', true],
      ['Marketing', false],
      ['Sales', true],
      ['Contractors', false],
    ]);
    expect(result.steps[5]!.status).toBe('pending');
  });

  it('rejects with CANCELLED when cancelled', async () => {
    const sim = await simulator({ devices: 10, faults: { slow: 1 }, slowMs: 120_000 });
    const controller = new AbortController();
    const pending = runTestConfiguration({ domain: sim.domain, ...sim.credentials }, deps, controller.signal);
    await until('the simulator has a request', () => sim.stats().requests > 0, { everyMs: 5 });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
