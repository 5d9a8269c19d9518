import type { PageFailure } from './window-hand-over';

/**
 * What the admin is asked when the console's page fails: its renderer process crashed or was killed (a crash, the OS
 * out of memory, a GPU process taking it down), or its main frame could not load, at start or at any time later.
 * Without this the window stays blank and the admin can only guess. The decision lives here, Electron-free; desktop-
 * start.ts only shows the box modal to the window and does what the answer says (test/electron/page-recovery.test.ts
 * drives this with fake timers, desktop-start.test.ts the whole path with stand-ins).
 *
 * "Nothing is lost" is true because the page holds no data of its own: the database, the secrets and the sync
 * scheduler live in the main process and a running sync in the sync worker thread (core/app/composition-root.ts);
 * the page reads them over IPC. Only what was typed in the window and not yet saved goes with it.
 */

/**
 * A page that fails again this soon after a reload would most likely fail the same way on the next: Reload is not
 * offered then, so the admin is not led round a crash loop. Long enough for a page to load and be used for a moment
 * on a busy machine; short enough that a crash hours later still offers Reload.
 */
export const PAGE_RELOAD_GUARD_MS = 60_000;

export const PAGE_FAILURE_BUTTONS = ['Reload', 'Open Logs Folder', 'Quit'] as const;
export const PAGE_FAILED_AGAIN_BUTTONS = ['Open Logs Folder', 'Quit'] as const;
export type PageFailureButton = (typeof PAGE_FAILURE_BUTTONS)[number];

/** A native message box's options (Electron's MessageBoxOptions, the parts used). */
export interface PageFailureBox {
  type: 'error';
  title: string;
  message: string;
  detail: string;
  buttons: PageFailureButton[];
  defaultId: number;
  cancelId: number;
  noLink: true;
}

/**
 * The failure as the log says it: what failed and Chromium's codes, never a secret (the URL is our own page's). `page`
 * names whose page it is (the console's, or the upgrade window's).
 */
export function pageFailureLog(failure: PageFailure, page = "The console's page"): string {
  return failure.kind === 'renderer-gone'
    ? `${page} process ended (${failure.reason}, exit code ${failure.exitCode}).`
    : `${page} failed to load (${failure.errorDescription}, code ${failure.errorCode}, ${failure.url}).`;
}

/**
 * The upgrade window's page failing: logged, and loaded again unless it failed right after the last time (then left as
 * it is). No box: the upgrade runs on its own thread whatever its window shows, and cannot be left half-way.
 */
export function upgradePageFailureLog(failure: PageFailure, reloading: boolean): string {
  const what = pageFailureLog(failure, "The upgrade window's page");
  return reloading
    ? `${what} Loading it again; the upgrade goes on meanwhile.`
    : `${what} It failed again right after it was loaded again, so it is left as it is; the upgrade goes on, and the console's window opens when it ends.`;
}

/** Whether a page fails again right after it was loaded again (within PAGE_RELOAD_GUARD_MS). Time is Date.now. */
export class ReloadGuard {
  #reloadedAt: number | null = null;

  constructor(private readonly guardMs = PAGE_RELOAD_GUARD_MS) {}

  /** A failure now is one right after the last reload. */
  failedAgain(): boolean {
    return this.#reloadedAt !== null && Date.now() - this.#reloadedAt < this.guardMs;
  }

  /** The page is being loaded again: a failure within the bound from now is a failure again. */
  reloaded(): void {
    this.#reloadedAt = Date.now();
  }
}

/** The box for this failure, with Reload offered or not. */
export function buildPageFailureBox(failure: PageFailure, reloadOffered: boolean, logDir: string): PageFailureBox {
  const what =
    failure.kind === 'renderer-gone'
      ? `The console's window stopped working: its page ended unexpectedly (${failure.reason}, exit code ${failure.exitCode}).`
      : `The console's window could not load its page (${failure.errorDescription}, code ${failure.errorCode}).`;
  const safe =
    'Nothing is lost: the devices, settings and any running sync are kept by the console in the background, not by this window. Only what was typed in the window and not yet saved is gone.';
  const buttons: PageFailureButton[] = reloadOffered ? [...PAGE_FAILURE_BUTTONS] : [...PAGE_FAILED_AGAIN_BUTTONS];
  const answer: PageFailureButton = reloadOffered ? 'Reload' : 'Quit';
  return {
    type: 'error',
    title: 'Trusted Endpoints Console',
    message: reloadOffered ? what : `${what} It happened again right after a reload.`,
    detail: [
      safe,
      '',
      reloadOffered
        ? 'Reload opens the page again. Quit closes the console (a running sync stops, keeping what it has saved).'
        : 'Reloading again would most likely fail the same way. Quit, start the console again, and if it happens again send the log to your support.',
      '',
      `Log folder: ${logDir}`,
    ].join('\n'),
    buttons,
    defaultId: buttons.indexOf(answer),
    cancelId: buttons.indexOf(answer),
    noLink: true,
  };
}

/**
 * One console window's recovery: which box a failure gets, and no second box while one is up (a gone renderer and
 * the failed load it causes are one failure to the admin; the second is only logged). Time is Date.now.
 */
export class PageRecovery {
  #asking = false;
  readonly #guard: ReloadGuard;

  constructor(
    private readonly logDir: string,
    guardMs = PAGE_RELOAD_GUARD_MS,
  ) {
    this.#guard = new ReloadGuard(guardMs);
  }

  /** The box to show for this failure, or null while another is up. Call `answered` once it is answered (or failed). */
  ask(failure: PageFailure): PageFailureBox | null {
    if (this.#asking) return null;
    this.#asking = true;
    return buildPageFailureBox(failure, !this.#guard.failedAgain(), this.logDir);
  }

  /** The box is gone: the next failure gets one. */
  answered(): void {
    this.#asking = false;
  }

  /** The page is being loaded again: a failure within the bound from now is a failure again. */
  reloaded(): void {
    this.#guard.reloaded();
  }
}
