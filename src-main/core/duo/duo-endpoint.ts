import { AppError } from '../../../src-shared/errors';
import type { IvantiEndpoint } from '../ivanti/ivanti-endpoint';
import { parseServiceEndpoint } from '../ivanti/ivanti-endpoint';

/** Where the Admin API lives; the same shape the connection agents take for Ivanti, plus the host line that is signed. */
export interface DuoEndpoint extends IvantiEndpoint {
  /** Line 3 of the canonical request: the host as sent in `Host`, lower-case (with the port when it is not the default). */
  signedHost: string;
}

/**
 * Parses the API hostname the admin copies from the Admin Panel (`api-XXXXXXXX.duosecurity.com`, reference §1), with
 * the parser and HTTPS rule the Ivanti domain uses. Any host is accepted, not only *.duosecurity.com: Duo Federal and
 * future domains exist, and a wrong host fails the DNS check with a specific message anyway.
 */
export function parseDuoEndpoint(apiHostname: string): DuoEndpoint {
  const endpoint = parseServiceEndpoint(apiHostname, {
    empty: 'Enter the API hostname from the Duo Admin Panel, for example api-1a2b3c4d.duosecurity.com.',
    notAHost: (entered) => `"${entered}" is not a host name. Enter the API hostname only, for example api-1a2b3c4d.duosecurity.com.`,
    withCredentials: 'Enter the API hostname only, without a path, user name or password, for example api-1a2b3c4d.duosecurity.com.',
    withPath: 'Enter the API hostname only, without a path, user name or password, for example api-1a2b3c4d.duosecurity.com.',
    insecure: (entered) =>
      new AppError('DUO_INSECURE_URL', `The console only talks to Duo over HTTPS; "${entered}" would send signed requests unencrypted. Enter the hostname without http://.`, {
        apiHostname: entered,
      }),
  });
  return { ...endpoint, origin: endpoint.origin.toLowerCase(), signedHost: endpoint.origin.replace(/^https?:\/\//, '').toLowerCase() };
}
