import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { dispatch } from '../../src-main/core/app/dispatch';
import { contract } from '../../src-shared/contract';
import { AppError, toErrorPayload } from '../../src-shared/errors';
import { unusedSecretStore } from '../support/unused-secret-store';
import { unboundedPaths } from './input-limits';

/** Issue 17 point 6: every request is bounded and clean, and an error never echoes an oversized value. */
let core: Core;
let dataDir: string;
const call = (channel: string, input: unknown) => dispatch(core.handlers, channel, input, { signal: new AbortController().signal });

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-input-limits-'));
  core = createCore({ dataDir, version: 'test', transport: 'web-test-rig', secrets: unusedSecretStore });
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the contract', () => {
  it('declares a maximum for every id, string and list a request carries', () => {
    const unbounded = Object.entries(contract).flatMap(([name, spec]) => unboundedPaths(spec.input).map((p) => `${name} ${p}`));
    expect(unbounded).toEqual([]);
  });

  it('refuses a 1 MB id with a short VALIDATION_FAILED that does not echo it', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    for (const [channel, input] of [
      ['integrations.get', { id: huge }],
      ['wizard.get', { id: huge }],
      ['sync.status', { integrationId: huge }],
      ['export.cancel', { exportId: huge }],
    ] as const) {
      const envelope = await call(channel, input);
      expect(envelope).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(JSON.stringify(envelope).length).toBeLessThan(2000);
    }
  });

  it('never lets an error carry an oversized value, whoever built it', () => {
    const payload = toErrorPayload(new AppError('NOT_FOUND', `No device ${'d'.repeat(50_000)}.`, { identifier: 'i'.repeat(1_000_000), list: Array(10_000).fill('x') }));
    expect(JSON.stringify(payload).length).toBeLessThan(5000);
    expect(payload.details?.identifier).toMatch(/… \(1000000 characters in all\)$/);
  });
});

describe('integration names', () => {
  it.each([['right-to-left override', 'Fleet\u202Egpj.exe'], ['escape sequence', 'Fleet\x1b[2J'], ['line break', 'Fleet\nA'], ['C1 control', 'Fleet\x9b']])(
    'refuse a %s',
    async (_what, name) => {
      const envelope = await call('integrations.create', { name, platform: 'android' });
      expect(envelope).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/^name: A name cannot hold control characters/) } });
    },
  );
});

describe('Ivanti domains', () => {
  const create = async (domain: string) => call('integrations.create', { name: `Fleet ${Math.random()}`, platform: 'android', domain });

  it('strip https:// and a trailing slash', async () => {
    const envelope = await create('https://AcmeCorp.MobileIron.com/');
    expect(envelope).toMatchObject({ ok: true, value: { domain: 'acmecorp.mobileiron.com' } });
  });

  it('refuse http:// with "use https", except before a loopback host (the simulator)', async () => {
    expect(await create('http://acmecorp.mobileiron.com')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/^domain: Use https/) } });
    expect(await create('http://127.0.0.1:8080/')).toMatchObject({ ok: true, value: { domain: '127.0.0.1:8080' } });
  });

  it('respect DNS limits: 63 characters a label, 253 in all', async () => {
    expect(await create(`${'a'.repeat(63)}.mobileiron.com`)).toMatchObject({ ok: true });
    expect(await create(`${'a'.repeat(64)}.mobileiron.com`)).toMatchObject({ ok: false, error: { message: expect.stringContaining('63 characters') } });
    const long = `${Array(4).fill('b'.repeat(60)).join('.')}.mobileiron.com`;
    expect(long.length).toBeGreaterThan(253);
    expect(await create(long)).toMatchObject({ ok: false, error: { message: expect.stringContaining('253 characters') } });
  });
});

describe('wizard.update', () => {
  it('answers VALIDATION_FAILED to a key present with no value, as Electron IPC delivers it', async () => {
    const started = await call('wizard.start', {});
    expect(started.ok).toBe(true);
    const id = (started as { value: { id: string } }).value.id;
    const envelope = await call('wizard.update', { id, values: { name: undefined } });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/^values\.name: A value is required/) } });
  });
});
