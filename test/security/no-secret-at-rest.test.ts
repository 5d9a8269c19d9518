import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { createCore } from '../../src-main/core/app/composition-root';
import { dispatch } from '../../src-main/core/app/dispatch';
import { ensureCliBuilt, TEC_BIN } from '../cli/built-cli';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { requirePrivateKeyring } from '../support/keyring';
import { startScepServer, type ScepServer } from '../support/scep-server';

/**
 * Issue 17 point 7: after the full flows (a setup through the wizard, integration add and test, a sync, a SCEP
 * enrollment, every export, a failed login), no file the app or `tec` wrote under the data directory (database, WAL,
 * exports, logs) and nothing `tec` printed holds any of the secrets used. Real keyring, real processes, the simulator
 * and Debian's scepserver.
 */
const IVANTI_PASSWORD = 'Ivanti-Pw-7f3e1c9a-Q';
const WIZARD_PASSWORD = 'Wizard-Pw-0b8d2e44-Z';
const WRONG_PASSWORD = 'Wrong-Pw-55aa11cc-X';
const SCEP_CHALLENGE = 'C4A11E7A9E5F0D3B21';
const SECRETS = [IVANTI_PASSWORD, WIZARD_PASSWORD, WRONG_PASSWORD, SCEP_CHALLENGE];
const EMAIL = 'api-reader@acme.example';

let tenant: RunningSimulator;
let scep: ScepServer;
let root: string;
let dataDir: string;
const printed: string[] = [];

/** What one tec run ended with, and what it printed (shown when an exit code is not the one expected). */
interface Ran {
  code: number | null;
  output: string;
}

/** Runs the built tec; asynchronously, since the simulator answers from this process. */
function tec(args: string[], input = ''): Promise<Ran> {
  const child = spawn(process.execPath, [TEC_BIN, ...args, '--data-dir', dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  const own: string[] = [];
  const keep = (chunk: Buffer): void => {
    own.push(chunk.toString('utf8'));
    printed.push(chunk.toString('utf8'));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output: `tec ${args.join(' ')}\n${own.join('')}` })));
}

/** What tec printed, and the end of cli.log (which records the failing command's error code and message). */
function explain(ran: Ran): string {
  const log = path.join(dataDir, 'logs', 'cli.log');
  const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-6).join('\n') : '(no cli.log)';
  return `${ran.output}\n--- cli.log ---\n${tail}`;
}

async function expectExit(args: string[], expected: number, input = ''): Promise<void> {
  const ran = await tec(args, input);
  expect(ran.code, explain(ran)).toBe(expected);
}

async function expectFailure(args: string[]): Promise<void> {
  const ran = await tec(args);
  expect(ran.code, explain(ran)).not.toBe(EXIT.ok);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

beforeAll(async () => {
  requirePrivateKeyring();
  ensureCliBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-no-secret-'));
  dataDir = path.join(root, 'data');
  tenant = await startSimulator({ devices: 300, seed: 'no-secret', credentials: { email: EMAIL, password: IVANTI_PASSWORD } });
  scep = await startScepServer({ challenge: SCEP_CHALLENGE, allowRenewDays: 0 });
}, 180_000);

afterAll(async () => {
  await tenant?.close();
  await scep?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('no secret at rest after the full flows', () => {
  // About 20 tec processes, a sync and an enrollment: seconds on a quiet machine, a minute when the machine is busy.
  it('keeps every password and challenge out of the database, its WAL, exports, logs and printed output', async () => {
    // The wizard, through the contract as the app calls it, with the real keychain.
    const core = createCore({ dataDir, version: 'test', transport: 'web-test-rig' });
    const call = (channel: string, input: unknown) => dispatch(core.handlers, channel, input, { signal: new AbortController().signal });
    const started = (await call('wizard.start', {})) as { ok: true; value: { id: string } };
    expect(started.ok).toBe(true);
    const id = started.value.id;
    expect(await call('wizard.update', { id, values: { mdm: 'ivanti-neurons', platform: 'android', name: 'Wizard Fleet', domain: tenant.domain, email: EMAIL } })).toMatchObject({ ok: true });
    // Through the steps until the wizard has created the integration the password belongs to.
    for (let step = 0; step < 4; step++) {
      const next = (await call('wizard.next', { id })) as { ok: boolean; value?: { integrationId: string | null } };
      if (next.value?.integrationId) break;
    }
    expect(await call('wizard.storePassword', { id, password: WIZARD_PASSWORD })).toMatchObject({ ok: true });
    await core.close();

    await expectExit(['integration', 'add', '--name', 'Fleet', '--platform', 'android', '--domain', tenant.domain, '--email', EMAIL, '--password-stdin'], EXIT.ok, `${IVANTI_PASSWORD}\n`);
    await expectExit(['integration', 'add', '--name', 'Wrong', '--platform', 'android', '--domain', tenant.domain, '--email', EMAIL, '--password-stdin'], EXIT.ok, `${WRONG_PASSWORD}\n`);
    // Test Configuration runs every check, passing or not; what matters here is what it leaves behind.
    await expectExit(['integration', 'test', 'Fleet'], EXIT.ok);
    await expectFailure(['integration', 'test', 'Wrong']);
    await expectExit(['sync', 'Fleet'], EXIT.ok);
    await expectFailure(['sync', 'Wrong']);
    const cert = path.join(root, 'device.pem');
    await expectExit(['scep', 'enroll', '--url', scep.url, '--subject', 'CN=no-secret-device,O=Acme', '--challenge-stdin', '--out-cert', cert], EXIT.ok, `${SCEP_CHALLENGE}\n`);
    for (const kind of ['devices', 'changes', 'audit']) {
      for (const format of ['csv', 'json']) await expectExit(['export', kind, '--format', format, '--out', path.join(dataDir, 'exports', `${kind}.${format}`)], EXIT.ok);
    }
    await expectExit(['audit', 'list', '--json'], EXIT.ok);
    await expectExit(['integration', 'list', '--json'], EXIT.ok);

    const written = [...filesUnder(dataDir), cert];
    expect(written.some((f) => f.endsWith('console.sqlite'))).toBe(true);
    expect(written.filter((f) => f.includes(`${path.sep}exports${path.sep}`))).toHaveLength(6);
    const leaks = written.flatMap((file) => {
      const bytes = fs.readFileSync(file);
      return SECRETS.filter((s) => bytes.includes(Buffer.from(s, 'utf8')) || bytes.includes(Buffer.from(s, 'utf16le'))).map((s) => `${s} in ${file}`);
    });
    leaks.push(...SECRETS.filter((s) => printed.some((text) => text.includes(s))).map((s) => `${s} printed by tec`));
    expect(leaks).toEqual([]);
  }, 180_000);
});
