import { AppError } from '../../../src-shared/errors';

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
