import { unusedSecretStore } from '../support/unused-secret-store';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app/composition-root';
import { INVOKE_CHANNEL } from '../../src-main/electron/ipc-channels';
import { registerIpcTransport } from '../../src-main/electron/ipc-transport';
import { APP_ENTRY_URL } from '../../src-main/electron/security-policy';
import { useTempDir } from '../support/temp-dir';
import { invokeEvent, RecordingIpcMain, WebContentsLike } from './electron-edge';

const tempDir = useTempDir();

function setUp() {
  const core = createCore({ dataDir: tempDir(), version: 'test', transport: 'electron', secrets: unusedSecretStore });
  const ipcMain = new RecordingIpcMain();
  const ourWindow = new WebContentsLike(7, APP_ENTRY_URL);
  const warnings: string[] = [];
  const unregister = registerIpcTransport({
    ipcMain: ipcMain as never,
    handlers: core.handlers,
    trustedWebContentsIds: new Set([ourWindow.id]),
    log: { error: () => undefined, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`) },
  });
  return { core, ipcMain, ourWindow, warnings, unregister };
}

describe('Electron IPC transport', () => {
  it('serves our window main frame at our origin', async () => {
    const { ipcMain, ourWindow, core } = setUp();
    const answer = await ipcMain.invoke(INVOKE_CHANNEL, invokeEvent(ourWindow), 'settings.get', {});
    expect(answer).toMatchObject({ ok: true, value: { syncIntervalMinutes: 60 } });
    await core.close();
  });

  it('answers a malformed payload with a validation error and keeps serving', async () => {
    const { ipcMain, ourWindow, core } = setUp();
    const bad = await ipcMain.invoke(INVOKE_CHANNEL, invokeEvent(ourWindow), 'integrations.create', { name: 42, platform: 'windows' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const garbage = await ipcMain.invoke(INVOKE_CHANNEL, invokeEvent(ourWindow), 'integrations.list', 'not-an-object');
    expect(garbage).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const good = await ipcMain.invoke(INVOKE_CHANNEL, invokeEvent(ourWindow), 'integrations.list', {});
    expect(good).toEqual({ ok: true, value: [] });
    await core.close();
  });

  it('refuses another webContents, a sub-frame, and a foreign origin, naming the reason', async () => {
    const { ipcMain, ourWindow, warnings, core } = setUp();
    const stranger = new WebContentsLike(99, APP_ENTRY_URL);
    const subFrame = { url: APP_ENTRY_URL };
    const navigatedAway = new WebContentsLike(7, 'https://evil.example/phish');

    const cases = [
      { event: invokeEvent(stranger), reason: 'not sent by the console window' },
      { event: invokeEvent(ourWindow, subFrame), reason: 'sent from a sub-frame' },
      { event: invokeEvent(navigatedAway), reason: 'sent from a foreign origin' },
      { event: invokeEvent(ourWindow, null), reason: 'sent from a sub-frame' },
    ];
    for (const { event, reason } of cases) {
      const answer = await ipcMain.invoke(INVOKE_CHANNEL, event, 'integrations.list', {});
      expect(answer).toEqual({ ok: false, error: { code: 'IPC_SENDER_REFUSED', message: `Request refused: ${reason}.` } });
    }
    expect(warnings).toHaveLength(cases.length);
    // Refusals do not stop the transport.
    expect(await ipcMain.invoke(INVOKE_CHANNEL, invokeEvent(ourWindow), 'integrations.list', {})).toEqual({ ok: true, value: [] });
    await core.close();
  });

  it('refuses a window that has been destroyed', async () => {
    const { ipcMain, ourWindow, core } = setUp();
    ourWindow.destroyed = true;
    expect(await ipcMain.invoke(INVOKE_CHANNEL, invokeEvent(ourWindow), 'integrations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'IPC_SENDER_REFUSED' },
    });
    await core.close();
  });

  it('unregisters cleanly', async () => {
    const { ipcMain, unregister, core } = setUp();
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    await core.close();
  });
});
