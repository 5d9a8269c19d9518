/**
 * The window's security settings and decisions, as plain data and pure functions (no `electron` import) so tests read
 * the very configuration the app uses. Each line maps to an item of Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security).
 */

/** Our own origin: the renderer is served by the privileged `app://` scheme, never from file:// or the network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Checklist 7: a strict CSP. Only our own scripts run (no inline, no eval); nothing is fetched from the network. The
 * renderer's index.html carries the same policy as a meta tag, and the app:// handler sends it as a header.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Checklist 13 (navigation): the app never navigates its window anywhere but its own entry page. */
export function isAllowedNavigation(url: string, devServerUrl?: string): boolean {
  const parsed = safeUrl(url);
  if (!parsed) return false;
  if (parsed.origin === APP_ORIGIN || `${parsed.protocol}//${parsed.host}` === APP_ORIGIN) return true;
  if (devServerUrl) {
    const dev = safeUrl(devServerUrl);
    return dev !== null && parsed.origin === dev.origin;
  }
  return false;
}

/**
 * Checklist 14 (new windows) and 15 (openExternal): the app never opens a window of its own. A link to an http(s) page
 * goes to the OS browser, only after parsing shows it is http(s) and carries no credentials; anything else is dropped.
 */
export function externalUrlToOpen(url: string): string | null {
  const parsed = safeUrl(url);
  if (!parsed) return null;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username || parsed.password) return null;
  return parsed.toString();
}

/** Checklist 5 (permissions): every permission request and check is refused. The console needs none. */
export function isPermissionGranted(_permission: string): boolean {
  return false;
}

/** What the sender of an IPC message must be: our window's main frame, showing our own origin. */
export interface SenderFacts {
  /** Id of the webContents that sent the message, or null if it is gone. */
  webContentsId: number | null;
  /** Whether the sending frame is that webContents' main frame (not an iframe). */
  isMainFrame: boolean;
  /** URL of the sending frame. */
  frameUrl: string | null;
}

/** Checklist 17: validate the sender of every IPC message. Returns why it is refused, or null to accept. */
export function refuseSender(sender: SenderFacts, trustedWebContentsIds: ReadonlySet<number>, devServerUrl?: string): string | null {
  if (sender.webContentsId === null || !trustedWebContentsIds.has(sender.webContentsId)) return 'not sent by the console window';
  if (!sender.isMainFrame) return 'sent from a sub-frame';
  if (sender.frameUrl === null || !isAllowedNavigation(sender.frameUrl, devServerUrl)) return 'sent from a foreign origin';
  return null;
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
