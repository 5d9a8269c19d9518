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

/** Why the console's window was shown. */
export type HandOverReason =
  | { kind: 'ready' }
  | { kind: 'load-failed'; errorCode: number; errorDescription: string; url: string }
  | { kind: 'renderer-gone'; reason: string; exitCode: number }
  | { kind: 'not-ready'; waitedMs: number };

/** The parts of a BrowserWindow (and its webContents) the hand-over listens to, typed as Electron declares them. */
export interface HandOverWindow {
  readonly webContents: {
    on(
      event: 'did-fail-load',
      listener: (event: unknown, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => void,
    ): unknown;
    on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
  };
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
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
  window.webContents.on('did-fail-load', (_event, errorCode, errorDescription, url, isMainFrame) => {
    // A frame inside the page failing leaves the page itself to become ready.
    if (isMainFrame && errorCode !== ERR_ABORTED) settle({ kind: 'load-failed', errorCode, errorDescription, url });
  });
  window.webContents.on('render-process-gone', (_event, details) => settle({ kind: 'renderer-gone', reason: details.reason, exitCode: details.exitCode }));
  window.on('closed', stop);
  return stop;
}

/** What the log says when the window was shown before it was ready; null when it was ready. Never a secret: codes and our own URL. */
export function handOverWarning(reason: HandOverReason): string | null {
  const advice = 'It may stay blank: quit and start the console again; if it happens again, send this log.';
  switch (reason.kind) {
    case 'ready':
      return null;
    case 'load-failed':
      return `The console's window is shown although its page failed to load (${reason.errorDescription}, code ${reason.errorCode}, ${reason.url}). ${advice}`;
    case 'renderer-gone':
      return `The console's window is shown although its page's process ended before it was ready (${reason.reason}, exit code ${reason.exitCode}). ${advice}`;
    case 'not-ready':
      return `The console's window is shown although its page was not ready after ${reason.waitedMs / 1000} s. ${advice}`;
  }
}
