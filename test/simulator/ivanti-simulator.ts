/**
 * A loopback Ivanti Neurons for MDM tenant for tests, benchmarks and the demo. It follows
 * ../shared/reference/ivanti-api.md; where the API is undocumented it makes the choice written next to the code.
 *
 * Endpoints: GET /api/v1/tenant/partition/device (spaces), /api/v1/metadata/tenant, /api/v1/device (search),
 * /api/v1/device/{id}. HTTP Basic. Faults are deterministic from the seed and the request number.
 */
import http from 'node:http';
import { FaultPlan, type FaultDecision, type FaultName, type FaultSettings } from './fault-plan';
import { hash32, hashText } from './seeded-random';
import { SimulatedTenant, SORTABLE_FIELDS, type DeviceOrder, type SimulatedSpace, type SortableField, type TenantChanges } from './simulated-tenant';
import { listenOnLoopback } from '../support/listen-on-loopback';

export interface SimulatorCredentials {
  email: string;
  password: string;
}

export interface SimulatorSpaceOptions {
  /** The space's dmPartitionId. */
  id: number;
  name: string;
  /** Relative share of the devices. Default 1. */
  share?: number;
  /** The API user holds Device Read Only here. Default true; false answers 403 to device calls in the space. */
  deviceRead?: boolean;
  /** A GDPR privacy profile applies: personal fields are obfuscated. Default false. */
  gdpr?: boolean;
  defaultSpace?: boolean;
}

export interface SimulatorOptions {
  /** Devices at start, spread over the spaces by share. Up to a million and beyond: nothing is held per device. */
  devices: number;
  seed?: string | number;
  /** 0 (default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  faults?: FaultSettings;
  credentials?: SimulatorCredentials;
  /**
   * More API users of the same tenant (two integrations that do not share an API user), each with the spaces in which
   * it lacks Device Read Only (403 to its device calls there, whatever the space's own setting).
   */
  otherUsers?: (SimulatorCredentials & { deniedSpaces?: number[] })[];
  spaces?: SimulatorSpaceOptions[];
  /** The API user holds System Read Only (needed to list spaces). Default true; false answers 403 to the list. */
  systemReadOnly?: boolean;
  /** The tenant enforces MFA for admins: every Basic request gets 401 with a Bearer challenge. */
  mfaEnforced?: boolean;
  /** Retry-After sent with 429s. Default 1 s, alternating the seconds and HTTP-date forms. */
  retryAfterSeconds?: number;
  retryAfterForm?: 'seconds' | 'date' | 'alternate';
  /** Wall clock for Retry-After HTTP-dates (epoch ms). Default Date.now; tests pin it. */
  now?: () => number;
  /** Delay of a "slow" answer. Default 1500 ms. */
  slowMs?: number;
  /** The tenant's "now" for generated timestamps (epoch ms). Fixed by default so records never depend on the date. */
  referenceTime?: number;
}

export interface SimulatorStats {
  requests: number;
  /** Faults injected so far, by kind. */
  faults: Record<FaultName, number>;
  /** Tenant changes so far (churn and mutate()). */
  mutations: number;
}

export interface SimulatorRequestRecord {
  /** The logical request number (1-based), the clock faults and churn are keyed on. */
  number: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  fault: FaultName | null;
}

export interface SpaceSummary {
  id: number;
  name: string;
  deviceCount: number;
  deviceRead: boolean;
  gdpr: boolean;
  defaultSpace: boolean;
}

export interface DeviceSetOptions {
  /** `readable` (default): only spaces the API user may read, i.e. what a complete sync must end with. */
  spaces?: 'readable' | 'all';
}

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** What an admin enters as the Ivanti domain: `127.0.0.1:PORT` (loopback hosts use plain http). */
  domain: string;
  port: number;
  credentials: SimulatorCredentials;
  spaces(): SpaceSummary[];
  /** The current device set as the API returns the records (lazily generated, in id order per space). */
  expectedDevices(options?: DeviceSetOptions): Iterable<Record<string, unknown>>;
  expectedGuids(options?: DeviceSetOptions): Iterable<string>;
  deviceCount(options?: DeviceSetOptions): number;
  /** Replaces the fault settings; `{ next: n }` windows count from the next request. */
  setFaults(faults: FaultSettings): void;
  /** Changes the tenant now, deterministically (e.g. between two syncs). */
  mutate(changes: TenantChanges): void;
  /** Grants or withdraws the API user's Device Read Only in one space (403 to its device calls while withdrawn). */
  setDeviceRead(spaceId: number, readable: boolean): void;
  stats(): SimulatorStats;
  /** The last 200 requests, oldest first. */
  recentRequests(): SimulatorRequestRecord[];
  close(): Promise<void>;
}

export const DEMO_CREDENTIALS: SimulatorCredentials = { email: 'tec-api@acmecorp.example', password: 'simulator-demo-password' };

export const DEFAULT_SPACES: SimulatorSpaceOptions[] = [
  { id: 33533, name: 'Default Space', share: 70, defaultSpace: true },
  { id: 33534, name: 'EU Staff', share: 20, gdpr: true },
  { id: 33535, name: 'Contractors', share: 10 },
];

/** Two spaces, two thirds of the devices in the default one: "Restricted" (id 2) is the one a test forbids. */
export const DEFAULT_AND_RESTRICTED_SPACES: SimulatorSpaceOptions[] = [
  { id: 1, name: 'Default Space', share: 2, defaultSpace: true },
  { id: 2, name: 'Restricted', share: 1 },
];

/** 2026-11-28T00:00:00Z. */
const DEFAULT_REFERENCE_TIME = Date.UTC(2026, 10, 28);

/** The documented page limit [doc]. */
const MAX_ROWS = 500;
/** "Some database-backed lists return at most 50 rows whatever is asked" [doc]: the spaces list does here. */
const SPACES_PAGE_CAP = 50;
/** Solr's usual default when `rows` is absent; undocumented for Ivanti. */
const DEFAULT_ROWS = 50;

interface Answer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  if (!Number.isInteger(options.devices) || options.devices < 0) throw new RangeError('devices must be a non-negative integer');
  const seedHash = hashText(String(options.seed ?? 1));
  const credentials = options.credentials ?? DEMO_CREDENTIALS;
  const spaces: SimulatedSpace[] = (options.spaces ?? DEFAULT_SPACES).map((s) => ({
    id: s.id,
    name: s.name,
    share: s.share ?? 1,
    deviceRead: s.deviceRead ?? true,
    gdpr: s.gdpr ?? false,
    defaultSpace: s.defaultSpace ?? false,
  }));
  if (spaces.length === 0) throw new RangeError('a tenant needs at least one space');
  if (!spaces.some((s) => s.defaultSpace)) spaces[0]!.defaultSpace = true;
  const tenant = new SimulatedTenant({ seedHash, referenceTime: options.referenceTime ?? DEFAULT_REFERENCE_TIME }, options.devices, spaces);
  let requestCount = 0;
  const plan = new FaultPlan(seedHash, options.faults ?? {}, requestCount);
  const faultCounts: Record<FaultName, number> = { '429': 0, '5xx': 0, drop: 0, truncate: 0, slow: 0, churn: 0 };
  const recent: SimulatorRequestRecord[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const retryAfterForm = options.retryAfterForm ?? 'alternate';
  const slowMs = options.slowMs ?? 1500;

  /** The spaces in which the user of the request being answered lacks Device Read Only, besides each space's own setting. */
  let deniedForUser: ReadonlySet<number> = new Set();
  const readableSpaceIds = () => spaces.filter((s) => s.deviceRead).map((s) => s.id);
  const spaceIdsFor = (o?: DeviceSetOptions) => (o?.spaces === 'all' ? spaces.map((s) => s.id) : readableSpaceIds());

  function authorise(req: http.IncomingMessage): Answer | null {
    if (options.mfaEnforced) {
      // Undocumented [reference]: an MFA tenant refusing Basic is modelled as 401 with a Bearer challenge.
      return {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="MobileIron"' },
        json: errorEnvelope([], ['Multi-factor authentication is enforced for this tenant. Use token-based authentication.']),
      };
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const email = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const other = (options.otherUsers ?? []).find((u) => u.email.toLowerCase() === email.toLowerCase() && u.password === password);
    deniedForUser = new Set(other?.deniedSpaces ?? []);
    if (other) return null;
    if (colon < 0 || email.toLowerCase() !== credentials.email.toLowerCase() || password !== credentials.password) {
      // Undocumented [reference]; clients treat any non-200 as bad credentials, and 401 is what to expect.
      return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="MobileIron"' }, json: errorEnvelope([], ['Bad credentials']) };
    }
    return null;
  }

  function route(req: http.IncomingMessage, url: URL): Answer {
    if (req.method !== 'GET') return { status: 405, headers: { Allow: 'GET' }, json: errorEnvelope([], ['Method not allowed']) };
    const denied = authorise(req);
    if (denied) return denied;
    const q = url.searchParams;
    if (url.pathname === '/api/v1/tenant/partition/device') return listSpaces(q);
    if (url.pathname === '/api/v1/metadata/tenant') {
      return { status: 200, json: { errors: null, result: { defaultDmPartitionId: spaces.find((s) => s.defaultSpace)!.id } } };
    }
    if (url.pathname === '/api/v1/device') return searchDevices(q);
    const detail = /^\/api\/v1\/device\/([^/]+)$/.exec(url.pathname);
    if (detail) return getDevice(decodeURIComponent(detail[1]!), q);
    return { status: 404, json: errorEnvelope([], [`No API at ${url.pathname}`]) };
  }

  function paging(q: URLSearchParams): { start: number; rows: number } | Answer {
    const start = q.has('start') ? integer(q.get('start')!) : 0;
    const rows = q.has('rows') ? integer(q.get('rows')!) : DEFAULT_ROWS;
    // The documented error body for rows > 500 [doc]; the same shape for other range errors.
    if (rows === null || rows < 1 || rows > MAX_ROWS) return { status: 400, json: errorEnvelope([{ code: 'Range', message: 'must be between 1 and 500', field: 'rows' }]) };
    if (start === null || start < 0) return { status: 400, json: errorEnvelope([{ code: 'Range', message: 'must be greater than or equal to 0', field: 'start' }]) };
    return { start, rows };
  }

  function listSpaces(q: URLSearchParams): Answer {
    if (options.systemReadOnly === false) return forbidden();
    const page = paging(q);
    if ('status' in page) return page;
    const all = spaces.map((s, i) => ({
      id: s.id,
      name: s.name,
      defaultPartition: s.defaultSpace,
      deviceCount: tenant.liveCount(s.id),
      priority: i,
      domainRule: null,
    }));
    const results = all.slice(page.start, page.start + Math.min(page.rows, SPACES_PAGE_CAP));
    return { status: 200, json: searchEnvelope(results, all.length, page.start, page.rows) };
  }

  function searchDevices(q: URLSearchParams): Answer {
    const spaceParam = q.get('dmPartitionId');
    const spaceId = spaceParam === null ? null : integer(spaceParam);
    // Undocumented: the simulator requires dmPartitionId rather than guessing a default space.
    if (spaceId === null) return { status: 400, json: errorEnvelope([{ code: 'NotNull', message: 'must not be null', field: 'dmPartitionId' }]) };
    const space = tenant.space(spaceId);
    if (!space) return { status: 400, json: errorEnvelope([{ code: 'Invalid', message: 'unknown device space', field: 'dmPartitionId' }]) };
    if (!space.deviceRead || deniedForUser.has(space.id)) return forbidden();
    const page = paging(q);
    if ('status' in page) return page;
    if ((q.get('fq') ?? '') !== '') return { status: 400, json: errorEnvelope([{ code: 'Invalid', message: 'filters are not implemented by the simulator', field: 'fq' }]) };
    if ((q.get('q') ?? '') !== '') return { status: 400, json: errorEnvelope([{ code: 'Invalid', message: 'text queries are not implemented by the simulator', field: 'q' }]) };
    const order = sortOrder(q);
    if ('status' in order) return order;
    const records = tenant.page(spaceId, page.start, page.rows, order);
    return { status: 200, json: searchEnvelope(records, tenant.liveCount(spaceId), page.start, page.rows) };
  }

  function getDevice(idText: string, q: URLSearchParams): Answer {
    const id = integer(idText);
    const spaceId = q.has('dmPartitionId') ? integer(q.get('dmPartitionId')!) : null;
    const space = spaceId === null ? null : tenant.space(spaceId);
    if (!space) return { status: 400, json: errorEnvelope([{ code: 'Invalid', message: 'unknown device space', field: 'dmPartitionId' }]) };
    if (!space.deviceRead) return forbidden();
    const found = id === null ? null : tenant.findById(id);
    if (!found || found.space.id !== space.id) return { status: 404, json: errorEnvelope([], ['Device not found']) };
    return { status: 200, json: { errors: null, result: found.record } };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const number = ++requestCount;
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const decision = plan.decide(number);
    if (decision.churn) {
      tenant.churnOnce();
      faultCounts.churn++;
    }
    const answer = route(req, url);
    const fault = applyResponseFault(decision, answer, number);
    recent.push({ number, method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), status: fault.answer.status, fault: fault.name });
    if (recent.length > 200) recent.shift();
    if (decision.slow) {
      faultCounts.slow++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          resolve();
        }, slowMs);
        pendingTimers.add(timer);
      });
      if (res.destroyed) return;
    }
    send(res, fault.answer, fault.name);
  }

  function applyResponseFault(decision: FaultDecision, answer: Answer, number: number): { answer: Answer; name: FaultName | null } {
    const name = decision.response;
    if (name === '429') {
      faultCounts['429']++;
      const dateForm = retryAfterForm === 'date' || (retryAfterForm === 'alternate' && number % 2 === 0);
      const retryAfter = dateForm ? new Date((options.now ?? Date.now)() + retryAfterSeconds * 1000).toUTCString() : String(retryAfterSeconds);
      return { name, answer: { status: 429, headers: { 'Retry-After': retryAfter }, json: errorEnvelope([], ['Too many requests']) } };
    }
    if (name === '5xx') {
      faultCounts['5xx']++;
      // A load balancer in front answers 502/503 with an HTML page: a 5xx must be retried whatever its body.
      const status = decision.serverStatus;
      return status === 500
        ? { name, answer: { status, json: errorEnvelope([], ['Internal server error']) } }
        : { name, answer: { status, text: `<html><body><h1>${status} ${http.STATUS_CODES[status]}</h1></body></html>` } };
    }
    // Breaking the body only makes sense for a JSON answer with something in it.
    if ((name === 'drop' || name === 'truncate') && answer.json !== undefined) {
      faultCounts[name]++;
      return { name, answer };
    }
    return { name: null, answer };
  }

  function send(res: http.ServerResponse, answer: Answer, fault: FaultName | null): void {
    const isJson = answer.json !== undefined;
    const body = Buffer.from(isJson ? JSON.stringify(answer.json) : (answer.text ?? ''), 'utf8');
    const headers: Record<string, string | number> = {
      'Content-Type': isJson ? 'application/json;charset=UTF-8' : 'text/html;charset=UTF-8',
      ...answer.headers,
    };
    if (fault === 'drop') {
      // Headers promise the whole body; half of it arrives, then the connection is destroyed.
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    if (fault === 'truncate') {
      // A complete HTTP message whose JSON is cut short, as a misbehaving proxy delivers it.
      const cut = body.subarray(0, Math.max(1, Math.floor(body.length * 0.6)));
      res.writeHead(answer.status, { ...headers, 'Content-Length': cut.length });
      res.end(cut);
      return;
    }
    res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(errorEnvelope([], [`simulator error: ${error instanceof Error ? error.message : String(error)}`])));
      } else res.destroy();
    });
  });
  const port = await listenOnLoopback(server, options.port);

  return {
    url: `http://127.0.0.1:${port}`,
    domain: `127.0.0.1:${port}`,
    port,
    credentials,
    spaces: () =>
      spaces.map((s) => ({ id: s.id, name: s.name, deviceCount: tenant.liveCount(s.id), deviceRead: s.deviceRead, gdpr: s.gdpr, defaultSpace: s.defaultSpace })),
    expectedDevices: (o) => tenant.devices(spaceIdsFor(o)),
    expectedGuids: (o) => mapIterable(tenant.devices(spaceIdsFor(o)), (d) => d.guid as string),
    deviceCount: (o) => spaceIdsFor(o).reduce((sum, id) => sum + tenant.liveCount(id), 0),
    setFaults: (faults) => plan.set(faults, requestCount),
    mutate: (changes) => tenant.mutate(changes),
    setDeviceRead: (spaceId, readable) => {
      const space = spaces.find((s) => s.id === spaceId);
      if (!space) throw new RangeError(`no space ${spaceId}`);
      space.deviceRead = readable;
    },
    stats: () => ({ requests: requestCount, faults: { ...faultCounts }, mutations: tenant.mutations }),
    recentRequests: () => recent.slice(),
    close: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function sortOrder(q: URLSearchParams): DeviceOrder | Answer {
    const field = q.get('sortFields[0].name');
    const direction = (q.get('sortFields[0].order') ?? 'ASC').toUpperCase();
    // Without a sort, index (registration) order, i.e. id ascending: what a Solr-backed search returns by default.
    if (field === null || field === '') return { field: 'id', descending: false };
    if (!(SORTABLE_FIELDS as readonly string[]).includes(field)) {
      return { status: 400, json: errorEnvelope([{ code: 'Invalid', message: `cannot sort on ${field} (the simulator sorts on ${SORTABLE_FIELDS.join(', ')})`, field: 'sortFields[0].name' }]) };
    }
    if (direction !== 'ASC' && direction !== 'DESC') return { status: 400, json: errorEnvelope([{ code: 'Invalid', message: 'must be ASC or DESC', field: 'sortFields[0].order' }]) };
    return { field: field as SortableField, descending: direction === 'DESC' };
  }

  function searchEnvelope(results: unknown[], totalCount: number, start: number, rows: number) {
    return {
      errors: null,
      result: {
        searchResults: results,
        totalCount,
        offset: start,
        limit: rows,
        queryTime: 5 + (hash32(seedHash, requestCount, 0x71) % 80),
        facetedResults: {},
        totalUnfilteredResultCount: 0,
      },
    };
  }
}

function forbidden(): Answer {
  // Undocumented [reference]: a missing role or a space without Device Read Only is modelled as 403.
  return { status: 403, json: errorEnvelope([], ['Access is denied']) };
}

function errorEnvelope(fieldErrors: Array<{ code: string; message: string; field: string }>, globalErrors: string[] = []) {
  return {
    errors: { globalErrors: globalErrors.length ? globalErrors.map((message) => ({ message })) : null, fieldErrors: fieldErrors.length ? fieldErrors : null },
    result: null,
  };
}

function integer(text: string): number | null {
  return /^-?\d+$/.test(text) ? Number(text) : null;
}

function* mapIterable<T, U>(source: Iterable<T>, map: (value: T) => U): Generator<U> {
  for (const value of source) yield map(value);
}
