import net from 'node:net';
import { AppError } from '../../../src-shared/errors';

/** Where the API lives, derived once from the admin's "domain" entry. */
export interface IvantiEndpoint {
  /** `https://acmecorp.mobileiron.com` or `http://127.0.0.1:8080`; calls go to `${origin}/api/v1/...`. */
  origin: string;
  secure: boolean;
  /** Without IPv6 brackets, as DNS and TLS want it. */
  hostname: string;
  port: number;
  loopback: boolean;
  /** A literal IPv4/IPv6 address: nothing to resolve. */
  ipLiteral: boolean;
}

/**
 * Parses the domain an admin enters: `host[:port]` (the documented form, e.g. `acmecorp.mobileiron.com`), or the
 * same with an explicit `https://` / `http://` (tests and a local TLS simulator need https on loopback). A path after
 * the host is ignored: the API lives at the root.
 */
export function parseIvantiEndpoint(domain: string): IvantiEndpoint {
  return parseServiceEndpoint(domain, {
    empty: 'Enter the Ivanti Neurons domain, for example acmecorp.mobileiron.com.',
    notAHost: (entered) => `"${entered}" is not a host name. Enter the domain only, for example acmecorp.mobileiron.com.`,
    withCredentials: 'Enter the domain without a user name or password in it.',
    withPath: null,
    insecure: (entered) =>
      new AppError(
        'IVANTI_INSECURE_URL',
        `The console only talks to Ivanti over HTTPS; "${entered}" would send the API password unencrypted. Enter the domain without http://, for example acmecorp.mobileiron.com.`,
        { domain: entered },
      ),
  });
}

/** What one service says about an entry the endpoint parser refuses. */
export interface EndpointWording {
  empty: string;
  notAHost: (entered: string) => string;
  withCredentials: string;
  /** Null: a path after the host is ignored. Otherwise the message refusing it. */
  withPath: string | null;
  /** Plain http to a host that is not loopback. */
  insecure: (entered: string) => AppError;
}

/**
 * The one parser behind the Ivanti domain and the Duo API hostname. Security rule: these services are only spoken to
 * over HTTPS. A bare loopback host (127.0.0.0/8, localhost, ::1) means a local simulator or double and uses plain
 * http, because loopback traffic never leaves the machine; plain http anywhere else is refused (`insecure`).
 */
export function parseServiceEndpoint(value: string, wording: EndpointWording): IvantiEndpoint {
  const entered = value.trim();
  if (entered === '') throw new AppError('VALIDATION_FAILED', wording.empty);
  const explicitScheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entered)?.[1]?.toLowerCase();
  let url: URL;
  try {
    url = new URL(explicitScheme ? entered : `https://${entered}`);
  } catch {
    throw new AppError('VALIDATION_FAILED', wording.notAHost(entered));
  }
  if (url.username || url.password) throw new AppError('VALIDATION_FAILED', wording.withCredentials);
  if (wording.withPath !== null && url.pathname !== '/' && url.pathname !== '') throw new AppError('VALIDATION_FAILED', wording.withPath);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackHost(hostname);
  const scheme = explicitScheme ?? (loopback ? 'http' : 'https');
  if (scheme !== 'https' && !(scheme === 'http' && loopback)) throw wording.insecure(entered);
  const secure = scheme === 'https';
  const { port, host } = hostAndPort(hostname, url.port, secure);
  return {
    origin: `${scheme}://${host}`,
    secure,
    hostname,
    port,
    loopback,
    ipLiteral: net.isIP(hostname) !== 0,
  };
}

/**
 * The port (the scheme's default when none was entered) and the host as it goes into a URL and the `Host` header:
 * IPv6 in brackets, `:port` only when it is not the default. Shared by the Ivanti and Duo endpoint parsers.
 */
export function hostAndPort(hostname: string, enteredPort: string, secure: boolean): { port: number; host: string } {
  const defaultPort = secure ? 443 : 80;
  const port = enteredPort === '' ? defaultPort : Number(enteredPort);
  const hostForUrl = net.isIPv6(hostname) ? `[${hostname}]` : hostname;
  return { port, host: `${hostForUrl}${port === defaultPort ? '' : `:${port}`}` };
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  // Only the exact name: `*.localhost` is loopback by RFC 6761 but resolved through DNS by some resolvers.
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}
