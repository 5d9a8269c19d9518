import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import { openFileLogger } from '../../../src-main/core/log/logger';
import { secretAccount } from '../../../src-main/core/secrets/secret-store';
import type { DuoProgress } from '../../../src-shared/domain/duo';
import { startDuoDouble, type DuoDoubleOptions, type RunningDuoDouble } from '../../duo/duo-admin-double';
import { startSimulator } from '../../simulator/ivanti-simulator';
import { requirePrivateKeyring } from '../../support/keyring';
import { useTempDir } from '../../support/temp-dir';
import { closeAfterEach } from '../ivanti/close-after-each';
import { recordingSleep } from '../ivanti/recording-sleep';

const tempDir = useTempDir();
const track = closeAfterEach();
const signal = new AbortController().signal;

async function setup(options: Partial<DuoDoubleOptions> & { clock?: { now(): number } } = {}): Promise<{ core: Core; duo: RunningDuoDouble; dataDir: string }> {
  const ivanti = track(await startSimulator({ devices: 200, seed: 'duo-service' }));
  const duo = track(await startDuoDouble({ ivantiDevices: ivanti.expectedDevices(), users: 30, ...options }));
  const dataDir = tempDir();
  const core = createCore({ dataDir, version: 'test', transport: 'cli', duoClient: { sleep: recordingSleep().sleep, clock: options.clock } });
  track({ close: () => core.close() });
  return { core, duo, dataDir };
}

async function connect(core: Core, duo: RunningDuoDouble, secretKey = duo.credentials.secretKey) {
  return core.handlers['duo.connect']({ apiHostname: duo.apiHostname, integrationKey: duo.credentials.integrationKey, secretKey }, { signal });
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('the Duo Admin API connection', () => {
  beforeAll(() => requirePrivateKeyring());

  it('keeps the secret key in the keychain only: not under the data directory, not in logs, IPC answers or exports', async () => {
    const { core, duo, dataDir } = await setup();
    const secret = duo.credentials.secretKey;
    const { logger, file } = openFileLogger({ directory: path.join(dataDir, 'logs'), fileName: 'main.log' });
    const answers: string[] = [];
    const call = async (channel: string, input: unknown) => {
      const envelope = await dispatch(core.handlers, channel, input, { signal }, logger);
      answers.push(JSON.stringify(envelope));
      // As verbose as a transport could be: every answer into the log file.
      logger.info('answer', { channel, envelope });
      return envelope;
    };
    expect(await call('duo.connect', { apiHostname: duo.apiHostname, integrationKey: duo.credentials.integrationKey, secretKey: secret })).toMatchObject({
      ok: true,
      value: { hasSecretKey: true },
    });
    expect(await core.services.secrets.get(secretAccount.duoSecretKey())).toBe(secret);
    await call('duo.connection', {});
    await call('duo.test', {});
    await call('duo.read', {});
    await call('duo.groups', {});
    await call('duo.matchUsers', { names: [duo.users()[0]!.username] });
    await call('duo.userView', { user: duo.users()[0]!.username });
    await call('duo.disagreements', {});
    await call('duo.exportDisagreements', { format: 'json' });
    await call('audit.list', { limit: 100 });
    // A failing call is logged: its error must not carry the key either.
    await call('duo.connect', { apiHostname: 'http://api-1.duosecurity.com', integrationKey: 'X', secretKey: secret });
    const exported: string[] = [];
    core.events.subscribe((name, payload) => {
      if (name === 'export.progress') exported.push((payload as { state: string }).state);
    });
    await call('export.start', { kind: 'audit', format: 'json' });
    await expect.poll(() => exported.at(-1), { timeout: 20_000 }).toBe('completed');
    file.close();
    for (const answer of answers) expect(answer).not.toContain(secret);
    core.services.db.pragma('wal_checkpoint(TRUNCATE)');
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.includes(`${path.sep}exports${path.sep}`))).toBe(true);
    expect(files.some((f) => f.endsWith('main.log'))).toBe(true);
    for (const f of files) expect(fs.readFileSync(f).includes(Buffer.from(secret)), `${f} holds the secret key`).toBe(false);
    await call('duo.disconnect', {});
    expect(await core.services.secrets.get(secretAccount.duoSecretKey())).toBeNull();
  });

  it('passes every check against the double', async () => {
    const { core, duo } = await setup();
    await connect(core, duo);
    const result = await core.handlers['duo.test'](undefined, { signal });
    expect(result.failure).toBeNull();
    expect(result.steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'passed', 'passed', 'passed']);
  });

  it('names the signature as the failing check when the secret key is wrong', async () => {
    const { core, duo } = await setup();
    await connect(core, duo, 'a-wrong-secret-key');
    const result = await core.handlers['duo.test'](undefined, { signal });
    expect(result.failure).toMatchObject({ check: 'credentials-accepted', error: { code: 'DUO_SIGNATURE_REJECTED' } });
  });

  it('names the clock when this computer is 10 minutes off, before any signed request', async () => {
    const { core, duo } = await setup({ clock: { now: () => Date.now() - 10 * 60_000 } });
    await connect(core, duo);
    const result = await core.handlers['duo.test'](undefined, { signal });
    expect(result.failure).toMatchObject({ check: 'clock-agrees', error: { code: 'DUO_CLOCK_SKEW' } });
    expect(result.failure!.error.message).toContain('10 min behind');
    expect(duo.requests().every((r) => r.signature === null)).toBe(true);
  });

  it('names the missing permission', async () => {
    const { core, duo } = await setup({ readResource: false });
    await connect(core, duo);
    const result = await core.handlers['duo.test'](undefined, { signal });
    expect(result.steps.find((s) => s.check === 'credentials-accepted')!.status).toBe('passed');
    expect(result.failure).toMatchObject({ check: 'read-permission', error: { code: 'DUO_PERMISSION_MISSING' } });
  });

  it('reads groups with members, users and endpoints into SQLite, with progress', async () => {
    const { core, duo } = await setup();
    await connect(core, duo);
    const progress: DuoProgress[] = [];
    const summary = await core.services.duo.read(undefined, (p) => progress.push(p));
    expect(summary.ok).toBe(true);
    const connection = (await core.handlers['duo.connection'](undefined, { signal }))!;
    expect(connection.counts).toEqual({
      groups: duo.groups().length,
      members: duo.groups().reduce((n, g) => n + g.members.length, 0),
      users: duo.users().length,
      endpoints: duo.endpoints().length,
    });
    expect(connection.reads.map((r) => [r.kind, r.status])).toEqual([['endpoints', 'completed'], ['groups', 'completed'], ['users', 'completed']]);
    const pilot = (await core.handlers['duo.groups'](undefined, { signal })).find((g) => g.name === 'Trusted Endpoints Pilot')!;
    expect(pilot.members.map((m) => m.userId).sort()).toEqual(duo.groups().find((g) => g.name === 'Trusted Endpoints Pilot')!.members.sort());
    expect(progress.some((p) => p.kind === 'endpoints' && p.fetched === duo.endpoints().length)).toBe(true);
    const trusted = core.services.db.prepare('SELECT trusted_endpoint AS t, COUNT(*) AS n FROM duo_endpoints GROUP BY t').all();
    expect(trusted.length).toBeGreaterThan(1);
  });

  it('keeps trusted_endpoint absent (NULL, not "no") on a non-Premier account', async () => {
    const { core, duo } = await setup({ premier: false });
    await connect(core, duo);
    await core.services.duo.read(undefined);
    expect(core.services.db.prepare('SELECT COUNT(*) AS n FROM duo_endpoints WHERE trusted_endpoint IS NOT NULL').get()).toEqual({ n: 0 });
  });

  it('keeps the previous copy of a list whose read is cancelled, and reports it', async () => {
    const { core, duo } = await setup();
    await connect(core, duo);
    await core.services.duo.read(undefined);
    const before = core.services.db.prepare('SELECT COUNT(*) AS n FROM duo_endpoints').get();
    const controller = new AbortController();
    const summary = await core.services.duo.read(controller.signal, (p) => {
      if (p.kind === 'endpoints') controller.abort();
    });
    expect(summary.reads.at(-1)).toMatchObject({ kind: 'endpoints', status: 'cancelled' });
    expect(core.services.db.prepare('SELECT COUNT(*) AS n FROM duo_endpoints').get()).toEqual(before);
  });

  it('refuses to read without a connection, with a specific code', async () => {
    const { core } = await setup();
    await expect(core.services.duo.read(undefined)).rejects.toMatchObject({ code: 'DUO_NOT_CONFIGURED' });
  });
});
