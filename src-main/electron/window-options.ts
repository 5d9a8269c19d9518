import type { BrowserWindow as ElectronBrowserWindow, BrowserWindowConstructorOptions } from 'electron';

type WindowClass<W> = new (options: BrowserWindowConstructorOptions) => W;

/**
 * Creates the main window. The class is passed in so this file never imports Electron at run time: tests hand it a
 * class that records the options, and so read the exact configuration the app uses.
 *
 * The options are written out in full (not spread from elsewhere) so both a reader and the static scanner
 * (electronegativity) see every security setting where the window is created. Checklist items: 2 (no Node),
 * 3 (context isolation), 4 (sandbox), 6 (web security), 9 (no experimental features), 10 (no Blink features; and
 * middle-click new windows disabled), 12 (no webview).
 */
export function createMainWindow<W = ElectronBrowserWindow>(BrowserWindow: WindowClass<W>, preload: string): W {
  return new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Trusted Endpoints Console',
    webPreferences: {
      preload,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      contextIsolation: true,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
}
