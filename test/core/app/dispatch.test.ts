import { unusedSecretStore } from '../../support/unused-secret-store';
import { describe, expect, it } from 'vitest';
import type { Handlers } from '../../../src-shared/contract';
import { createCore } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import { AppError } from '../../../src-shared/errors';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir();
const signal = new AbortController().signal;


function core() {
  return createCore({ dataDir: tempDir(), version: 'test', transport: 'cli', secrets: unusedSecretStore });
}

describe('dispatch: the one way into the handlers', () => {
  it('answers a malformed payload with a validation error naming the field, then serves the next valid call', async () => {
    const c = core();
    const bad = await dispatch(c.handlers, 'settings.update', { staleSyncHours: 'soon' }, { signal });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect((bad as { error: { message: string } }).error.message).toMatch(/^staleSyncHours: /);
    const good = await dispatch(c.handlers, 'settings.update', { staleSyncHours: 12 }, { signal });
    expect(good).toMatchObject({ ok: true, value: { staleSyncHours: 12 } });
    await c.close();
  });

  it('refuses unknown fields instead of ignoring them', async () => {
    const c = core();
    const result = await dispatch(c.handlers, 'settings.update', { staleSyncHours: 3, isAdmin: true }, { signal });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    await c.close();
  });

  it('refuses a channel that is not in the contract, including prototype names', async () => {
    const c = core();
    for (const name of ['integrations.hack', '__proto__', 'constructor', 42, null]) {
      const result = await dispatch(c.handlers, name, {}, { signal });
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
    await c.close();
  });

  it('hides the text of unexpected failures, which may hold paths or secrets, behind INTERNAL', async () => {
    const c = core();
    const logged: string[] = [];
    const handlers = { ...c.handlers, 'settings.get': () => Promise.reject(new Error('ENOENT /home/admin/secret-password.txt')) } as Handlers;
    const result = await dispatch(handlers, 'settings.get', {}, { signal }, { error: (m, f) => logged.push(`${m} ${JSON.stringify(f)}`) });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('secret-password');
    expect(logged.join()).toContain('secret-password');
    await c.close();
  });

  it('passes an AppError through with its code, message and details', async () => {
    const c = core();
    const handlers = {
      ...c.handlers,
      'settings.get': () => Promise.reject(new AppError('DB_LOCKED', 'Locked by another program.', { file: 'x' })),
    } as Handlers;
    expect(await dispatch(handlers, 'settings.get', {}, { signal })).toEqual({
      ok: false,
      error: { code: 'DB_LOCKED', message: 'Locked by another program.', details: { file: 'x' } },
    });
    await c.close();
  });

  it('strips fields a handler returns that the contract does not declare', async () => {
    const c = core();
    const handlers = {
      ...c.handlers,
      'settings.get': async () => ({ ...(await c.handlers['settings.get'](undefined, { signal })), password: 'leak' }),
    } as Handlers;
    const result = await dispatch(handlers, 'settings.get', {}, { signal });
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('leak');
    await c.close();
  });

  it('refuses to send an answer that breaks the contract', async () => {
    const c = core();
    const handlers = { ...c.handlers, 'settings.get': async () => ({ syncIntervalMinutes: 'often' }) } as unknown as Handlers;
    expect(await dispatch(handlers, 'settings.get', {}, { signal })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    await c.close();
  });
});
