import net from 'node:net';
import { AppError } from '../../../src-shared/errors';
import type { IvantiEndpoint } from '../ivanti/ivanti-endpoint';
import { hostAndPort, isLoopbackHost } from '../ivanti/ivanti-endpoint';

/** Where the Admin API lives; the same shape the connection agents take for Ivanti, plus the host line that is signed. */
export interface DuoEndpoint extends IvantiEndpoint {
  /** Line 3 of the canonical request: the host as sent in `Host`, lower-case (with the port when it is not the default). */
  signedHost: string;
}

/**
 * Parses the API hostname the admin copies from the Admin Panel (`api-XXXXXXXX.duosecurity.com`, reference §1).
 * HTTPS only; a bare loopback host (the local Duo double) uses plain http, which never leaves this computer. Any host
 * is accepted, not only *.duosecurity.com: Duo Federal and future domains exist, and a wrong host fails the DNS check
 * with a specific message anyway.
 */
export function parseDuoEndpoint(apiHostname: string): DuoEndpoint {
  const entered = apiHostname.trim();
  if (entered === '') throw new AppError('VALIDATION_FAILED', 'Enter the API hostname from the Duo Admin Panel, for example api-1a2b3c4d.duosecurity.com.');
  const explicitScheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entered)?.[1]?.toLowerCase();
  let url: URL;
  try {
    url = new URL(explicitScheme ? entered : `https://${entered}`);
  } catch {
    throw new AppError('VALIDATION_FAILED', `"${entered}" is not a host name. Enter the API hostname only, for example api-1a2b3c4d.duosecurity.com.`);
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) {
    throw new AppError('VALIDATION_FAILED', 'Enter the API hostname only, without a path, user name or password, for example api-1a2b3c4d.duosecurity.com.');
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackHost(hostname);
  const scheme = explicitScheme ?? (loopback ? 'http' : 'https');
  if (scheme !== 'https' && !(scheme === 'http' && loopback)) {
    throw new AppError('DUO_INSECURE_URL', `The console only talks to Duo over HTTPS; "${entered}" would send signed requests unencrypted. Enter the hostname without http://.`, {
      apiHostname: entered,
    });
  }
  const secure = scheme === 'https';
  const where = hostAndPort(hostname, url.port, secure);
  const port = where.port;
  const host = where.host.toLowerCase();
  return {
    origin: `${scheme}://${host}`,
    secure,
    hostname,
    port,
    loopback,
    ipLiteral: net.isIP(hostname) !== 0,
    signedHost: host,
  };
}
