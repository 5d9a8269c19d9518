import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  externalUrlToOpen,
  isAllowedNavigation,
  isPermissionGranted,
  refuseSender,
} from '../../src-main/electron/security-policy';
import { createMainWindow } from '../../src-main/electron/window-options';

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
  it('1. loads only local content: the window opens app://console, never a remote URL', () => {
    const main = fs.readFileSync('src-main/electron/main.ts', 'utf8');
    expect(main).toContain('loadURL(devServerUrl ?? APP_ENTRY_URL)');
    expect(APP_ENTRY_URL).toBe('app://console/index.html');
    expect(main).toMatch(/devServerUrl = !app\.isPackaged \?/);
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

  it('4. enables process sandboxing, for this window and app-wide', () => {
    expect(windowPreferences().sandbox).toBe(true);
    expect(fs.readFileSync('src-main/electron/main.ts', 'utf8')).toContain('app.enableSandbox();');
  });

  it('5. denies every permission request and check, and wires both handlers', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(isPermissionGranted(permission)).toBe(false);
    }
    const main = fs.readFileSync('src-main/electron/main.ts', 'utf8');
    expect(main).toContain('setPermissionRequestHandler((_wc, permission, callback) => callback(isPermissionGranted(permission)))');
    expect(main).toContain('setPermissionCheckHandler((_wc, permission) => isPermissionGranted(permission))');
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

  it('12. has no <webview> and refuses any that is attached', () => {
    expect(windowPreferences().webviewTag).toBe(false);
    expect(fs.readFileSync('src-main/electron/main.ts', 'utf8')).toContain("contents.on('will-attach-webview', (event) => event.preventDefault());");
  });

  it('13. disables navigation away from the app (navigations and redirects)', () => {
    expect(isAllowedNavigation(APP_ENTRY_URL)).toBe(true);
    expect(isAllowedNavigation('app://console/assets/index.js')).toBe(true);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'javascript:alert(1)', 'not a url', 'http://localhost:5173/']) {
      expect(isAllowedNavigation(url)).toBe(false);
    }
    // In development only, the electron-vite dev server's origin is ours.
    expect(isAllowedNavigation('http://localhost:5173/src/main.tsx', 'http://localhost:5173/')).toBe(true);
    const main = fs.readFileSync('src-main/electron/main.ts', 'utf8');
    expect(main).toContain("contents.on('will-navigate', refuseNavigation);");
    expect(main).toContain("contents.on('will-redirect', refuseNavigation);");
  });

  it('14-15. opens no new windows; only parsed http(s) links without credentials go to the OS browser', () => {
    expect(externalUrlToOpen('https://help.ivanti.com/path?q=1')).toBe('https://help.ivanti.com/path?q=1');
    expect(externalUrlToOpen('http://example.com')).toBe('http://example.com/');
    for (const url of ['file:///C:/Windows/system32/calc.exe', 'smb://server/share', 'javascript:alert(1)', 'ms-msdt:/id', 'https://user:pw@example.com/', '']) {
      expect(externalUrlToOpen(url)).toBeNull();
    }
    const main = fs.readFileSync('src-main/electron/main.ts', 'utf8');
    expect(main).toMatch(/setWindowOpenHandler\(\(\{ url \}\) => \{[\s\S]*?return \{ action: 'deny' \};/);
  });

  it('17. validates the sender of every IPC message', () => {
    const trusted = new Set([3]);
    expect(refuseSender({ webContentsId: 3, isMainFrame: true, frameUrl: APP_ENTRY_URL }, trusted)).toBeNull();
    expect(refuseSender({ webContentsId: 4, isMainFrame: true, frameUrl: APP_ENTRY_URL }, trusted)).toBe('not sent by the console window');
    expect(refuseSender({ webContentsId: 3, isMainFrame: false, frameUrl: APP_ENTRY_URL }, trusted)).toBe('sent from a sub-frame');
    expect(refuseSender({ webContentsId: 3, isMainFrame: true, frameUrl: 'https://evil.example' }, trusted)).toBe('sent from a foreign origin');
    expect(refuseSender({ webContentsId: null, isMainFrame: true, frameUrl: APP_ENTRY_URL }, trusted)).toBe('not sent by the console window');
  });

  it('18. serves its own content over a custom protocol instead of file://, with the CSP header', () => {
    const protocolFile = fs.readFileSync('src-main/electron/app-protocol.ts', 'utf8');
    expect(protocolFile).toContain("headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);");
    expect(protocolFile).toContain("if (file !== root && !file.startsWith(root + path.sep)) return new Response('Not found', { status: 404 });");
  });

  it('keeps a single instance so two processes never write one database', () => {
    expect(fs.readFileSync('src-main/electron/main.ts', 'utf8')).toMatch(/if \(!app\.requestSingleInstanceLock\(\)\) \{[\s\S]*?app\.quit\(\);/);
  });
});
