import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import axios, { isAxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { NtlmClient } from 'axios-ntlm';
import { AppError } from '../../../src-shared/errors';
import { allowedUrl, cancelledError, networkError, timeoutError } from './scep-http';

/**
 * Microsoft NDES's challenge page (the "Challenge URL", /certsrv/mscep_admin/): behind Windows authentication, it
 * hands out a single-use enrollment challenge password and shows the CA certificate's thumbprint. Each enrollment
 * needs a fresh password, so nothing here caches one.
 */

export type NdesAuth = 'auto' | 'basic' | 'ntlm';

export interface NdesChallengeRequest {
  url: string;
  /** "DOMAIN\user", "user@domain" or a plain user name. */
  username: string;
  password: string;
  /** auto: answer whatever the server asks for (NTLM, else Basic). Default auto. */
  auth?: NdesAuth;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Plain http to a non-loopback host; the page and Basic credentials then travel in clear. Default false. */
  allowPlainHttp?: boolean;
  /** PEM certificates trusted for https besides the system roots (an internal CA behind the NDES server). */
  extraCaCertificates?: string[];
}

export interface NdesChallenge {
  /** Single use, valid 60 minutes by default. A secret: never stored, logged or sent to the renderer. */
  challengePassword: string;
  /** Upper-case hex without spaces (MD5, SHA-1 or SHA-256 of the CA certificate, by NDES version); null if absent. */
  caThumbprint: string | null;
}

const PAGE_LIMIT = 256 * 1024;

/**
 * NDES writes the page in UTF-16LE with a byte-order mark; proxies and test servers re-encode it as UTF-8. Decide by
 * BOM, then by the declared charset, then by the NUL bytes UTF-16 puts in ASCII text.
 */
export function decodeNdesPage(body: Buffer, contentType = ''): string {
  if (body[0] === 0xff && body[1] === 0xfe) return body.subarray(2).toString('utf16le');
  if (body[0] === 0xfe && body[1] === 0xff) return Buffer.from(body.subarray(2)).swap16().toString('utf16le');
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return body.subarray(3).toString('utf8');
  if (/charset\s*=\s*"?(utf-16|unicode)/i.test(contentType)) return body.toString('utf16le');
  const sample = body.subarray(0, 200);
  let oddNuls = 0;
  for (let i = 1; i < sample.length; i += 2) if (sample[i] === 0) oddNuls++;
  return oddNuls > sample.length / 4 ? body.toString('utf16le') : body.toString('utf8');
}

function pageText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/\s+/g, ' ');
}

/** Reads an NDES challenge page: the password and thumbprint, or the specific refusal the page states. */
export function parseNdesChallengePage(body: Buffer, contentType = ''): NdesChallenge {
  const text = pageText(decodeNdesPage(body, contentType));
  if (/password cache is full/i.test(text)) {
    throw new AppError(
      'NDES_CACHE_FULL',
      'NDES has handed out all the challenge passwords it keeps (5 by default, each valid for 60 minutes). Use or let expire the outstanding ones, or raise PasswordMax on the NDES server, then try again.',
    );
  }
  if (/do not have sufficient permission/i.test(text)) {
    throw new AppError(
      'NDES_PERMISSION_DENIED',
      'NDES says this account may not request challenge passwords. Give it Enroll permission on the SCEP certificate template (and membership of the NDES administrators), or use the account the MDM uses.',
    );
  }
  const password = /enrollment challenge password is\s*:?\s*([0-9A-Fa-f]{16})(?![0-9A-Fa-f])/i.exec(text)?.[1];
  if (!password) {
    throw new AppError(
      'NDES_BAD_PAGE',
      'The challenge URL answered with a page that holds no enrollment challenge password. Check that it points to /certsrv/mscep_admin/ on the NDES server.',
      { length: body.length },
    );
  }
  const thumbprintText = /thumbprint \(hash value\) for the CA certificate is\s*:?\s*([0-9A-Fa-f][0-9A-Fa-f ]*)/i.exec(text)?.[1];
  const thumbprint = thumbprintText?.replace(/\s+/g, '').toUpperCase() ?? '';
  return {
    challengePassword: password.toUpperCase(),
    caThumbprint: [32, 40, 64].includes(thumbprint.length) ? thumbprint : null,
  };
}

/** NTLM takes the domain apart from the user; "DOMAIN\user" is how Windows admins write it. */
function ntlmCredentials(username: string, password: string) {
  const slash = username.indexOf('\\');
  return slash > 0
    ? { username: username.slice(slash + 1), password, domain: username.slice(0, slash) }
    : { username, password, domain: '' };
}

function challengeOffers(response: AxiosResponse | undefined, scheme: string): boolean {
  const header = response?.headers['www-authenticate'];
  const value = Array.isArray(header) ? header.join(', ') : String(header ?? '');
  return new RegExp(`(^|[\\s,])${scheme}(\\s|,|$)`, 'i').test(value);
}

export async function fetchNdesChallenge(request: NdesChallengeRequest): Promise<NdesChallenge> {
  const url = allowedUrl(request.url, request.allowPlainHttp ?? false, 'challenge URL', 'challengeUrl');
  const timeoutMs = request.timeoutMs ?? 30_000;
  // NTLM authenticates a connection, not a request: the handshake needs keep-alive. Our own agents, destroyed after,
  // so no idle socket keeps a CLI process alive.
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    // `ca` replaces Node's root store, so the system roots are passed along with the extra ones.
    ...(request.extraCaCertificates?.length ? { ca: [...rootCertificates, ...request.extraCaCertificates] } : {}),
  });
  const config: AxiosRequestConfig = {
    httpAgent,
    httpsAgent,
    timeout: timeoutMs,
    signal: request.signal,
    responseType: 'arraybuffer',
    maxContentLength: PAGE_LIMIT,
    maxRedirects: 0,
    headers: { 'user-agent': 'trusted-endpoints-console-ndes' },
  };
  const get = async (client: AxiosInstance, extra: AxiosRequestConfig = {}): Promise<AxiosResponse<ArrayBuffer>> => {
    try {
      return await client.get<ArrayBuffer>(url.href, extra);
    } catch (error) {
      // isAxiosError, not instanceof: axios-ntlm requires axios's CommonJS build, which may not be the build we import.
      if (isAxiosError(error) && error.response) return error.response as AxiosResponse<ArrayBuffer>;
      throw transportError(url, error, timeoutMs, request.signal);
    }
  };
  const basic = () => get(axios.create(config), { auth: { username: request.username, password: request.password } });

  try {
    const mode = request.auth ?? 'auto';
    let response = mode === 'basic' ? await basic() : await get(NtlmClient(ntlmCredentials(request.username, request.password), config));
    if (mode === 'auto' && response.status === 401 && !challengeOffers(response, 'NTLM') && challengeOffers(response, 'Basic')) {
      response = await basic();
    }
    if (response.status === 401) {
      const kerberosOnly = challengeOffers(response, 'Negotiate') && !challengeOffers(response, 'NTLM') && !challengeOffers(response, 'Basic');
      throw new AppError(
        'NDES_AUTH_FAILED',
        kerberosOnly
          ? 'The challenge URL only offers Kerberos (Negotiate). Enable NTLM or Basic authentication for /certsrv/mscep_admin in IIS.'
          : 'The challenge URL refused the username or password. Windows accounts are written DOMAIN\\user.',
        { status: 401 },
      );
    }
    if (response.status === 403) {
      throw new AppError('NDES_PERMISSION_DENIED', 'The challenge URL refused this account (HTTP 403).', { status: 403 });
    }
    if (response.status !== 200) {
      throw new AppError('NDES_BAD_PAGE', `The challenge URL answered HTTP ${response.status} instead of the challenge page.`, {
        status: response.status,
      });
    }
    return parseNdesChallengePage(Buffer.from(response.data), String(response.headers['content-type'] ?? ''));
  } finally {
    httpAgent.destroy();
    httpsAgent.destroy();
  }
}

function transportError(url: URL, error: unknown, timeoutMs: number, signal: AbortSignal | undefined): AppError {
  if (signal?.aborted || (isAxiosError(error) && error.code === 'ERR_CANCELED')) return cancelledError();
  if (isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')) return timeoutError(url, timeoutMs);
  if (isAxiosError(error) && error.code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(error.message)) {
    return new AppError('NDES_BAD_PAGE', 'The challenge URL answered with a page far larger than the NDES challenge page.');
  }
  return networkError(url, error);
}
