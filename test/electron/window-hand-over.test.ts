import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handOverWarning, handOverWhenReady, type HandOverReason } from '../../src-main/electron/window-hand-over';
import { StandInBrowserWindow } from './electron-edge';

const WAIT_MS = 30_000;
const PAGE = 'app://console/index.html';

/** A console window waiting to be handed over, and what the hand-over was told (in order). */
function waiting() {
  const window = new StandInBrowserWindow({ webPreferences: {} });
  const reasons: HandOverReason[] = [];
  const stop = handOverWhenReady(window, WAIT_MS, (reason) => reasons.push(reason));
  return { window, reasons, stop };
}

describe('handOverWhenReady', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('hands over when the window is ready to show, once, and leaves no timer running', () => {
    const { window, reasons } = waiting();
    expect(reasons).toEqual([]);
    window.emit('ready-to-show');
    expect(reasons).toEqual([{ kind: 'ready' }]);
    expect(vi.getTimerCount()).toBe(0);
    // Whatever follows (a crash later, the wait's end) hands over nothing again.
    window.webContents.renderProcessGone('crashed', 139);
    window.webContents.failLoad(-6, 'ERR_FILE_NOT_FOUND', PAGE, true);
    vi.advanceTimersByTime(WAIT_MS);
    expect(reasons).toEqual([{ kind: 'ready' }]);
  });

  it("hands over when the page's main frame fails to load, and not again when it shows later", () => {
    const { window, reasons } = waiting();
    window.webContents.failLoad(-6, 'ERR_FILE_NOT_FOUND', PAGE, true);
    expect(reasons).toEqual([{ kind: 'load-failed', errorCode: -6, errorDescription: 'ERR_FILE_NOT_FOUND', url: PAGE }]);
    expect(vi.getTimerCount()).toBe(0);
    window.emit('ready-to-show');
    expect(reasons).toHaveLength(1);
  });

  it('waits on when a frame inside the page fails, or when another navigation replaced the load (ERR_ABORTED)', () => {
    const { window, reasons } = waiting();
    window.webContents.failLoad(-105, 'ERR_NAME_NOT_RESOLVED', 'https://example.invalid/', false);
    window.webContents.failLoad(-3, 'ERR_ABORTED', PAGE, true);
    expect(reasons).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    window.emit('ready-to-show');
    expect(reasons).toEqual([{ kind: 'ready' }]);
  });

  it("hands over when the page's renderer process is gone", () => {
    const { window, reasons } = waiting();
    window.webContents.renderProcessGone('oom', -536870904);
    expect(reasons).toEqual([{ kind: 'renderer-gone', reason: 'oom', exitCode: -536870904 }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("waits on when the page's renderer exits cleanly (the window closing, the app quitting)", () => {
    const { window, reasons } = waiting();
    window.webContents.renderProcessGone('clean-exit', 0);
    expect(reasons).toEqual([]);
    window.emit('ready-to-show');
    expect(reasons).toEqual([{ kind: 'ready' }]);
  });

  it('hands over once the wait has run out, and not again when the window becomes ready after', () => {
    const { window, reasons } = waiting();
    vi.advanceTimersByTime(WAIT_MS - 1);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reasons).toEqual([{ kind: 'not-ready', waitedMs: WAIT_MS }]);
    window.emit('ready-to-show');
    expect(reasons).toHaveLength(1);
  });

  it('stopped (the app quits), or once the window has closed, hands over nothing and leaves no timer running', () => {
    const stopped = waiting();
    stopped.stop();
    expect(vi.getTimerCount()).toBe(0);
    stopped.window.emit('ready-to-show');
    expect(stopped.reasons).toEqual([]);

    const closed = waiting();
    closed.window.close();
    expect(vi.getTimerCount()).toBe(0);
    closed.window.webContents.renderProcessGone('killed', 9);
    expect(closed.reasons).toEqual([]);
  });
});

describe('handOverWarning', () => {
  it('says nothing of a window that was ready or whose page failed (the recovery logs that), and why of one that was not ready', () => {
    expect(handOverWarning({ kind: 'ready' })).toBeNull();
    expect(handOverWarning({ kind: 'load-failed', errorCode: -6, errorDescription: 'ERR_FILE_NOT_FOUND', url: PAGE })).toBeNull();
    expect(handOverWarning({ kind: 'renderer-gone', reason: 'crashed', exitCode: 139 })).toBeNull();
    expect(handOverWarning({ kind: 'not-ready', waitedMs: 30_000 })).toMatch(/^The console's window is shown although its page was not ready after 30 s\. It may stay blank/);
  });
});
