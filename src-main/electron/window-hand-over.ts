/**
 * When the console's window is shown (desktop-start.ts; the upgrade window, if any, closes at that moment). Normally
 * on 'ready-to-show', so the window never flashes white; but that event never comes when the page fails to load, when
 * its renderer process dies, or when it is simply not ready, and then the upgrade window would say "Opening the
 * console…" forever, or, without an upgrade, no window would ever appear (an app that looks like it never started).
 * So the first of these signals shows the window, once; a later one changes nothing. Electron's objects arrive as
 * parameters: this file never imports electron, and test/electron/window-hand-over.test.ts drives it with stand-ins.
 */

/**
 * How long the console's window may take to become ready before it is shown anyway. Ready is its first paint, not its
 * data (the explorer loads after): long enough not to show a slow start's white window on a busy machine, short enough
 * that an admin still waits for it rather than starting the app again.
 */
export const DEFAULT_WINDOW_READY_WAIT_MS = 30_000;

/** Chromium's ERR_ABORTED: another navigation replaced this load, and that one signals ready (or fails) itself. */
const ERR_ABORTED = -3;

/** The console's page is gone or never came: its main frame failed to load, or its renderer process ended. */
export type PageFailure =
  | { kind: 'load-failed'; errorCode: number; errorDescription: string; url: string }
  | { kind: 'renderer-gone'; reason: string; exitCode: number };

/** Why the console's window was shown. */
export type HandOverReason = { kind: 'ready' } | PageFailure | { kind: 'not-ready'; waitedMs: number };

/** The parts of a webContents whose events say its page failed, typed as Electron declares them. */
export interface PageFailureSource {
  on(
    event: 'did-fail-load',
    listener: (event: unknown, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => void,
  ): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
}

/** The parts of a BrowserWindow (and its webContents) the hand-over listens to, typed as Electron declares them. */
export interface HandOverWindow {
  readonly webContents: PageFailureSource;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

/**
 * Calls `onFailure` each time the page fails: its main frame's load failed (not a frame inside it, which leaves the
 * page itself working, and not ERR_ABORTED, which a replacing navigation causes), or its renderer process ended other
 * than cleanly ('clean-exit' is the window closing or the app quitting).
 */
export function watchPageFailures(webContents: PageFailureSource, onFailure: (failure: PageFailure) => void): void {
  webContents.on('did-fail-load', (_event, errorCode, errorDescription, url, isMainFrame) => {
    if (isMainFrame && errorCode !== ERR_ABORTED) onFailure({ kind: 'load-failed', errorCode, errorDescription, url });
  });
  webContents.on('render-process-gone', (_event, details) => {
    if (details.reason !== 'clean-exit') onFailure({ kind: 'renderer-gone', reason: details.reason, exitCode: details.exitCode });
  });
}

/**
 * Calls `handOver` once, with the first of: ready to show, the main frame's load failed, the renderer is gone, or
 * `waitMs` passed. Returns a cancel (for quitting): after it, or once the window has closed, nothing is called and no
 * timer is left running.
 */
export function handOverWhenReady(window: HandOverWindow, waitMs: number, handOver: (reason: HandOverReason) => void): () => void {
  let settled = false;
  const timer = setTimeout(() => settle({ kind: 'not-ready', waitedMs: waitMs }), waitMs);
  const stop = () => {
    settled = true;
    clearTimeout(timer);
  };
  function settle(reason: HandOverReason): void {
    if (settled) return;
    stop();
    handOver(reason);
  }
  window.once('ready-to-show', () => settle({ kind: 'ready' }));
  watchPageFailures(window.webContents, settle);
  window.on('closed', stop);
  return stop;
}

/**
 * What the log says when the window was shown before its page was ready; null when it was ready, or when its page
 * failed (page-recovery.ts logs that failure and asks the admin what to do). Never a secret.
 */
export function handOverWarning(reason: HandOverReason): string | null {
  if (reason.kind !== 'not-ready') return null;
  return `The console's window is shown although its page was not ready after ${reason.waitedMs / 1000} s. It may stay blank: quit and start the console again; if it happens again, send this log.`;
}
