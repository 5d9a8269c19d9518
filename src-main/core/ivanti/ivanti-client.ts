/**
 * Read-only client for the Ivanti Neurons for MDM REST API (facts and sources: ../shared/reference/ivanti-api.md).
 *
 * Every call: HTTPS (plain http only to a loopback host), HTTP Basic, a per-request deadline that covers the whole
 * body, bounded retries with exponential back-off and full jitter on network errors, 5xx and 429 (Retry-After in
 * seconds or as an HTTP-date honoured), a cap on the total time spent waiting between attempts, and cancellation.
 *
 * The password lives only in a private field holding the Authorization header; it never reaches an error, a log
 * line or a property that `JSON.stringify` or `console.log` would show.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import type { TLSSocket } from 'node:tls';
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import {
  DeviceRecord,
  DeviceSpace,
  IvantiDeviceRecord,
  IvantiItemEnvelope,
  IvantiSearchEnvelope,
  parseIvantiDevice,
  ReceivedSearchAnswer,
  type IvantiDevice,
} from './ivanti-wire';
import { createConnectionAgents, type ConnectionAgents, type Environment } from './connection-agents';
import { parseIvantiEndpoint, type IvantiEndpoint } from './ivanti-endpoint';
import { fromHttpStatus, IVANTI_WORDS, looksLikeMarkup, notIvanti, parseJsonOrNull, type HttpAnswer, type OperationContext } from './ivanti-failure';
import { AttemptFailure, fromNetworkError, timeoutFailure } from './network-failure';
import { createApiHttp, requestWithDeadline, RequestFailed } from './http-transport';
import { parseRetryAfter, realSleep, withRetries, type RetryPolicy, type Sleep } from './retry-policy';

export interface Clock {
  now(): number;
}

export interface IvantiClientOptions {
  /** `host[:port]` as the admin enters it (see parseIvantiEndpoint for the http/https rule). */
  domain: string;
  /** The API user's email address, which is its username. */
  email: string;
  password: string;
  /** Deadline for one request, body included. Default 50 s (what public clients use). */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** Cap on the total waiting between attempts of one call. Default 120 s. */
  maxTotalWaitMs?: number;
  /** Back-off base and ceiling. Defaults 1 s and 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  /** Where HTTPS_PROXY / NO_PROXY / TEC_EXTRA_CA_CERTS / NODE_EXTRA_CA_CERTS are read. Default `process.env`. */
  env?: Environment;
  /** Path of a PEM file with extra CA certificates (like NODE_EXTRA_CA_CERTS). Overrides TEC_EXTRA_CA_CERTS. */
  extraCaCerts?: string;
  /** Told before each wait between attempts (the sync shows "Ivanti is throttling, retrying in 4 s"). */
  onRetry?: (event: IvantiRetryEvent) => void;
}

export interface IvantiRetryEvent {
  /** What was being done, e.g. "search devices in space Marketing". */
  what: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  code: ErrorCode;
  status: number | null;
}

export interface DeviceSort {
  field: string;
  order: 'ASC' | 'DESC';
}

/**
 * The sort a sync should page with. Offset paging over a changing set skips or repeats rows [reference], and the
 * documented example sort, `lastCheckin DESC`, moves a device to the front every time it checks in, i.e. constantly
 * while a large tenant is paged. The numeric device `id` never changes for a device and new registrations get
 * higher ids, so with `id ASC` enrolments land after the pages already read and only removals shift rows, which
 * a `totalCount` drift reveals.
 */
export const STABLE_DEVICE_SORT: DeviceSort = { field: 'id', order: 'ASC' };

export interface DeviceSearch {
  dmPartitionId: number;
  /** 0-based row index. Advance it by the number of records received, not by `rows`: some lists cap pages. */
  start: number;
  /** At most IVANTI_MAX_ROWS (500); Ivanti answers more with HTTP 400, which surfaces as IVANTI_BAD_REQUEST. */
  rows: number;
  /** Passed through as `fq`. */
  fq?: string;
  /** Default STABLE_DEVICE_SORT. */
  sort?: DeviceSort;
}

/** A record in a page that could not be used (no guid, wrong types); reported instead of failing the whole page. */
export interface RejectedDeviceRecord {
  /** Index in the page. */
  position: number;
  id: unknown;
  problems: string[];
}

export interface DeviceSearchPage {
  devices: IvantiDevice[];
  /** Matching devices in the space at the time of this request. */
  totalCount: number;
  /** `devices.length + rejected.length` is the number of records the page held. */
  rejected: RejectedDeviceRecord[];
}

/** A page of devices as received (searchDeviceRecords): every record in the tenant's order, usable or not. */
export interface DeviceRecordPage {
  records: DeviceRecord[];
  /** Matching devices in the space at the time of this request. */
  totalCount: number;
}

export interface ConnectionProbe {
  /** Whatever HTTP status the unauthenticated probe got (401 is the normal answer). */
  status: number;
  proxy: string | null;
  /** Null for plain http (loopback simulator) or when the socket could not be inspected. */
  tls: { protocol: string | null; subject: string | null; issuer: string | null; validTo: string | null } | null;
}

interface Request {
  what: string;
  path: string;
  query: Array<[string, string]>;
  authenticated: boolean;
  space?: { id: number; name: string | null };
  needsSystemRole?: boolean;
  /** The probe: any HTTP status is an answer. */
  anyStatus?: boolean;
}

interface Answer extends HttpAnswer {
  tls: ConnectionProbe['tls'];
  /** The parsed body, once #judge has accepted it as JSON. */
  json?: unknown;
}

const SPACES_PAGE_ROWS = 100;
/** A generous bound so a server that keeps reporting more spaces than it returns cannot loop the client forever. */
const MAX_SPACE_PAGES = 1000;

export class IvantiClient {
  readonly endpoint: IvantiEndpoint;
  readonly email: string;
  /** The proxy used for this host (without credentials), or null. */
  readonly proxy: string | null;
  readonly #authorization: string;
  readonly #http: AxiosInstance;
  readonly #agents: ConnectionAgents;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #onRetry?: (event: IvantiRetryEvent) => void;
  /** Space names from the last listSpaces, so a 403 can name the space. */
  readonly #spaceNames = new Map<number, string>();

  constructor(options: IvantiClientOptions) {
    this.endpoint = parseIvantiEndpoint(options.domain);
    this.email = options.email;
    this.#authorization = `Basic ${Buffer.from(`${options.email}:${options.password}`, 'utf8').toString('base64')}`;
    this.#agents = createConnectionAgents(this.endpoint, options.env ?? process.env, options.extraCaCerts);
    this.proxy = this.#agents.proxy;
    this.#timeoutMs = options.timeoutMs ?? 50_000;
    this.#policy = {
      maxRetries: options.maxRetries ?? 5,
      maxTotalWaitMs: options.maxTotalWaitMs ?? 120_000,
      baseDelayMs: options.baseDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
    };
    this.#clock = options.clock ?? Date;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#http = createApiHttp(this.endpoint.origin, this.#agents);
  }

  /** Every device space the API user can see (`GET /api/v1/tenant/partition/device`), paged with start/rows. */
  async listSpaces(signal?: AbortSignal): Promise<DeviceSpace[]> {
    const spaces = new Map<number, DeviceSpace>();
    let start = 0;
    for (let page = 0; page < MAX_SPACE_PAGES; page++) {
      const request: Request = {
        what: 'list the device spaces',
        path: '/api/v1/tenant/partition/device',
        query: [
          ['start', String(start)],
          ['rows', String(SPACES_PAGE_ROWS)],
        ],
        authenticated: true,
        needsSystemRole: true,
      };
      const envelope = this.#parse(request, IvantiSearchEnvelope, await this.#call(request, signal));
      const results = envelope.result.searchResults;
      for (const [index, item] of results.entries()) {
        const space = DeviceSpace.safeParse(item);
        if (!space.success) throw this.#badResponse(request, `space ${start + index}: ${describeIssues(space.error.issues)}`);
        spaces.set(space.data.id, space.data);
        this.#spaceNames.set(space.data.id, space.data.name);
      }
      // Advance by what came back, not by `rows`: database-backed lists may cap pages at 50 [doc].
      start += results.length;
      if (results.length === 0 || start >= envelope.result.totalCount) break;
    }
    return [...spaces.values()];
  }

  /** One page of devices in one space (`GET /api/v1/device`), every record parsed. */
  async searchDevices(search: DeviceSearch, signal?: AbortSignal): Promise<DeviceSearchPage> {
    const { searchResults, totalCount } = await this.#searchPage(search, signal);
    const devices: IvantiDevice[] = [];
    const rejected: RejectedDeviceRecord[] = [];
    for (const [position, item] of searchResults.entries()) {
      const parsed = parseIvantiDevice(item);
      if (parsed.ok) devices.push(parsed.device);
      else rejected.push({ position, id: (item as { id?: unknown } | null)?.id ?? null, problems: parsed.problems });
    }
    return { devices, totalCount, rejected };
  }

  /**
   * The same page as searchDevices, its records as received, each parsed when first asked for (DeviceRecord): the sync
   * parses only the records it writes.
   */
  async searchDeviceRecords(search: DeviceSearch, signal?: AbortSignal): Promise<DeviceRecordPage> {
    const { searchResults, totalCount, text } = await this.#searchPage(search, signal);
    const answer = new ReceivedSearchAnswer(text, searchResults.length, searchResults);
    return { records: searchResults.map((item, position) => new DeviceRecord(item, answer, position)), totalCount };
  }

  /** A search answer's envelope, with the answer's text. */
  async #searchPage(search: DeviceSearch, signal: AbortSignal | undefined): Promise<{ searchResults: unknown[]; totalCount: number; text: string }> {
    if (!Number.isInteger(search.start) || search.start < 0) throw new AppError('VALIDATION_FAILED', 'start must be a non-negative integer.');
    if (!Number.isInteger(search.rows) || search.rows < 1) throw new AppError('VALIDATION_FAILED', 'rows must be a positive integer.');
    const sort = search.sort ?? STABLE_DEVICE_SORT;
    const space = this.#space(search.dmPartitionId);
    const query: Array<[string, string]> = [
      ['dmPartitionId', String(search.dmPartitionId)],
      ['q', ''],
      ['start', String(search.start)],
      ['rows', String(search.rows)],
      // The documented sort syntax [code]: sortFields[0].name=lastCheckin&sortFields[0].order=DESC.
      ['sortFields[0].name', sort.field],
      ['sortFields[0].order', sort.order],
    ];
    if (search.fq !== undefined) query.push(['fq', search.fq]);
    const request: Request = {
      what: `search devices in space "${space.name ?? space.id}"`,
      path: '/api/v1/device',
      query,
      authenticated: true,
      space,
    };
    const answer = await this.#retrying(request, signal);
    return { ...this.#parse(request, IvantiSearchEnvelope, answer.json).result, text: answer.body };
  }

  /** One device by its numeric id (`GET /api/v1/device/{id}?dmPartitionId=`). A missing device is NOT_FOUND. */
  async getDevice(id: number, dmPartitionId: number, signal?: AbortSignal): Promise<IvantiDevice> {
    const space = this.#space(dmPartitionId);
    const request: Request = {
      what: `read device ${id} in space "${space.name ?? space.id}"`,
      path: `/api/v1/device/${encodeURIComponent(String(id))}`,
      query: [['dmPartitionId', String(dmPartitionId)]],
      authenticated: true,
      space,
    };
    const envelope = this.#parse(request, IvantiItemEnvelope, await this.#call(request, signal));
    return this.#parse(request, IvantiDeviceRecord, envelope.result);
  }

  /**
   * Reaches the API without credentials and accepts any HTTP answer: proves DNS, the proxy and TLS before the
   * password is sent anywhere. Used by Test Configuration.
   */
  async probeConnection(signal?: AbortSignal): Promise<ConnectionProbe> {
    const request: Request = {
      what: 'connect',
      path: '/api/v1/tenant/partition/device',
      query: [
        ['start', '0'],
        ['rows', '1'],
      ],
      authenticated: false,
      anyStatus: true,
    };
    const answer = await this.#retrying(request, signal);
    return { status: answer.status, proxy: this.proxy, tls: answer.tls };
  }

  /** Closes pooled connections. The client must not be used afterwards. */
  close(): void {
    this.#agents.destroy();
  }

  #space(id: number): { id: number; name: string | null } {
    return { id, name: this.#spaceNames.get(id) ?? null };
  }

  #context(request: Request): OperationContext {
    return {
      what: request.what,
      endpoint: this.endpoint,
      email: this.email,
      proxy: this.proxy,
      space: request.space,
      needsSystemRole: request.needsSystemRole,
    };
  }

  /** An authenticated JSON call: the parsed body of a 2xx answer, or an AppError. */
  async #call(request: Request, signal: AbortSignal | undefined): Promise<unknown> {
    return (await this.#retrying(request, signal)).json;
  }

  async #retrying(request: Request, signal: AbortSignal | undefined): Promise<Answer> {
    return withRetries(async () => this.#judge(request, await this.#send(request, signal)), {
      policy: this.#policy,
      sleep: this.#sleep,
      random: this.#random,
      service: 'Ivanti',
      onRetry: (retry, delayMs, failure) => this.#onRetry?.({ what: request.what, retry, delayMs, code: failure.error.code, status: failure.status }),
    }, signal);
  }

  /** One HTTP exchange under the per-request deadline. Throws AttemptFailure, or CANCELLED when `signal` aborts. */
  async #send(request: Request, signal: AbortSignal | undefined): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'TrustedEndpointsConsole' };
    if (request.authenticated) headers.Authorization = this.#authorization;
    const query = new URLSearchParams(request.query).toString();
    let response: AxiosResponse<string>;
    try {
      response = await requestWithDeadline(this.#http, { method: 'GET', url: `${request.path}?${query}`, headers }, this.#timeoutMs, signal);
    } catch (error) {
      if (!(error instanceof RequestFailed)) throw error;
      if (error.timedOut) throw timeoutFailure(this.#context(request), this.#timeoutMs, IVANTI_WORDS);
      throw fromNetworkError(error.networkError, this.#context(request), IVANTI_WORDS);
    }
    return {
      status: response.status,
      headers: flattenHeaders(response.headers as Record<string, unknown>),
      body: typeof response.data === 'string' ? response.data : '',
      tls: describeTls(response.request),
    };
  }

  /** Decides whether an answer is a usable 2xx JSON body; throws AttemptFailure otherwise. */
  #judge(request: Request, answer: Answer): Answer {
    const ctx = this.#context(request);
    if (request.anyStatus) return answer;
    if (answer.status < 200 || answer.status >= 300) {
      throw fromHttpStatus(answer, ctx, parseRetryAfter(answer.headers['retry-after'], this.#clock.now()));
    }
    const type = answer.headers['content-type'] ?? '';
    if (type !== '' && !/json/i.test(type)) throw new AttemptFailure(notIvanti(answer, ctx), false, null, answer.status);
    const json = parseJsonOrNull(answer.body);
    if (json === null) {
      if (looksLikeMarkup(answer)) throw new AttemptFailure(notIvanti(answer, ctx), false, null, answer.status);
      // Valid HTTP but cut-off JSON: a proxy or load balancer truncated it; the next attempt usually comes whole.
      throw new AttemptFailure(
        new AppError('IVANTI_BAD_RESPONSE', `Ivanti's answer was incomplete JSON when asked to ${request.what}, on every attempt. Try again; if it persists, a proxy may be cutting answers short.`),
        true,
        null,
        answer.status,
      );
    }
    return { ...answer, json };
  }

  #parse<T>(request: Request, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Issue[] } } }, value: unknown): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw this.#badResponse(request, describeIssues(parsed.error.issues));
    return parsed.data;
  }

  #badResponse(request: Request, problems: string): AppError {
    return new AppError(
      'IVANTI_BAD_RESPONSE',
      `Ivanti answered in an unexpected shape when asked to ${request.what} (${problems}). The API may have changed; please report this.`,
      { problems },
    );
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/** Paths and messages only: the values may be personal data. */
function describeIssue(issue: Issue): string {
  return `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
}

function describeIssues(issues: Issue[]): string {
  const shown = issues.slice(0, 3).map(describeIssue).join('; ');
  return issues.length > 3 ? `${shown}; and ${issues.length - 3} more` : shown;
}

export function flattenHeaders(headers: Record<string, unknown>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value == null ? undefined : String(value as string | number);
  }
  return flat;
}

/** Best effort: the certificate of the connection that carried the answer, for Test Configuration to show. */
export function describeTls(request: unknown): ConnectionProbe['tls'] {
  const socket = (request as { socket?: Partial<TLSSocket> } | undefined)?.socket;
  if (!socket || typeof socket.getPeerCertificate !== 'function') return null;
  const certificate = socket.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) return null;
  const name = (value: unknown) => (Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : null);
  return {
    protocol: typeof socket.getProtocol === 'function' ? socket.getProtocol() : null,
    subject: name(certificate.subject?.CN),
    issuer: name(certificate.issuer?.CN) ?? name(certificate.issuer?.O),
    validTo: certificate.valid_to ?? null,
  };
}
