import { AppError } from '../../../src-shared/errors';
import { AttemptFailure } from './network-failure';

/** Waits `ms`, or rejects with CANCELLED as soon as `signal` aborts. Injectable so tests record delays instead of waiting. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function cancelled(): AppError {
  return new AppError('CANCELLED', 'Cancelled.');
}

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  /** Cap on the sum of all waits between attempts of one call, Retry-After included. */
  maxTotalWaitMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Omitted: full jitter (see fullJitterDelay). `addedMs`: the whole doubled wait plus up to that much at random, the
   * schedule Duo's own clients use (1 s doubling to 32 s, plus up to 1 s; duo-admin-api.md §3).
   */
  addedJitterMs?: number;
}

/**
 * Exponential back-off with "full jitter" (a uniformly random wait in [0, min(cap, base·2^attempt)]): clients that
 * failed together do not retry together (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function fullJitterDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Whether Ivanti sends it is not documented
 * [reference], so both forms are honoured and anything else is ignored (the back-off applies instead).
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The wait before retry number `retry + 1`, by the policy's jitter rule (Retry-After aside). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  if (policy.addedJitterMs === undefined) return fullJitterDelay(retry, policy, random);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry) + Math.floor(random() * policy.addedJitterMs);
}

export interface RetryLoop {
  policy: RetryPolicy;
  sleep: Sleep;
  random: () => number;
  /** "Ivanti", "Duo": who asked to wait, in the message when Retry-After asks more than the budget allows. */
  service: string;
  /** Told before each wait between attempts (the sync shows "Ivanti is throttling, retrying in 4 s"). */
  onRetry?: (retry: number, delayMs: number, failure: AttemptFailure) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's retries or waiting budget run out; the Ivanti and
 * Duo clients share it. An attempt throws an AttemptFailure (network-failure.ts) to say whether retrying can help and
 * how long the server asked to wait; anything else ends the call at once. A Retry-After beyond the remaining budget
 * ends it too: waiting less than asked would only be answered with another 429.
 */
export async function withRetries<T>(attempt: () => Promise<T>, loop: RetryLoop, signal: AbortSignal | undefined): Promise<T> {
  let waitedMs = 0;
  for (let retry = 0; ; retry++) {
    let failure: AttemptFailure;
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error;
      failure = error;
    }
    const attempts = retry + 1;
    if (!failure.retryable || retry >= loop.policy.maxRetries) throw withAttempts(failure.error, attempts, waitedMs, loop.service);
    const remainingMs = loop.policy.maxTotalWaitMs - waitedMs;
    if (failure.retryAfterMs !== null && failure.retryAfterMs > remainingMs) throw withAttempts(failure.error, attempts, waitedMs, loop.service, failure.retryAfterMs);
    if (remainingMs <= 0) throw withAttempts(failure.error, attempts, waitedMs, loop.service);
    const delayMs = failure.retryAfterMs ?? Math.min(remainingMs, backoffDelay(retry, loop.policy, loop.random));
    loop.onRetry?.(retry + 1, delayMs, failure);
    await loop.sleep(delayMs, signal);
    waitedMs += delayMs;
  }
}

function withAttempts(error: AppError, attempts: number, waitedMs: number, service: string, askedWaitMs?: number): AppError {
  if (attempts === 1 && askedWaitMs === undefined) return error;
  const asked = askedWaitMs === undefined ? '' : ` ${service} asked to wait ${Math.ceil(askedWaitMs / 1000)} s more, beyond the console's limit.`;
  return new AppError(error.code, `${error.message} (${attempts} attempts over ${Math.round(waitedMs / 1000)} s of waiting.)${asked}`, {
    ...error.details,
    attempts,
    waitedMs,
    ...(askedWaitMs === undefined ? {} : { retryAfterMs: askedWaitMs }),
  });
}
