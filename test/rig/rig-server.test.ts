import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { startRig, type Rig } from './rig-server';
import { unusedSecretStore } from '../support/unused-secret-store';
import { ensureElectronBuilt } from '../support/fresh-build';
import { useTempDir } from '../support/temp-dir';

const tempRoot = useTempDir('tec-rig-', { lives: 'file' });

describe('web test rig', () => {
  let core: Core;
  let rig: Rig;
  beforeAll(async () => {
    ensureElectronBuilt();
    core = createCore({ dataDir: tempRoot(), version: 'test', transport: 'web-test-rig', secrets: unusedSecretStore });
    rig = await startRig({ core, rendererDir: 'out/renderer' });
  }, 360_000);
  afterAll(async () => {
    await rig.close();
    await core.close();
  });

  it('listens on loopback only', () => {
    expect(new URL(rig.origin).hostname).toBe('127.0.0.1');
  });

  it('refuses pages, calls and the event stream without this run’s token', async () => {
    for (const p of ['/', '/index.html', '/__rig/events', '/__rig/bridge.js']) {
      expect((await fetch(`${rig.origin}${p}`)).status).toBe(403);
    }
    const call = await fetch(`${rig.origin}/__rig/invoke/integrations.list`, { method: 'POST', body: '{}' });
    expect(call.status).toBe(403);
    expect(await call.json()).toMatchObject({ ok: false, error: { code: 'RIG_UNAUTHORIZED' } });
    const wrong = await fetch(`${rig.origin}/__rig/invoke/integrations.list`, { method: 'POST', body: '{}', headers: { 'x-rig-token': 'f'.repeat(48) } });
    expect(wrong.status).toBe(403);
    expect((await fetch(`${rig.origin}/__rig/enter?token=nope`, { redirect: 'manual' })).status).toBe(403);
  });

  it('with the token: sets an HttpOnly cookie, serves the app with the bridge and the CSP, and dispatches calls', async () => {
    const enter = await fetch(rig.url, { redirect: 'manual' });
    expect(enter.status).toBe(302);
    const cookie = enter.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const headers = { cookie: cookie.split(';')[0] };
    const page = await fetch(`${rig.origin}/`, { headers });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="/__rig/bridge.js"></script>');
    const answer = await fetch(`${rig.origin}/__rig/invoke/settings.get`, { method: 'POST', body: '{}', headers });
    expect(await answer.json()).toMatchObject({ ok: true, value: { staleSyncHours: 24 } });
    const bad = await fetch(`${rig.origin}/__rig/invoke/settings.update`, { method: 'POST', body: '{not json', headers });
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const traversal = await fetch(`${rig.origin}/..%2f..%2fpackage.json`, { headers });
    expect(traversal.status).toBe(404);
  });

  it('refuses a state-changing call from another local page, even with the cookie', async () => {
    const cookie = ((await fetch(rig.url, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0];
    const port = Number(new URL(rig.origin).port);
    for (const foreign of [`http://127.0.0.1:${port + 1}`, 'http://localhost:3000', 'null']) {
      const call = await fetch(`${rig.origin}/__rig/invoke/settings.update`, {
        method: 'POST',
        body: JSON.stringify({ staleSyncHours: 1 }),
        headers: { cookie, origin: foreign },
      });
      expect(call.status).toBe(403);
      expect(await call.json()).toMatchObject({ ok: false, error: { code: 'RIG_UNAUTHORIZED' } });
    }
    const own = await fetch(`${rig.origin}/__rig/invoke/settings.get`, { method: 'POST', body: '{}', headers: { cookie, origin: rig.origin } });
    expect(await own.json()).toMatchObject({ ok: true, value: { staleSyncHours: 24 } });
  });

  it('answers 400, not 500, to a bad %-escape, and 403 to a non-ASCII token', async () => {
    const cookie = ((await fetch(rig.url, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0];
    expect((await fetch(`${rig.origin}/%E0%A4%A`, { headers: { cookie } })).status).toBe(400);
    expect((await fetch(`${rig.origin}/__rig/invoke/%ZZ`, { method: 'POST', body: '{}', headers: { cookie, origin: rig.origin } })).status).toBe(400);
    const nonAscii = `${'é'}${'f'.repeat(47)}`;
    expect((await fetch(`${rig.origin}/__rig/enter?token=${encodeURIComponent(nonAscii)}`, { redirect: 'manual' })).status).toBe(403);
    const header = await fetch(`${rig.origin}/__rig/invoke/settings.get`, { method: 'POST', body: '{}', headers: { 'x-rig-token': nonAscii } });
    expect(header.status).toBe(403);
  });
});
