/**
 * Turns what went wrong on one HTTP attempt into an admin-actionable AppError, and says whether retrying can help.
 *
 * Nothing from the request goes into an error: axios errors carry the request config (with the Authorization
 * header), so they are read for their code and dropped, never attached as `cause`.
 */
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import { IvantiErrorEnvelope } from './ivanti-wire';
import { ProxyConnectError } from './connection-agents';
import type { IvantiEndpoint } from './ivanti-endpoint';

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

/** What the failing request was, in words an admin recognises. */
export interface OperationContext {
  /** "list the device spaces", "search devices in space Marketing" */
  what: string;
  endpoint: IvantiEndpoint;
  email: string;
  proxy: string | null;
  /** Set for calls scoped to one device space (403 there means the space, not the whole account). */
  space?: { id: number; name: string | null };
  /** Set for the spaces list, whose 403 means the account lacks System Read Only. */
  needsSystemRole?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO$)/;
const TRANSIENT_NETWORK_CODE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * MFA heuristic (the token flow is undocumented [reference]): a 401/403 means "MFA is enforced, Basic is refused"
 * when the server challenges for something other than Basic (`WWW-Authenticate: Bearer …`), or when the challenge or
 * the first 2 kB of the body mention MFA, multi-/two-factor, 2FA, OTP, one-time codes or tokens. Plain "bad
 * credentials" answers mention none of these.
 */
const MFA_HINT = /\b(mfa|multi[- ]?factor|two[- ]?factor|2fa|otp|totp|one[- ]?time|token)\b/i;

export function mentionsMfa(answer: HttpAnswer): boolean {
  const challenge = answer.headers['www-authenticate'] ?? '';
  if (challenge !== '' && !/^\s*basic\b/i.test(challenge)) return true;
  return MFA_HINT.test(challenge) || MFA_HINT.test(answer.body.slice(0, 2048));
}

function place(ctx: OperationContext): string {
  return ctx.endpoint.origin.replace(/^https?:\/\//, '');
}

export function fromNetworkError(error: unknown, ctx: OperationContext): AttemptFailure {
  const cause = (error as { cause?: unknown })?.cause;
  const proxyError = error instanceof ProxyConnectError ? error : cause instanceof ProxyConnectError ? cause : null;
  if (proxyError) return fromProxyError(proxyError, ctx);
  const code = errorCode(error) ?? errorCode(cause) ?? '';
  const message = error instanceof Error ? error.message : '';
  const host = ctx.endpoint.hostname;

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new AttemptFailure(dnsError(host, code), code === 'EAI_AGAIN');
  if (TLS_CODE.test(code)) return new AttemptFailure(tlsError(code, ctx), false);
  if (message.startsWith('maxContentLength')) {
    return new AttemptFailure(new AppError('IVANTI_BAD_RESPONSE', `${place(ctx)} sent an answer too large to be an Ivanti page when asked to ${ctx.what}.`), false);
  }
  const dropped = message === 'stream has been aborted' || code === 'ERR_BAD_RESPONSE';
  const reason = dropped ? 'the connection was dropped in the middle of the answer' : code || 'connection failed';
  const hint = ctx.endpoint.loopback
    ? 'Is the local simulator running on that port?'
    : 'Check the domain, your network connection and any firewall between this computer and Ivanti.';
  return new AttemptFailure(
    new AppError('IVANTI_CONNECT_FAILED', `Could not ${ctx.what} at ${place(ctx)}: ${reason}. ${hint}`, { host, reason: dropped ? 'DROPPED' : code || null }),
    dropped || TRANSIENT_NETWORK_CODE.has(code) || code === '',
  );
}

/** `reason` is the resolver's code: ENOTFOUND (no such name) or EAI_AGAIN (resolver unreachable, temporary). */
export function dnsError(host: string, reason: string): AppError {
  const hint =
    reason === 'EAI_AGAIN'
      ? 'The DNS server did not answer: check this computer\'s network connection.'
      : 'Check the domain: it is the host name of your Ivanti Neurons portal, for example acmecorp.mobileiron.com.';
  return new AppError('IVANTI_DNS_FAILED', `The domain ${host} does not resolve (${reason}). ${hint}`, { host, reason });
}

function errorCode(value: unknown): string | null {
  const code = (value as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : null;
}

function tlsError(code: string, ctx: OperationContext): AppError {
  const host = ctx.endpoint.hostname;
  const inspection = 'If your network inspects TLS traffic, save your organisation\'s root CA certificate as a PEM file and set TEC_EXTRA_CA_CERTS to its path.';
  const why =
    code === 'CERT_HAS_EXPIRED'
      ? 'its certificate has expired'
      : code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH'
        ? `its certificate is not issued for ${host}`
        : /SELF_SIGNED|UNABLE_TO_|CERT_UNTRUSTED/.test(code)
          ? 'its certificate is not signed by a trusted authority'
          : 'the TLS handshake failed';
  return new AppError('IVANTI_TLS_FAILED', `The secure connection to ${host} is not trusted: ${why} (${code}). ${inspection}`, {
    host,
    reason: code,
    proxy: ctx.proxy,
  });
}

function fromProxyError(error: ProxyConnectError, ctx: OperationContext): AttemptFailure {
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
      'IVANTI_PROXY_FAILED',
      `The proxy ${proxy} (from HTTPS_PROXY) did not connect to ${host}: ${why}. Check the proxy setting, or add ${host} to NO_PROXY if it should be reached directly.`,
      { proxy: ctx.proxy, proxyStatus: status, host },
    ),
    status === null || status === 502 || status === 503 || status === 504,
  );
}

export function timeoutFailure(ctx: OperationContext, timeoutMs: number): AttemptFailure {
  return new AttemptFailure(
    new AppError('IVANTI_TIMEOUT', `${place(ctx)} did not answer within ${Math.round(timeoutMs / 1000)} s when asked to ${ctx.what}. Ivanti may be slow or a network device may be holding the connection.`, {
      host: ctx.endpoint.hostname,
      timeoutMs,
    }),
    true,
  );
}

/** For answers that are not a 2xx: everything an HTTP status can mean here. */
export function fromHttpStatus(answer: HttpAnswer, ctx: OperationContext, retryAfterMs: number | null): AttemptFailure {
  const { status } = answer;
  const host = place(ctx);
  if (status === 401 || status === 403) {
    if (mentionsMfa(answer)) {
      return new AttemptFailure(
        new AppError(
          'IVANTI_MFA_REQUIRED',
          `${host} refused HTTP Basic authentication for ${ctx.email} and asks for multi-factor or token authentication. Tenants that enforce MFA for admins need token authentication for API users, which the console does not support: ask your Ivanti administrator to exempt the API user from MFA.`,
          { status, email: ctx.email },
        ),
        false,
        null,
        status,
      );
    }
  }
  if (status === 401) {
    return new AttemptFailure(
      new AppError(
        'IVANTI_AUTH_REJECTED',
        `Ivanti rejected the email and password for ${ctx.email} (HTTP 401). Check both: the email is the API user's username, and the account must be an API user that is not locked.`,
        { status, email: ctx.email },
      ),
      false,
      null,
      status,
    );
  }
  if (status === 403 && ctx.space) {
    const name = ctx.space.name ?? `with id ${ctx.space.id}`;
    return new AttemptFailure(
      new AppError(
        'IVANTI_SPACE_FORBIDDEN',
        `The API user ${ctx.email} may not read devices in the space "${name}" (HTTP 403). In Ivanti, assign it the Device Read Only role for that space (Users → the API user → Assign Roles → spaces and partitions).`,
        { status, spaceId: ctx.space.id, spaceName: ctx.space.name },
      ),
      false,
      null,
      status,
    );
  }
  if (status === 403) {
    const missing = ctx.needsSystemRole ? ' It needs the System Read Only role (which includes User Read Only) and Device Read Only.' : '';
    return new AttemptFailure(
      new AppError('IVANTI_FORBIDDEN', `The API user ${ctx.email} is not allowed to ${ctx.what} (HTTP 403).${missing}`, { status, email: ctx.email }),
      false,
      null,
      status,
    );
  }
  if (status === 407) return fromProxyError(new ProxyConnectError('proxy authentication required', 407), ctx);
  if (status === 429) {
    return new AttemptFailure(
      new AppError('IVANTI_RATE_LIMITED', `Ivanti is throttling the API user (HTTP 429) and kept doing so when asked to ${ctx.what}. Wait a few minutes and try again.`, { status }),
      true,
      retryAfterMs,
      status,
    );
  }
  if (status === 511 || (status >= 300 && status < 400)) return new AttemptFailure(notIvanti(answer, ctx), false, null, status);
  if (status >= 500) {
    return new AttemptFailure(
      new AppError('IVANTI_SERVER_ERROR', `Ivanti answered with a server error (HTTP ${status}) when asked to ${ctx.what}, and kept doing so. Try again later; if it persists, check Ivanti's status page.`, { status }),
      true,
      retryAfterMs,
      status,
    );
  }
  return new AttemptFailure(fromClientError(answer, ctx), false, null, status);
}

/** 4xx other than 401/403/407/429: the documented error envelope when there is one. */
function fromClientError(answer: HttpAnswer, ctx: OperationContext): AppError {
  const json = parseJsonOrNull(answer.body);
  const envelope = json === null ? null : IvantiErrorEnvelope.safeParse(json);
  if (!envelope?.success) {
    if (looksLikeMarkup(answer)) return notIvanti(answer, ctx);
    return new AppError('IVANTI_BAD_REQUEST', `Ivanti refused the request to ${ctx.what} (HTTP ${answer.status}).`, { status: answer.status });
  }
  const { fieldErrors, globalErrors } = envelope.data.errors;
  const problems = [
    ...fieldErrors.map((e) => (e.field ? `${e.field}: ${e.message ?? e.code ?? 'invalid'}` : (e.message ?? e.code ?? 'invalid'))),
    ...globalErrors,
  ];
  const code: ErrorCode = answer.status === 404 ? 'NOT_FOUND' : 'IVANTI_BAD_REQUEST';
  return new AppError(code, `Ivanti refused the request to ${ctx.what} (HTTP ${answer.status}): ${problems.join('; ') || 'no reason given'}.`, {
    status: answer.status,
    fieldErrors: fieldErrors.map((e) => ({ field: e.field, code: e.code, message: e.message })),
    globalErrors,
  });
}

export function parseJsonOrNull(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

export function looksLikeMarkup(answer: HttpAnswer): boolean {
  const type = answer.headers['content-type'] ?? '';
  return /html|xml/i.test(type) || /^\s*</.test(answer.body);
}

/** A captive portal, a sign-in page, a proxy's error page or another server: anything that is not Ivanti's JSON. */
export function notIvanti(answer: HttpAnswer, ctx: OperationContext): AppError {
  const type = (answer.headers['content-type'] ?? 'no content type').split(';')[0]!.trim();
  const location = answer.headers.location;
  let redirect = '';
  if (location) {
    try {
      redirect = ` and redirected to ${new URL(location, ctx.endpoint.origin).host}`;
    } catch {
      redirect = ' and redirected elsewhere';
    }
  }
  return new AppError(
    'IVANTI_NOT_JSON',
    `${place(ctx)} answered with ${type} (HTTP ${answer.status})${redirect} instead of Ivanti's JSON when asked to ${ctx.what}. A captive portal, a web proxy's sign-in page, or a wrong domain can cause this: check the domain and open https://${place(ctx)} in a browser on this computer.`,
    { status: answer.status, contentType: type },
  );
}
