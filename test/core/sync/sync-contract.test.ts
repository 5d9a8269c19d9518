import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import type { Envelope } from '../../../src-shared/contract';
import type { SyncFinished } from '../../../src-shared/domain/sync';
import type { TestConfigurationResult } from '../../../src-shared/domain/test-configuration';
import { SYNC_WORKER_SOURCE } from '../../support/sync-worker-source';
import { useSyncTenants } from '../../support/sync-tenants';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-sync-contract-');
const PASSWORD = 'Tenant-Pa55word-8f3c1d-never-stored';
const EMAIL = 'api-sync@acmecorp.example';

const tenants = useSyncTenants({ seed: 'contract', devices: 2_500, restrictedDevices: 500, credentials: { email: EMAIL, password: PASSWORD } });

function recordingCore(dataDir: string) {
  // The app's sync path: runs on the sync worker thread, events relayed to this thread's bus.
  const core = createCore({ dataDir, version: 'test', transport: 'web-test-rig', syncWorker: SYNC_WORKER_SOURCE });
  const transcript: string[] = [];
  core.events.subscribe((name, payload) => transcript.push(JSON.stringify({ name, payload })));
  const call = async <T>(channel: string, input: unknown): Promise<Envelope<T>> => {
    const envelope = (await dispatch(core.handlers, channel, input, { signal: new AbortController().signal })) as Envelope<T>;
    transcript.push(JSON.stringify(envelope));
    return envelope;
  };
  return { core, transcript, call };
}

function value<T>(envelope: Envelope<T>): T {
  if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

async function createIntegration(call: ReturnType<typeof recordingCore>['call'], name: string, domain: string, password = PASSWORD): Promise<string> {
  const created = value(await call<{ id: string }>('integrations.create', { name, platform: 'android', domain, email: EMAIL, password }));
  return created.id;
}

async function syncToEnd(core: Core, call: ReturnType<typeof recordingCore>['call'], integrationId: string) {
  const finished = new Promise<SyncFinished>((resolve) => {
    const unsubscribe = core.events.subscribe((name, payload) => {
      if (name === 'sync.finished' && (payload as SyncFinished).integrationId === integrationId) {
        unsubscribe();
        resolve(payload as SyncFinished);
      }
    });
  });
  const started = value(await call<{ runId: number }>('sync.start', { integrationId }));
  const done = await finished;
  expect(done.runId).toBe(started.runId);
  return done.run;
}

describe('Test Configuration through the contract handler', () => {
  it('passes every check against a healthy tenant with the stored password, naming the device count per space', async () => {
    const { core, call } = recordingCore(tempDir());
    const id = await createIntegration(call, 'Healthy', tenants.tenant.domain);
    const result = value(await call<TestConfigurationResult>('integrations.testConfiguration', { id }));
    expect(result.ok).toBe(true);
    expect(result.spaces.map((s) => s.deviceCount)).toEqual(tenants.tenant.spaces().map((s) => s.deviceCount));
    await core.close();
  });

  it.each([
    ['a wrong password', () => ({ domain: tenants.tenant.domain, email: EMAIL, password: 'not-the-password' }), 'credentials-accepted', 'IVANTI_AUTH_REJECTED', /rejected the email and password/],
    ['a domain that does not exist', () => ({ domain: 'no-such-tenants.tenant.invalid', email: EMAIL, password: PASSWORD }), 'host-resolves', 'IVANTI_DNS_FAILED', /does not resolve/],
    ['a space without Device Read Only', () => ({ domain: tenants.restricted.domain, email: EMAIL, password: PASSWORD }), 'devices-readable', 'IVANTI_SPACE_FORBIDDEN', /"Marketing"/],
    ['a host answering HTML', () => ({ domain: tenants.htmlDomain, email: EMAIL, password: PASSWORD }), 'credentials-accepted', 'IVANTI_NOT_JSON', /instead of Ivanti's JSON/],
  ])('reports %s with its own check, code and message', async (_what, details, check, code, message) => {
    const { core, call, transcript } = recordingCore(tempDir());
    const result = value(await call<TestConfigurationResult>('integrations.testConfiguration', { ...details(), testRunId: 'run-1' }));
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({ check, error: { code } });
    expect(result.failure!.error.message).toMatch(message);
    // Each step was announced while it ran, failures included, for the UI to show live.
    const steps = transcript.filter((t) => t.includes('"integrations.testStep"')).map((t) => JSON.parse(t).payload);
    expect(steps).toContainEqual(expect.objectContaining({ testRunId: 'run-1', step: expect.objectContaining({ check, status: 'failed' }) }));
    await core.close();
  });

  it('tests a typed password for a saved integration without storing it', async () => {
    const { core, call } = recordingCore(tempDir());
    const id = await createIntegration(call, 'Typed', tenants.tenant.domain, 'stored-but-wrong');
    const typed = value(await call<TestConfigurationResult>('integrations.testConfiguration', { id, password: PASSWORD }));
    expect(typed.ok).toBe(true);
    const stored = value(await call<TestConfigurationResult>('integrations.testConfiguration', { id }));
    expect(stored.failure?.error.code).toBe('IVANTI_AUTH_REJECTED');
    await core.close();
  });
});

describe('sync through the contract', () => {
  it('syncs, reports history and changes, answers "has it synced?", and refuses a second concurrent run', async () => {
    const { core, call } = recordingCore(tempDir());
    const id = await createIntegration(call, 'Contract sync', tenants.tenant.domain);
    // Same tenant and API user: it shares the fetch, and its history gets a copy of the run.
    const sharing = value(
      await call<{ id: string }>('integrations.create', { name: 'Sharing iOS', platform: 'ios-appconfig', domain: tenants.tenant.domain, email: EMAIL, password: PASSWORD }),
    ).id;
    const finished = new Promise<void>((resolve) =>
      core.events.subscribe((name) => {
        if (name === 'sync.finished') resolve();
      }),
    );
    const started = value(await call<{ runId: number; resumed: boolean }>('sync.start', { integrationId: id }));
    expect(started.resumed).toBe(false);
    const second = await call('sync.start', { integrationId: id });
    expect(second).toMatchObject({ ok: false, error: { code: 'SYNC_ALREADY_RUNNING' } });
    const status = value(await call<{ running: { runId: number } | null }>('sync.status', { integrationId: id }));
    expect(status.running?.runId).toBe(started.runId);
    await finished;

    const runs = value(await call<{ id: number; status: string; added: number; trigger: string }[]>('sync.runs', { integrationId: id }));
    expect(runs).toEqual([expect.objectContaining({ id: started.runId, status: 'completed', added: 2_500, trigger: 'manual' })]);
    type Changes = { changes: { id: number; kind: string; guid: string }[]; total: number; nextAfterId: number | null };
    const changes = value(await call<Changes>('sync.changes', { runId: started.runId, limit: 1000 }));
    expect(changes.total).toBe(2_500);
    expect(changes.changes).toHaveLength(1000);
    expect(changes.nextAfterId).not.toBeNull();
    // Page after page from where the last ended, each change once, every one an addition of a tenant device.
    const pages: Changes['changes'] = [];
    for (let afterId: number | null | undefined; afterId !== null && pages.length <= 2_500; ) {
      const page: Changes = value(await call<Changes>('sync.changes', { runId: started.runId, limit: 1000, ...(afterId === undefined ? {} : { afterId }) }));
      pages.push(...page.changes);
      afterId = page.nextAfterId;
    }
    expect(new Set(pages.map((c) => c.id)).size).toBe(2_500);
    expect(new Set(pages.map((c) => c.guid))).toEqual(new Set(tenants.tenant.expectedGuids()));
    expect(pages.every((c) => c.kind === 'added')).toBe(true);
    expect(value(await call<Changes>('sync.changes', { runId: started.runId, kind: 'added', limit: 1 })).total).toBe(2_500);
    expect(value(await call<Changes>('sync.changes', { runId: started.runId, kind: 'removed', limit: 1 }))).toMatchObject({ total: 0, changes: [], nextAfterId: null });
    // The sharing integration's copy of the run shows the changes its fetch recorded.
    const [copy] = value(await call<{ id: number }[]>('sync.runs', { integrationId: sharing }));
    expect(copy!.id).not.toBe(started.runId);
    expect(value(await call<Changes>('sync.changes', { runId: copy!.id, limit: 1000 }))).toEqual(changes);

    const device = [...tenants.tenant.expectedDevices()].find((d) => typeof d.clientDeviceIdentifier === 'string')!;
    const found = value(await call<{ guid: string; removedAt: string | null }[]>('devices.find', { identifier: String(device.clientDeviceIdentifier).toLowerCase() }));
    expect(found).toEqual([expect.objectContaining({ guid: device.guid, removedAt: null })]);
    expect(value(await call<unknown[]>('devices.find', { identifier: 'not-a-device' }))).toEqual([]);
    await core.close();
  });

  it('keeps the Ivanti password out of SQLite, events and every response, including sync and Test Configuration', async () => {
    const dataDir = tempDir();
    const { core, call, transcript } = recordingCore(dataDir);
    const id = await createIntegration(call, 'Secret check', tenants.tenant.domain);
    const run = await syncToEnd(core, call, id);
    expect(run.status).toBe('completed');
    await call('integrations.testConfiguration', { id });
    await call('integrations.testConfiguration', { id, password: PASSWORD });
    await call('integrations.testConfiguration', { domain: tenants.tenant.domain, email: EMAIL, password: 'wrong-but-also-secret' });
    await call('sync.status', { integrationId: id });
    await call('sync.runs', { integrationId: id });
    await call('sync.changes', { runId: run.id, limit: 1000 });
    await call('devices.find', { identifier: 'x' });
    await call('integrations.list', {});

    expect(transcript.length).toBeGreaterThan(10);
    for (const entry of transcript) {
      expect(entry).not.toContain(PASSWORD);
      expect(entry).not.toContain('wrong-but-also-secret');
      expect(entry).not.toContain(Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64'));
    }
    // Once every connection (the sync worker's too) is closed, SQLite has checkpointed the WAL into the file.
    await core.close();
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('console.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(dataDir, file));
      expect(bytes.includes(Buffer.from(PASSWORD)), `${file} holds the password`).toBe(false);
      expect(bytes.includes(Buffer.from(PASSWORD, 'utf16le'))).toBe(false);
    }
  });
});
