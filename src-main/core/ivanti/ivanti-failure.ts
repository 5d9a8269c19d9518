/**
 * What Ivanti's HTTP answers mean (401/403 with MFA, a space's 403, the error envelope, a captive portal), and the
 * words the shared network classifier (network-failure.ts) uses for Ivanti. Nothing from the request goes into an
 * error.
 */
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import { IvantiErrorEnvelope } from './ivanti-wire';
import { ProxyConnectError } from './connection-agents';
import type { IvantiEndpoint } from './ivanti-endpoint';
import {
  AttemptFailure,
  dnsError as networkDnsError,
  fromProxyError,
  place,
  serverErrorFailure,
  throttledFailure,
  type NetworkContext,
  type ServiceVocabulary,
} from './network-failure';

/** What the failing request was, in words an admin recognises. */
export interface OperationContext extends NetworkContext {
  endpoint: IvantiEndpoint;
  email: string;
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

/** How the shared network classifier words Ivanti's failures. */
export const IVANTI_WORDS: ServiceVocabulary = {
  service: 'Ivanti',
  codes: {
    dns: 'IVANTI_DNS_FAILED',
    tls: 'IVANTI_TLS_FAILED',
    proxy: 'IVANTI_PROXY_FAILED',
    connect: 'IVANTI_CONNECT_FAILED',
    timeout: 'IVANTI_TIMEOUT',
    rateLimited: 'IVANTI_RATE_LIMITED',
    serverError: 'IVANTI_SERVER_ERROR',
    badResponse: 'IVANTI_BAD_RESPONSE',
  },
  entry: 'The domain',
  entryHint: 'Check the domain: it is the host name of your Ivanti Neurons portal, for example acmecorp.mobileiron.com.',
  remoteHint: 'Check the domain, your network connection and any firewall between this computer and Ivanti.',
  loopbackHint: 'Is the local simulator running on that port?',
  throttled: (what) => `Ivanti is throttling the API user (HTTP 429) and kept doing so when asked to ${what}. Wait a few minutes and try again.`,
};

/** A domain that does not resolve (also used by Test Configuration's own DNS check). */
export function dnsError(host: string, reason: string): AppError {
  return networkDnsError(host, reason, IVANTI_WORDS);
}

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
  if (status === 407) return fromProxyError(new ProxyConnectError('proxy authentication required', 407), ctx, IVANTI_WORDS);
  if (status === 429) return throttledFailure(ctx, status, retryAfterMs, IVANTI_WORDS);
  if (status === 511 || (status >= 300 && status < 400)) return new AttemptFailure(notIvanti(answer, ctx), false, null, status);
  if (status >= 500) return serverErrorFailure(ctx, status, retryAfterMs, IVANTI_WORDS);
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
