import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { main } from '../../src-main/cli/main';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { useSyncTenants } from '../support/sync-tenants';
import { useTempDir } from '../support/temp-dir';
import { until } from '../support/until';
import { ensureCliBuilt, TEC_BIN } from './built-cli';
import { runTec } from './cli-harness';
import { runningRunPages } from './run-pages';

const tempDir = useTempDir('tec-cli-sync-');
const EMAIL = 'api-cli@acmecorp.example';
const PASSWORD = 'Cli-Tenant-Pa55-5e1f';

const tenants = useSyncTenants({ seed: 'cli', devices: 1_500, restrictedDevices: 300, credentials: { email: EMAIL, password: PASSWORD } });
let slow: RunningSimulator;

beforeAll(async () => {
  slow = await startSimulator({ devices: 4_000, seed: 'cli-slow', credentials: { email: EMAIL, password: PASSWORD }, slowMs: 60, faults: { slow: 1 } });
});

afterAll(async () => {
  await slow?.close();
});

async function add(dataDir: string, name: string, domain: string, password = PASSWORD) {
  return runTec(['integration', 'add', '--name', name, '--platform', 'android', '--domain', domain, '--email', EMAIL, '--password-stdin', '--data-dir', dataDir, '--json'], {
    stdin: `${password}\n`,
  });
}

describe('tec integration, sync and devices find', () => {
  it('adds an integration with the password from stdin or TEC_IVANTI_PASSWORD, never from the command line, and lists it', async () => {
    const dataDir = tempDir();
    const added = await add(dataDir, 'Acme Android', tenants.tenant.domain);
    expect(added.code).toBe(EXIT.ok);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'Acme Android', status: 'disabled', hasPassword: true });
    expect(added.stdout).not.toContain(PASSWORD);

    const fromEnv = await runTec(['integration', 'add', '--name', 'Acme iOS', '--platform', 'ios-appconfig', '--domain', tenants.tenant.domain, '--email', EMAIL, '--data-dir', dataDir], {
      env: { TEC_IVANTI_PASSWORD: PASSWORD },
    });
    expect(fromEnv.code).toBe(EXIT.ok);

    const onArgv = await runTec(['integration', 'add', '--name', 'Leaky', '--platform', 'android', '--domain', tenants.tenant.domain, '--email', EMAIL, '--password', PASSWORD, '--data-dir', dataDir]);
    expect(onArgv.code).toBe(EXIT.usage);
    expect(onArgv.stderr).toMatch(/^tec: VALIDATION_FAILED: The password is never taken on the command line/);

    const missing = await runTec(['integration', 'add', '--name', 'No password', '--platform', 'android', '--domain', tenants.tenant.domain, '--email', EMAIL, '--data-dir', dataDir]);
    expect(missing.code).toBe(EXIT.usage);

    const listed = await runTec(['integration', 'list', '--json', '--data-dir', dataDir]);
    expect(listed.code).toBe(EXIT.ok);
    const integrations = JSON.parse(listed.stdout) as { name: string; hasPassword: boolean; lastSync: unknown }[];
    expect(integrations.map((i) => i.name).sort()).toEqual(['Acme Android', 'Acme iOS']);
    expect(integrations.every((i) => i.hasPassword && i.lastSync === null)).toBe(true);
  });

  it('tests, syncs and finds a device by its Device Client ID; an unknown identifier exits 3', async () => {
    const dataDir = tempDir();
    await add(dataDir, 'Acme', tenants.tenant.domain);
    const tested = await runTec(['integration', 'test', 'acme', '--data-dir', dataDir]);
    expect(tested.code).toBe(EXIT.ok);
    expect(tested.stdout).toContain('Test Configuration of "Acme" passed.');

    const synced = await runTec(['sync', 'Acme', '--json', '--data-dir', dataDir]);
    expect(synced.code).toBe(EXIT.ok);
    expect(JSON.parse(synced.stdout)).toMatchObject({ status: 'completed', complete: true, devicesSeen: 1_500, added: 1_500, trigger: 'cli' });

    const device = [...tenants.tenant.expectedDevices()].find((d) => typeof d.clientDeviceIdentifier === 'string')!;
    const found = await runTec(['devices', 'find', String(device.clientDeviceIdentifier), '--json', '--data-dir', dataDir]);
    expect(found.code).toBe(EXIT.ok);
    expect(JSON.parse(found.stdout)).toEqual([expect.objectContaining({ guid: device.guid, integrationName: 'Acme', removedAt: null })]);

    const unknown = await runTec(['devices', 'find', 'no-such-device', '--data-dir', dataDir]);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toMatch(/^tec: NOT_FOUND: No synced device has the identifier no-such-device/);
    const elsewhere = await runTec(['devices', 'find', String(device.clientDeviceIdentifier), '--integration', 'Nope', '--data-dir', dataDir]);
    expect(elsewhere.code).toBe(EXIT.notFound);
    expect(elsewhere.stderr).toMatch(/^tec: INTEGRATION_NOT_FOUND: /);
  });

  it.each([
    ['a wrong password', () => ({ domain: tenants.tenant.domain, password: 'not-the-password' }), EXIT.denied, 'IVANTI_AUTH_REJECTED', /rejected the email and password/],
    ['a domain that does not exist', () => ({ domain: 'no-such-tenants.tenant.invalid', password: PASSWORD }), EXIT.network, 'IVANTI_DNS_FAILED', /does not resolve/],
    ['a space without Device Read Only', () => ({ domain: tenants.restricted.domain, password: PASSWORD }), EXIT.denied, 'IVANTI_SPACE_FORBIDDEN', /"Marketing"/],
    ['a host answering HTML', () => ({ domain: tenants.htmlDomain, password: PASSWORD }), EXIT.network, 'IVANTI_NOT_JSON', /instead of Ivanti's JSON/],
  ])('tec integration test reports %s with its own exit code and error code', async (_what, setting, exitCode, code, message) => {
    const dataDir = tempDir();
    const { domain, password } = setting();
    expect((await add(dataDir, 'Under test', domain, password)).code).toBe(EXIT.ok);
    const human = await runTec(['integration', 'test', 'Under test', '--data-dir', dataDir]);
    expect(human.code).toBe(exitCode);
    expect(human.stderr).toMatch(new RegExp(`^tec: ${code}: `, 'm'));
    expect(human.stderr).toMatch(message);
    expect(human.stdout).toMatch(/^FAILED /m);

    const json = await runTec(['integration', 'test', 'Under test', '--json', '--data-dir', dataDir]);
    expect(json.code).toBe(exitCode);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, failure: { error: { code } } });
  });

  it('tec sync of an integration missing read access in one space completes the rest, says which space is unreadable, and exits 4', async () => {
    const dataDir = tempDir();
    await add(dataDir, 'Restricted', tenants.restricted.domain);
    const result = await runTec(['sync', 'Restricted', '--data-dir', dataDir]);
    expect(result.code).toBe(EXIT.denied);
    expect(result.stderr).toMatch(/^tec: IVANTI_SPACE_FORBIDDEN: .*"Marketing"/m);
    expect(result.stdout).toContain('Sync of "Restricted" completed with 1 unreadable space ("Marketing"): ');
    expect(result.stderr).toContain('Give the API user Device Read Only there, then sync again.');
  });

  it('draws a progress bar on a terminal (stderr only) and none when stderr is a pipe', async () => {
    const dataDir = tempDir();
    await add(dataDir, 'Bar', slow.domain);
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const code = await main(['sync', 'Bar', '--data-dir', dataDir], { stdout, stderr: terminal, stdin: Readable.from([]), env: {}, signal: new AbortController().signal });
    expect(code).toBe(EXIT.ok);
    expect(drawn).toMatch(/\r\[#*-*\] +\d+% [\d,]+\/4,000 devices/);
    expect(printed).not.toContain('\r');

    const piped = await runTec(['sync', 'Bar', '--data-dir', dataDir]);
    expect(piped.code).toBe(EXIT.ok);
    expect(piped.stderr).not.toContain('\r');
  });

  it('Ctrl-C stops a running `tec sync` cleanly (exit 130) and the next `tec sync` resumes the same run', { timeout: 120_000 }, async () => {
    ensureCliBuilt();
    const dataDir = tempDir();
    await add(dataDir, 'Slow', slow.domain);
    const child = spawn(process.execPath, [TEC_BIN, 'sync', 'Slow', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const db = path.join(dataDir, 'console.sqlite');
    // Interrupt once a few pages are committed, i.e. in the middle of the run.
    await until('three pages are committed', () => (runningRunPages(db) ?? 0) >= 3, { everyMs: 20 });
    child.kill('SIGINT');
    expect(await exited).toBe(EXIT.cancelled);
    expect(stderr).toMatch(/^tec: CANCELLED: Sync cancelled/m);

    const resumed = await runTec(['sync', 'Slow', '--json', '--data-dir', dataDir]);
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.stderr).toContain('Resuming sync run 1');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id: 1, status: 'completed', devicesSeen: 4_000, added: 4_000 });
  });
});
