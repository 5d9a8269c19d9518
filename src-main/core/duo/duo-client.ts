/**
 * Read-only client for the Duo Admin API (facts and sources: ../shared/reference/duo-admin-api.md).
 *
 * Same transport rules as the Ivanti client: axios over the shared connection agents (HTTPS_PROXY/NO_PROXY, extra CA
 * certificates), a per-request deadline, cancellation, HTTPS only (plain http to loopback for the double). Requests
 * are GETs signed v5 (HMAC-SHA512) by duo-signature.ts. 429 is retried as Duo's own clients do: 1 s doubling to 32 s,
 * plus up to 1 s of jitter (reference §3; Duo sends no Retry-After), within a cap on the total wait.
 *
 * The secret key lives only in a private field and is used to sign; it never reaches an error, a log or a property.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import { createConnectionAgents, type ConnectionAgents, type Environment } from '../ivanti/connection-agents';
import { describeTls, flattenHeaders, type Clock, type ConnectionProbe } from '../ivanti/ivanti-client';
import { parseJsonOrNull } from '../ivanti/ivanti-failure';
import { fromNetworkError, timeoutFailure, type NetworkContext } from '../ivanti/network-failure';
import { createApiHttp, requestWithDeadline, RequestFailed } from '../ivanti/http-transport';
import { parseRetryAfter, realSleep, withRetries, type RetryPolicy, type Sleep } from '../ivanti/retry-policy';
import { parseDuoEndpoint, type DuoEndpoint } from './duo-endpoint';
import { DUO_WORDS, fromDuoStatus, readFailureEnvelope } from './duo-failure';
import { duoAuthorization, duoDate, signDuoRequest, type DuoParams } from './duo-signature';

export interface DuoCredentials {
  /** `api-XXXXXXXX.duosecurity.com` as shown in the Admin Panel (a loopback `host:port` for the double). */
  apiHostname: string;
  integrationKey: string;
  secretKey: string;
}

export interface DuoClientOptions extends DuoCredentials {
  /** Deadline for one request, body included. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 6 (waits of 1, 2, 4, 8, 16, 32 s: Duo's clients' schedule). */
  maxRetries?: number;
  /** Cap on the total waiting between attempts of one call. Default 75 s. */
  maxTotalWaitMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  env?: Environment;
  extraCaCerts?: string;
  onRetry?: (event: DuoRetryEvent) => void;
}

export interface DuoRetryEvent {
  what: string;
  retry: number;
  delayMs: number;
  code: ErrorCode;
}

export interface DuoPage {
  response: unknown;
  /** `next_offset` from `metadata`; null on the last page (or when there was no metadata). */
  nextOffset: number | null;
  totalObjects: number | null;
}

export interface DuoProbe extends ConnectionProbe {
  /** Duo's clock minus ours, from the `Date` header; null when Duo sent none. */
  skewMs: number | null;
}

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
  tls: ConnectionProbe['tls'];
  skewMs: number | null;
}

/** Duo's clients' back-off: 1 s doubling to 32 s, plus up to 1 s of jitter (reference §3). */
const DUO_BACKOFF = { baseDelayMs: 1_000, maxDelayMs: 32_000, addedJitterMs: 1_000 } as const;
/** A bound on pages, so an answer that keeps offering a next_offset cannot loop the client forever. */
const MAX_PAGES = 100_000;

export class DuoClient {
  readonly endpoint: DuoEndpoint;
  readonly integrationKey: string;
  readonly proxy: string | null;
  readonly #secretKey: string;
  readonly #http: AxiosInstance;
  readonly #agents: ConnectionAgents;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #onRetry?: (event: DuoRetryEvent) => void;
  /** Duo's clock minus ours, from the last answer that had a Date header. */
  lastSkewMs: number | null = null;

  constructor(options: DuoClientOptions) {
    this.endpoint = parseDuoEndpoint(options.apiHostname);
    this.integrationKey = options.integrationKey.trim();
    if (this.integrationKey === '') throw new AppError('VALIDATION_FAILED', 'Enter the integration key of the Admin API application.');
    if (options.secretKey === '') throw new AppError('VALIDATION_FAILED', 'Enter the secret key of the Admin API application.');
    this.#secretKey = options.secretKey;
    this.#agents = createConnectionAgents(this.endpoint, options.env ?? process.env, options.extraCaCerts);
    this.proxy = this.#agents.proxy;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#policy = { ...DUO_BACKOFF, maxRetries: options.maxRetries ?? 6, maxTotalWaitMs: options.maxTotalWaitMs ?? 75_000 };
    this.#clock = options.clock ?? Date;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#http = createApiHttp(this.endpoint.origin, this.#agents);
  }

  /** One signed GET; `response` and paging facts of a `stat: OK` answer, or an AppError. */
  async get(what: string, path: string, params: DuoParams, signal?: AbortSignal): Promise<DuoPage> {
    const answer = await this.#retrying(what, path, params, true, signal);
    return this.#page(what, answer);
  }

  /**
   * Every object of a list endpoint, following `metadata.next_offset` until it is absent (reference §3). `limit` is
   * what is asked; Duo clamps it to the endpoint's maximum. `onPage` is told the running count after each page.
   */
  async list(what: string, path: string, limit: number, signal?: AbortSignal, onPage?: (fetched: number, total: number | null) => void): Promise<unknown[]> {
    const items: unknown[] = [];
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.get(what, path, [['limit', String(limit)], ['offset', String(offset)]], signal);
      if (!Array.isArray(answer.response)) throw badResponse(what, 'response is not a list');
      items.push(...answer.response);
      onPage?.(items.length, answer.totalObjects);
      if (answer.nextOffset === null) return items;
      if (answer.nextOffset <= offset) throw badResponse(what, `next_offset ${answer.nextOffset} does not advance past ${offset}`);
      offset = answer.nextOffset;
    }
    throw badResponse(what, `more than ${MAX_PAGES} pages`);
  }

  /**
   * An unsigned request that accepts any answer: proves DNS, the proxy and TLS, and reads Duo's clock from the `Date`
   * header, before anything signed is sent.
   */
  async probe(signal?: AbortSignal): Promise<DuoProbe> {
    const answer = await this.#retrying('connect', '/admin/v1/users', [['limit', '1']], false, signal);
    return { status: answer.status, proxy: this.proxy, tls: answer.tls, skewMs: answer.skewMs };
  }

  close(): void {
    this.#agents.destroy();
  }

  #page(what: string, answer: Answer): DuoPage {
    const json = parseJsonOrNull(answer.body) as Record<string, unknown> | null;
    if (json === null || typeof json !== 'object') throw notDuo(what, answer);
    if (json.stat !== 'OK') throw badResponse(what, `stat is ${JSON.stringify(json.stat)}`);
    const metadata = (typeof json.metadata === 'object' && json.metadata !== null ? json.metadata : {}) as Record<string, unknown>;
    return { response: json.response, nextOffset: toNumber(metadata.next_offset), totalObjects: toNumber(metadata.total_objects) };
  }

  #context(what: string): NetworkContext {
    return { what, endpoint: this.endpoint, proxy: this.proxy };
  }

  async #retrying(what: string, path: string, params: DuoParams, signed: boolean, signal: AbortSignal | undefined): Promise<Answer> {
    const attempt = async () => {
      const answer = await this.#send(what, path, params, signed, signal);
      if (!signed || (answer.status >= 200 && answer.status < 300)) return answer;
      const envelope = readFailureEnvelope(parseJsonOrNull(answer.body));
      if (envelope === null && answer.status < 500 && answer.status !== 429) throw notDuo(what, answer);
      // Duo sends no Retry-After (reference §3); should it start to, it is honoured like Ivanti's.
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.#clock.now());
      throw fromDuoStatus({ status: answer.status, envelope, skewMs: answer.skewMs }, this.#context(what), this.integrationKey, retryAfterMs);
    };
    return withRetries(attempt, {
      policy: this.#policy,
      sleep: this.#sleep,
      random: this.#random,
      service: 'Duo',
      onRetry: (retry, delayMs, failure) => this.#onRetry?.({ what, retry, delayMs, code: failure.error.code }),
    }, signal);
  }

  async #send(what: string, path: string, params: DuoParams, signed: boolean, signal: AbortSignal | undefined): Promise<Answer> {
    const date = duoDate(this.#clock.now());
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'TrustedEndpointsConsole', Date: date };
    if (signed) {
      const signature = signDuoRequest(this.#secretKey, { method: 'GET', host: this.endpoint.signedHost, path, params, date, body: '' }, 5);
      headers.Authorization = duoAuthorization(this.integrationKey, signature);
    }
    const query = new URLSearchParams(params.map(([k, v]): [string, string] => [k, v])).toString();
    let response: AxiosResponse<string>;
    try {
      response = await requestWithDeadline(this.#http, { method: 'GET', url: query ? `${path}?${query}` : path, headers }, this.#timeoutMs, signal);
    } catch (error) {
      if (!(error instanceof RequestFailed)) throw error;
      if (error.timedOut) throw timeoutFailure(this.#context(what), this.#timeoutMs, DUO_WORDS);
      throw fromNetworkError(error.networkError, this.#context(what), DUO_WORDS);
    }
    const flat = flattenHeaders(response.headers as Record<string, unknown>);
    const serverDate = flat.date ? Date.parse(flat.date) : Number.NaN;
    const skewMs = Number.isNaN(serverDate) ? null : serverDate - this.#clock.now();
    if (skewMs !== null) this.lastSkewMs = skewMs;
    return { status: response.status, headers: flat, body: typeof response.data === 'string' ? response.data : '', tls: describeTls(response.request), skewMs };
  }
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function badResponse(what: string, problem: string): AppError {
  return new AppError('DUO_BAD_RESPONSE', `Duo answered in an unexpected shape when asked to ${what} (${problem}). Please report this.`, { problem });
}

/** A proxy's sign-in page, a captive portal or another server: not Duo's JSON (the SDK would throw uncaught here, §2). */
function notDuo(what: string, answer: { status: number; headers: Record<string, string | undefined> }): AppError {
  const type = (answer.headers['content-type'] ?? 'no content type').split(';')[0]!.trim();
  return new AppError(
    'DUO_BAD_RESPONSE',
    `The API hostname answered with ${type} (HTTP ${answer.status}) instead of Duo's JSON when asked to ${what}. A proxy's sign-in page or a wrong hostname can cause this.`,
    { status: answer.status, contentType: type },
  );
}
