import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAGE_RELOAD_GUARD_MS, PageRecovery, ReloadGuard, buildPageFailureBox, pageFailureLog, upgradePageFailureLog } from '../../src-main/electron/page-recovery';
import type { PageFailure } from '../../src-main/electron/window-hand-over';

const LOG_DIR = '/home/admin/.config/tec/logs';
const CRASHED: PageFailure = { kind: 'renderer-gone', reason: 'crashed', exitCode: 139 };
const NOT_FOUND: PageFailure = { kind: 'load-failed', errorCode: -6, errorDescription: 'ERR_FILE_NOT_FOUND', url: 'app://console/index.html' };

describe("the upgrade window's page", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('is loaded again unless it fails within the bound after the last reload; once the bound has passed, again', () => {
    const guard = new ReloadGuard();
    expect(guard.failedAgain()).toBe(false);
    guard.reloaded();
    vi.advanceTimersByTime(PAGE_RELOAD_GUARD_MS - 1);
    expect(guard.failedAgain()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(guard.failedAgain()).toBe(false);
  });

  it('says in the log what failed, with the load error and its URL, and whether it is loaded again', () => {
    const failed: PageFailure = { ...NOT_FOUND, url: 'app://console/index.html#upgrade' };
    expect(upgradePageFailureLog(failed, true)).toBe(
      "The upgrade window's page failed to load (ERR_FILE_NOT_FOUND, code -6, app://console/index.html#upgrade). Loading it again; the upgrade goes on meanwhile.",
    );
    expect(upgradePageFailureLog(CRASHED, false)).toBe(
      "The upgrade window's page process ended (crashed, exit code 139). It failed again right after it was loaded again, so it is left as it is; the upgrade goes on, and the console's window opens when it ends.",
    );
  });
});

describe('PageRecovery', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('offers Reload (the default, and what Escape does) for a first failure', () => {
    const box = new PageRecovery(LOG_DIR).ask(CRASHED);
    expect(box).toMatchObject({ type: 'error', buttons: ['Reload', 'Open Logs Folder', 'Quit'], defaultId: 0, cancelId: 0, noLink: true });
  });

  it('asks once while a box is up: a second failure meanwhile gets none', () => {
    const recovery = new PageRecovery(LOG_DIR);
    expect(recovery.ask(CRASHED)).not.toBeNull();
    expect(recovery.ask(NOT_FOUND)).toBeNull();
    recovery.answered();
    expect(recovery.ask(NOT_FOUND)).not.toBeNull();
  });

  it('offers no Reload when the page fails again within the bound after a reload, and offers it again after the bound', () => {
    const recovery = new PageRecovery(LOG_DIR);
    recovery.ask(CRASHED);
    recovery.answered();
    recovery.reloaded();
    vi.advanceTimersByTime(PAGE_RELOAD_GUARD_MS - 1);
    const again = recovery.ask(CRASHED);
    expect(again).toMatchObject({ buttons: ['Open Logs Folder', 'Quit'], defaultId: 1, cancelId: 1 });
    expect(again?.message).toMatch(/It happened again right after a reload\.$/);
    expect(again?.detail).toMatch(/Reloading again would most likely fail the same way/);
    recovery.answered();
    // A crash long after the last reload is a new failure: Reload is offered again.
    recovery.reloaded();
    vi.advanceTimersByTime(PAGE_RELOAD_GUARD_MS);
    expect(recovery.ask(NOT_FOUND)?.buttons).toEqual(['Reload', 'Open Logs Folder', 'Quit']);
  });

  it('a failure without a reload before it always offers Reload, however soon it follows the last one', () => {
    const recovery = new PageRecovery(LOG_DIR);
    recovery.ask(CRASHED);
    recovery.answered();
    expect(recovery.ask(CRASHED)?.buttons).toContain('Reload');
  });
});

describe('what the admin reads and the log says', () => {
  it('says what happened, with its codes, that nothing is lost, and where the log is', () => {
    const crashed = buildPageFailureBox(CRASHED, true, LOG_DIR);
    expect(crashed.message).toBe("The console's window stopped working: its page ended unexpectedly (crashed, exit code 139).");
    expect(crashed.detail).toMatch(/^Nothing is lost: the devices, settings and any running sync are kept by the console in the background/);
    expect(crashed.detail).toContain('Reload opens the page again.');
    expect(crashed.detail).toContain(`Log folder: ${LOG_DIR}`);
    const notLoaded = buildPageFailureBox(NOT_FOUND, true, LOG_DIR);
    expect(notLoaded.message).toBe("The console's window could not load its page (ERR_FILE_NOT_FOUND, code -6).");
  });

  it('logs the reason and exit code, or the error code, its description and our own page', () => {
    expect(pageFailureLog(CRASHED)).toBe("The console's page process ended (crashed, exit code 139).");
    expect(pageFailureLog(NOT_FOUND)).toBe("The console's page failed to load (ERR_FILE_NOT_FOUND, code -6, app://console/index.html).");
  });
});
