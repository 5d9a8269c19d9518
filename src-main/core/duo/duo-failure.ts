/**
 * What a failed Duo Admin API exchange means, in words an admin can act on (reference §1 "Auth-related failures", §3).
 * Like the Ivanti client, nothing from the request (Authorization header, signature) ever goes into an error.
 */
import { AppError } from '../../../src-shared/errors';
import { AttemptFailure, dnsError, serverErrorFailure, throttledFailure, type NetworkContext, type ServiceVocabulary } from '../ivanti/network-failure';

/**
 * How the shared network classifier (ivanti/network-failure.ts: DNS, TLS, proxy, connection, deadline, throttling,
 * 5xx) words Duo's failures. What only Duo means (40102, 40103, 40104, clock skew, a missing permission) is below.
 */
export const DUO_WORDS: ServiceVocabulary = {
  service: 'Duo',
  codes: {
    dns: 'DUO_DNS_FAILED',
    tls: 'DUO_TLS_FAILED',
    proxy: 'DUO_PROXY_FAILED',
    connect: 'DUO_CONNECT_FAILED',
    timeout: 'DUO_TIMEOUT',
    rateLimited: 'DUO_RATE_LIMITED',
    serverError: 'DUO_SERVER_ERROR',
    badResponse: 'DUO_BAD_RESPONSE',
  },
  entry: 'The API hostname',
  entryHint: 'Check the API hostname: copy it from the Duo Admin Panel (api-XXXXXXXX.duosecurity.com).',
  remoteHint: 'Check the API hostname, your network connection and any firewall between this computer and Duo.',
  loopbackHint: 'Is the local Duo double running on that port?',
  throttled: (what, status, code) =>
    `Duo is rate-limiting this Admin API application (${status}${code ? `, code ${code}` : ''}) and kept doing so when asked to ${what}. Wait a minute and try again; other scripts using the same integration key share the limit.`,
};

/**
 * Beyond this difference between Duo's `Date` header and this computer's clock, an authentication failure is
 * reported as clock skew. Duo's tolerated window and its error code for a stale Date are undocumented (reference §1,
 * [unknown]); duo_unix corrects its clock from Duo's time for the same reason. One minute is well inside any
 * plausible window, so a smaller difference is not blamed.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

export interface DuoFailureEnvelope {
  code: number | null;
  message: string | null;
  detail: string | null;
}

export interface DuoAnswerFacts {
  status: number;
  envelope: DuoFailureEnvelope | null;
  /** Duo's clock minus ours, from the response's `Date` header; null when there was none. */
  skewMs: number | null;
}

export function describeSkew(skewMs: number): string {
  const minutes = Math.abs(skewMs) / 60_000;
  const amount = minutes >= 1 ? `${Math.round(minutes)} min` : `${Math.round(Math.abs(skewMs) / 1000)} s`;
  return `this computer's clock is ${amount} ${skewMs > 0 ? 'behind' : 'ahead of'} Duo's`;
}

export function clockSkewError(skewMs: number, what: string): AppError {
  return new AppError(
    'DUO_CLOCK_SKEW',
    `Duo refused the signed request to ${what}, and ${describeSkew(skewMs)} (measured from the Date header of Duo's answer). Duo checks each request's date, so set this computer's clock automatically (network time) and try again.`,
    { skewMs },
  );
}

/** A non-2xx answer with Duo's envelope (or none). Retryable: 429 and 5xx (Retry-After honoured should Duo send it). */
export function fromDuoStatus(facts: DuoAnswerFacts, ctx: NetworkContext, integrationKey: string, retryAfterMs: number | null): AttemptFailure {
  const { status, envelope, skewMs } = facts;
  const what = ctx.what;
  const code = envelope?.code ?? null;
  const said = envelope?.message ? ` Duo said: "${envelope.message}${envelope.detail ? ` (${envelope.detail})` : ''}"${code ? `, code ${code}` : ''}.` : '';
  const details = { status, duoCode: code };
  const fail = (error: AppError, retryable = false) => new AttemptFailure(error, retryable, null, status);
  if (status === 401) {
    // Skew explains any refusal of a signed request: a stale Date can come back as 40103, 40104 or another code.
    if (skewMs !== null && Math.abs(skewMs) > CLOCK_SKEW_TOLERANCE_MS) return fail(clockSkewError(skewMs, what));
    if (code === 40102) {
      return fail(
        new AppError(
          'DUO_INTEGRATION_KEY_REJECTED',
          `Duo does not know the integration key ${integrationKey} on this API hostname (401, code 40102). Copy the integration key of the Admin API application from the Duo Admin Panel (Applications → the Admin API application), and check that the API hostname belongs to the same account.`,
          details,
        ),
      );
    }
    if (code === 40103) {
      return fail(
        new AppError(
          'DUO_SIGNATURE_REJECTED',
          `Duo rejected the request signature (401, code 40103): the secret key does not match the integration key ${integrationKey}. Copy the secret key again from the Admin API application in the Duo Admin Panel (it is shown only there; reset it if nobody kept it).`,
          details,
        ),
      );
    }
    if (code === 40104) {
      return fail(
        new AppError(
          'DUO_DATE_REJECTED',
          `Duo refused the request's date (401, code 40104).${skewMs === null ? '' : ` The clocks agree within ${Math.round(Math.abs(skewMs) / 1000)} s, so a proxy may be rewriting or removing the Date header.`} Check this computer's clock and any proxy between it and Duo.`,
          details,
        ),
      );
    }
    return fail(new AppError('DUO_AUTH_REJECTED', `Duo refused the credentials when asked to ${what} (401).${said}`, details));
  }
  if (status === 403) {
    return fail(
      new AppError(
        'DUO_PERMISSION_MISSING',
        `The Admin API application may not ${what} (403).${said} In the Duo Admin Panel, open the Admin API application and tick "Grant read resource" (the console needs no other permission), or check "Networks for API Access".`,
        details,
      ),
    );
  }
  if (status === 404) return fail(new AppError('DUO_NOT_FOUND', `Duo has no such resource when asked to ${what} (404).${said}`, details));
  if (status === 429) return throttledFailure(ctx, status, retryAfterMs, DUO_WORDS, code, details);
  if (status >= 500) return serverErrorFailure(ctx, status, retryAfterMs, DUO_WORDS);
  return fail(new AppError('DUO_BAD_RESPONSE', `Duo refused the request to ${what} (HTTP ${status}).${said}`, details));
}

export function duoDnsError(host: string, reason: string): AppError {
  return dnsError(host, reason, DUO_WORDS);
}

/** Duo's failure envelope `{stat:"FAIL", code, message, message_detail}`, tolerant of a missing or odd field. */
export function readFailureEnvelope(json: unknown): DuoFailureEnvelope | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  if (o.stat !== 'FAIL' && o.code === undefined) return null;
  const code = typeof o.code === 'number' ? o.code : typeof o.code === 'string' && /^\d+$/.test(o.code) ? Number(o.code) : null;
  return {
    code,
    message: typeof o.message === 'string' ? o.message.slice(0, 200) : null,
    detail: typeof o.message_detail === 'string' ? o.message_detail.slice(0, 200) : null,
  };
}
