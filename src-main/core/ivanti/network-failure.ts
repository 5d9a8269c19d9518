/**
 * What went wrong on one HTTP attempt below the service's own answers: DNS, TLS, the proxy, a dropped or refused
 * connection, a deadline, throttling (with Retry-After) and server errors. One classifier serves the Ivanti and the
 * Duo clients (they share http-transport.ts); each passes its vocabulary: its error codes and the words an admin of
 * that service recognises. What only one service means (Ivanti's MFA refusal, Duo's 40102/40103/40104 and clock
 * skew) stays in ivanti-failure.ts and duo-failure.ts.
 *
 * Nothing from the request goes into an error: axios errors carry the request config (with the Authorization
 * header), so they are read for their code and dropped, never attached as `cause`.
 */
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import { ProxyConnectError } from './connection-agents';

/** One attempt's failure; `retryable` failures are retried within the client's budget, the others end the call. */
export class AttemptFailure extends Error {
  constructor(
    readonly error: AppError,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
  ) {
    super(error.message);
  }
}

/** How one service's errors are worded and coded. */
export interface ServiceVocabulary {
  /** "Ivanti", "Duo": who answered (or did not). */
  service: string;
  codes: { dns: ErrorCode; tls: ErrorCode; proxy: ErrorCode; connect: ErrorCode; timeout: ErrorCode; rateLimited: ErrorCode; serverError: ErrorCode; badResponse: ErrorCode };
  /** What the admin entered, capitalised: "The domain", "The API hostname". */
  entry: string;
  /** Where to find the right value, for a name that does not resolve. */
  entryHint: string;
  /** For a refused or dropped connection to a remote host. */
  remoteHint: string;
  /** For a refused connection to a loopback host (the local simulator or double). */
  loopbackHint: string;
  /** Who is being throttled and what to do: "Ivanti is throttling the API user … Wait a few minutes and try again." */
  throttled: (what: string, status: number, code: number | null) => string;
}

export interface NetworkContext {
  /** "list the device spaces", "read users": what the attempt was for. */
  what: string;
  endpoint: { hostname: string; origin: string; loopback: boolean };
  proxy: string | null;
}

export const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO$)/;
const TRANSIENT_NETWORK_CODE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED']);

export function place(ctx: NetworkContext): string {
  return ctx.endpoint.origin.replace(/^https?:\/\//, '');
}

export function fromNetworkError(error: unknown, ctx: NetworkContext, words: ServiceVocabulary): AttemptFailure {
  const cause = (error as { cause?: unknown })?.cause;
  const proxyError = error instanceof ProxyConnectError ? error : cause instanceof ProxyConnectError ? cause : null;
  if (proxyError) return fromProxyError(proxyError, ctx, words);
  const code = errorCode(error) ?? errorCode(cause) ?? '';
  const message = error instanceof Error ? error.message : '';
  const host = ctx.endpoint.hostname;

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new AttemptFailure(dnsError(host, code, words), code === 'EAI_AGAIN');
  if (TLS_CODE.test(code)) return new AttemptFailure(tlsError(code, ctx, words), false);
  if (message.startsWith('maxContentLength')) {
    return new AttemptFailure(new AppError(words.codes.badResponse, `${place(ctx)} sent an answer too large to be a ${words.service} page when asked to ${ctx.what}.`), false);
  }
  const dropped = message === 'stream has been aborted' || code === 'ERR_BAD_RESPONSE';
  const reason = dropped ? 'the connection was dropped in the middle of the answer' : code || 'connection failed';
  const hint = ctx.endpoint.loopback ? words.loopbackHint : words.remoteHint;
  return new AttemptFailure(
    new AppError(words.codes.connect, `Could not ${ctx.what} at ${place(ctx)}: ${reason}. ${hint}`, { host, reason: dropped ? 'DROPPED' : code || null }),
    dropped || TRANSIENT_NETWORK_CODE.has(code) || code === '',
  );
}

/** `reason` is the resolver's code: ENOTFOUND (no such name) or EAI_AGAIN (resolver unreachable, temporary). */
export function dnsError(host: string, reason: string, words: ServiceVocabulary): AppError {
  const hint = reason === 'EAI_AGAIN' ? "The DNS server did not answer: check this computer's network connection." : words.entryHint;
  return new AppError(words.codes.dns, `${words.entry} ${host} does not resolve (${reason}). ${hint}`, { host, reason });
}

function errorCode(value: unknown): string | null {
  const code = (value as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : null;
}

function tlsError(code: string, ctx: NetworkContext, words: ServiceVocabulary): AppError {
  const host = ctx.endpoint.hostname;
  const inspection = "If your network inspects TLS traffic, save your organisation's root CA certificate as a PEM file and set TEC_EXTRA_CA_CERTS to its path.";
  const why =
    code === 'CERT_HAS_EXPIRED'
      ? 'its certificate has expired'
      : code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH'
        ? `its certificate is not issued for ${host}`
        : /SELF_SIGNED|UNABLE_TO_|CERT_UNTRUSTED/.test(code)
          ? 'its certificate is not signed by a trusted authority'
          : 'the TLS handshake failed';
  return new AppError(words.codes.tls, `The secure connection to ${host} is not trusted: ${why} (${code}). ${inspection}`, { host, reason: code, proxy: ctx.proxy });
}

export function fromProxyError(error: ProxyConnectError, ctx: NetworkContext, words: ServiceVocabulary): AttemptFailure {
  const proxy = ctx.proxy ?? 'the proxy';
  const host = ctx.endpoint.hostname;
  const status = error.proxyStatus;
  const why =
    status === 407
      ? 'it requires authentication (HTTP 407). Put the proxy user and password in HTTPS_PROXY (http://user:password@proxy:port)'
      : status !== null
        ? `it answered HTTP ${status} when asked to connect to ${host}`
        : `it could not be reached (${error.message})`;
  return new AttemptFailure(
    new AppError(
      words.codes.proxy,
      `The proxy ${proxy} (from HTTPS_PROXY) did not connect to ${host}: ${why}. Check the proxy setting, or add ${host} to NO_PROXY if it should be reached directly.`,
      { proxy: ctx.proxy, proxyStatus: status, host },
    ),
    status === null || status === 502 || status === 503 || status === 504,
  );
}

export function timeoutFailure(ctx: NetworkContext, timeoutMs: number, words: ServiceVocabulary): AttemptFailure {
  return new AttemptFailure(
    new AppError(
      words.codes.timeout,
      `${place(ctx)} did not answer within ${Math.round(timeoutMs / 1000)} s when asked to ${ctx.what}. ${words.service} may be slow or a network device may be holding the connection.`,
      { host: ctx.endpoint.hostname, timeoutMs },
    ),
    true,
  );
}

/** 429: retried, waiting what Retry-After asks when the server sent it (`code`: a service's own code, such as Duo's 42901). */
export function throttledFailure(
  ctx: NetworkContext,
  status: number,
  retryAfterMs: number | null,
  words: ServiceVocabulary,
  code: number | null = null,
  details: Record<string, unknown> = {},
): AttemptFailure {
  return new AttemptFailure(new AppError(words.codes.rateLimited, words.throttled(ctx.what, status, code), { status, ...details }), true, retryAfterMs, status);
}

/** 5xx: retried (Retry-After honoured); the message is for when every attempt failed. */
export function serverErrorFailure(ctx: NetworkContext, status: number, retryAfterMs: number | null, words: ServiceVocabulary): AttemptFailure {
  return new AttemptFailure(
    new AppError(
      words.codes.serverError,
      `${words.service} answered with a server error (HTTP ${status}) when asked to ${ctx.what}, and kept doing so. Try again later; if it persists, check ${words.service}'s status page.`,
      { status },
    ),
    true,
    retryAfterMs,
    status,
  );
}
