import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  externalUrlToOpen,
  isAllowedNavigation,
  isPermissionGranted,
  refuseSender,
} from '../../src-main/electron/security-policy';
import { createMainWindow } from '../../src-main/electron/window-options';
import { useTempDir } from '../support/temp-dir';
import { at, quit, startApp, type StartOverrides } from './desktop-harness';
import { StandInWebContents } from './electron-edge';

const tempDir = useTempDir('tec-security-');
const running: Awaited<ReturnType<typeof startApp>>[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) if (app.cores.length > 0) await quit(app);
});

/** The app as it starts (desktop-start.ts with Electron stand-ins and the real core): what it really wires. */
async function started(overrides: StartOverrides = {}) {
  const app = await startApp(tempDir, overrides);
  running.push(app);
  return app;
}

/** A web contents as Electron creates it, after the app's 'web-contents-created' handler hardened it. */
async function hardenedContents(): Promise<StandInWebContents> {
  const app = await started();
  const contents = new StandInWebContents();
  app.electron.app.emit('web-contents-created', {}, contents);
  return contents;
}

/** Whether the app called preventDefault on the event Electron emits for `url`. */
function prevented(contents: StandInWebContents, event: string, url?: string): boolean {
  let wasPrevented = false;
  contents.emit(event, { preventDefault: () => (wasPrevented = true) }, url);
  return wasPrevented;
}

/** Records what the app passes to `new BrowserWindow(...)`: the real options, read at the point of use. */
class RecordingBrowserWindow {
  static last: Record<string, unknown> | null = null;
  constructor(options: Record<string, unknown>) {
    RecordingBrowserWindow.last = options;
  }
}

function windowPreferences(): Record<string, unknown> {
  createMainWindow(RecordingBrowserWindow as never, '/app/out/preload/index.cjs');
  return RecordingBrowserWindow.last?.webPreferences as Record<string, unknown>;
}

// Items of https://www.electronjs.org/docs/latest/tutorial/security, one test each where it applies.
describe("Electron's security checklist, read from the configuration the app uses", () => {
  it('1. loads only local content: the window opens app://console, never a remote URL', async () => {
    expect(APP_ENTRY_URL).toBe('app://console/index.html');
    // Packaged, the dev server variable is ignored.
    const app = await started({ env: { ELECTRON_RENDERER_URL: 'https://evil.example/' } });
    expect(app.calls.filter((c) => c.startsWith('window.loadURL'))).toEqual([`window.loadURL ${APP_ENTRY_URL}`]);
  });

  it('2. does not enable Node.js integration anywhere', () => {
    const prefs = windowPreferences();
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('3. enables context isolation', () => {
    expect(windowPreferences().contextIsolation).toBe(true);
  });

  it('4. enables process sandboxing, for this window and app-wide', async () => {
    expect(windowPreferences().sandbox).toBe(true);
    const app = await started();
    expect(at(app.calls, 'app.enableSandbox')).toBeLessThan(at(app.calls, 'app.whenReady'));
  });

  it('5. denies every permission request and check, and wires both handlers', async () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(isPermissionGranted(permission)).toBe(false);
    }
    const app = await started();
    const answers: boolean[] = [];
    app.electron.permissionRequestHandler?.(null, 'media', (granted) => answers.push(granted));
    expect(answers).toEqual([false]);
    expect(app.electron.permissionCheckHandler?.(null, 'geolocation')).toBe(false);
  });

  it('6-8. keeps webSecurity on and never allows insecure content', () => {
    const prefs = windowPreferences();
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
  });

  it('7. defines a strict Content Security Policy: own scripts only, no inline, no eval, no remote hosts', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|https?:|\*/);
    // The same policy ships inside the renderer's HTML (so it also holds when served by the web test rig).
    const html = fs.readFileSync('src-renderer/index.html', 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta?.split('; ')).toEqual(CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors')));
  });

  it('9-10. enables no experimental or Blink features, and turns middle-click new windows off', () => {
    const prefs = windowPreferences();
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.enableBlinkFeatures).toBeUndefined();
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
  });

  it('12. has no <webview> and refuses any that is attached', async () => {
    expect(windowPreferences().webviewTag).toBe(false);
    const contents = await hardenedContents();
    expect(prevented(contents, 'will-attach-webview')).toBe(true);
  });

  it('13. disables navigation away from the app (navigations and redirects)', async () => {
    expect(isAllowedNavigation(APP_ENTRY_URL)).toBe(true);
    expect(isAllowedNavigation('app://console/assets/index.js')).toBe(true);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'javascript:alert(1)', 'not a url', 'http://localhost:5173/']) {
      expect(isAllowedNavigation(url)).toBe(false);
    }
    // In development only, the electron-vite dev server's origin is ours.
    expect(isAllowedNavigation('http://localhost:5173/src/main.tsx', 'http://localhost:5173/')).toBe(true);
    const contents = await hardenedContents();
    for (const event of ['will-navigate', 'will-redirect']) {
      expect(prevented(contents, event, 'https://evil.example/')).toBe(true);
      expect(prevented(contents, event, 'app://console/index.html#/devices')).toBe(false);
    }
  });

  it('14-15. opens no new windows; only parsed http(s) links without credentials go to the OS browser', async () => {
    expect(externalUrlToOpen('https://help.ivanti.com/path?q=1')).toBe('https://help.ivanti.com/path?q=1');
    expect(externalUrlToOpen('http://example.com')).toBe('http://example.com/');
    for (const url of ['file:///C:/Windows/system32/calc.exe', 'smb://server/share', 'javascript:alert(1)', 'ms-msdt:/id', 'https://user:pw@example.com/', '']) {
      expect(externalUrlToOpen(url)).toBeNull();
    }
    const app = await started();
    const contents = new StandInWebContents();
    app.electron.app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler?.({ url: 'https://help.ivanti.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(app.electron.opened).toEqual(['https://help.ivanti.com/']);
  });

  it('17. validates the sender of every IPC message', () => {
    const trusted = new Set([3]);
    expect(refuseSender({ webContentsId: 3, isMainFrame: true, frameUrl: APP_ENTRY_URL }, trusted)).toBeNull();
    expect(refuseSender({ webContentsId: 4, isMainFrame: true, frameUrl: APP_ENTRY_URL }, trusted)).toBe('not sent by the console window');
    expect(refuseSender({ webContentsId: 3, isMainFrame: false, frameUrl: APP_ENTRY_URL }, trusted)).toBe('sent from a sub-frame');
    expect(refuseSender({ webContentsId: 3, isMainFrame: true, frameUrl: 'https://evil.example' }, trusted)).toBe('sent from a foreign origin');
    expect(refuseSender({ webContentsId: null, isMainFrame: true, frameUrl: APP_ENTRY_URL }, trusted)).toBe('not sent by the console window');
  });

  it('18. serves its own content over a custom protocol instead of file://, with the CSP header', async () => {
    const bundleDir = path.join(tempDir(), 'out', 'main');
    fs.mkdirSync(path.join(bundleDir, '../renderer'), { recursive: true });
    fs.writeFileSync(path.join(bundleDir, '../renderer/index.html'), '<!doctype html><title>console</title>');
    fs.writeFileSync(path.join(bundleDir, '../secret.txt'), 'outside the renderer folder');
    const app = await started({ bundleDir });
    const serve = app.electron.protocolHandlers.get('app');
    const page = await serve!(new Request('app://console/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>console</title>');
    expect((await serve!(new Request('app://console/..%2Fsecret.txt'))).status).toBe(404);
    expect((await serve!(new Request('app://other/index.html'))).status).toBe(404);
  });

  it('keeps a single instance so two processes never write one database', async () => {
    const app = await started({ lockGranted: false });
    expect(app.calls.slice(-2)).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
  });
});
