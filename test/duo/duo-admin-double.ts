/**
 * A loopback Duo Admin API for tests and the demo, following ../shared/reference/duo-admin-api.md (§7 is its checklist).
 *
 * It checks every request's signature with its own reading of the documented canonical request (not the console's
 * signer, not the SDK's code): v2 with HMAC-SHA1 or HMAC-SHA512, and v5. Its data is derived from the Ivanti
 * simulator's device records, so both sides share the same people. Where the reference says [unknown] the choice is
 * written beside the code. Faults reuse the Ivanti simulator's FaultPlan (429, 5xx, drop, truncate, slow).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { FaultPlan, type FaultSettings } from '../simulator/fault-plan';
import { hash32, hashText, unit } from '../simulator/seeded-random';
import { listenOnLoopback } from '../support/listen-on-loopback';

export interface DuoDoubleCredentials {
  integrationKey: string;
  secretKey: string;
}

export const DUO_DEMO_CREDENTIALS: DuoDoubleCredentials = {
  integrationKey: 'DIDOUBLE0000DEMO0001',
  secretKey: 'duo-double-demo-secret-key-0000000000000',
};

export interface DuoDoubleOptions {
  /** The Ivanti simulator's records (RunningSimulator.expectedDevices()); the double's users are theirs. */
  ivantiDevices: Iterable<Record<string, unknown>>;
  /** How many distinct Ivanti users become Duo users. Default 40. */
  users?: number;
  seed?: string;
  credentials?: DuoDoubleCredentials;
  port?: number;
  faults?: FaultSettings;
  /** Premier accounts get `trusted_endpoint` and the device_* fields; others get neither (reference §4). Default true. */
  premier?: boolean;
  /** The application's permissions. Default: read resource granted, read information granted. */
  readResource?: boolean;
  readInformation?: boolean;
  /** The double's clock (epoch ms); tests move it to make the console's clock look wrong. Default Date.now. */
  now?: () => number;
  /** Allowed difference between the request Date and the double's clock. Duo's window is [unknown]; 5 min here. */
  maxSkewMs?: number;
  /** More requests than this within one second are answered 429/42901 ("bursts"). Default 40. */
  burstLimit?: number;
}

export interface DuoDoubleUser {
  user_id: string;
  username: string;
  realname: string;
  email: string;
  status: string;
  alias1: string | null;
  aliases: Record<string, string>;
  is_enrolled: boolean;
  groups: Array<{ group_id: string; name: string }>;
}

export interface DuoDoubleGroup {
  group_id: string;
  name: string;
  desc: string;
  status: 'Active';
  members: string[];
}

export interface DuoDoubleEndpoint extends Record<string, unknown> {
  epkey: string;
  username: string;
  email: string;
  os_family: string;
  os_version: string;
  model: string;
  /** Which Ivanti device this endpoint is (guid): for tests only, never served. */
  ivantiGuid: string;
}

export interface RunningDuoDouble {
  url: string;
  /** What an admin enters as the API hostname: `127.0.0.1:PORT` (loopback hosts use plain http). */
  apiHostname: string;
  port: number;
  credentials: DuoDoubleCredentials;
  users(): DuoDoubleUser[];
  groups(): DuoDoubleGroup[];
  endpoints(): DuoDoubleEndpoint[];
  setFaults(faults: FaultSettings): void;
  /** What an admin renaming a group in the Duo Admin Panel does: the group keeps its id and members. */
  renameGroup(groupId: string, name: string): void;
  /** Switches at run time: permissions, the Premier plan. */
  configure(change: Pick<DuoDoubleOptions, 'premier' | 'readResource' | 'readInformation'>): void;
  /** Every request seen: path, query, status and the signature version it carried. */
  requests(): Array<{ path: string; query: Record<string, string>; status: number; signature: 'v2-sha1' | 'v2-sha512' | 'v5' | null }>;
  close(): Promise<void>;
}

/** Default and maximum `limit` per list endpoint (reference §3). */
const PAGING: Record<string, { default: number; max: number }> = {
  users: { default: 100, max: 300 },
  groups: { default: 100, max: 100 },
  groupUsers: { default: 100, max: 500 },
  endpoints: { default: 100, max: 500 },
};

export const PILOT_GROUP_NAME = 'Trusted Endpoints Pilot';

interface Answer {
  status: number;
  json?: unknown;
  text?: string;
}

export async function startDuoDouble(options: DuoDoubleOptions): Promise<RunningDuoDouble> {
  const seedHash = hashText(options.seed ?? 'duo');
  const credentials = options.credentials ?? DUO_DEMO_CREDENTIALS;
  const now = options.now ?? Date.now;
  const maxSkewMs = options.maxSkewMs ?? 5 * 60_000;
  const burstLimit = options.burstLimit ?? 40;
  const switches = { premier: options.premier ?? true, readResource: options.readResource ?? true, readInformation: options.readInformation ?? true };
  const { users, groups, endpoints } = buildAccount(options.ivantiDevices, options.users ?? 40, seedHash);
  let requestCount = 0;
  const plan = new FaultPlan(seedHash, options.faults ?? {}, 0);
  const log: ReturnType<RunningDuoDouble['requests']> = [];
  const recentTimes: number[] = [];

  function fail(status: number, code: number, message: string, detail?: string): Answer {
    // Duo's failure envelope; HTTP status = the code's first three digits (reference §1).
    return { status, json: { stat: 'FAIL', code, message, ...(detail ? { message_detail: detail } : {}) } };
  }

  function authenticate(req: http.IncomingMessage, url: URL, host: string): { answer: Answer | null; version: ReturnType<RunningDuoDouble['requests']>[number]['signature'] } {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!match) return { answer: fail(401, 40101, 'Missing request credentials'), version: null };
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const ikey = colon < 0 ? decoded : decoded.slice(0, colon);
    const signature = (colon < 0 ? '' : decoded.slice(colon + 1)).toLowerCase();
    if (ikey !== credentials.integrationKey) return { answer: fail(401, 40102, 'Invalid integration key in request credentials'), version: null };
    // X-Duo-Date may replace Date (reference §1); precedence when both are sent is [unknown]: X-Duo-Date wins here.
    const dateText = headerText(req.headers['x-duo-date']) ?? headerText(req.headers.date);
    const dateMs = dateText && /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} /.test(dateText) ? Date.parse(dateText) : Number.NaN;
    if (!dateText || Number.isNaN(dateMs)) return { answer: fail(401, 40104, 'Missing request timestamp'), version: null };
    const params = [...url.searchParams.entries()];
    const base = [dateText, (req.method ?? 'GET').toUpperCase(), host.toLowerCase(), url.pathname, canonParams(params)];
    const candidates: Array<{ version: 'v2-sha1' | 'v2-sha512' | 'v5'; expected: string }> =
      signature.length === 40
        ? [{ version: 'v2-sha1', expected: hmac('sha1', base.join('\n')) }]
        : [
            { version: 'v2-sha512', expected: hmac('sha512', base.join('\n')) },
            // GET: no body, no extra X-Duo-* headers this double looks at.
            { version: 'v5', expected: hmac('sha512', [...base, sha512(''), sha512('')].join('\n')) },
          ];
    const hit = candidates.find((c) => safeEqual(c.expected, signature));
    if (!hit) return { answer: fail(401, 40103, 'Invalid signature in request credentials'), version: null };
    // Duo's code for a well-formed but stale date is [unknown]. Choice: 401 with 40105, after the signature check,
    // so only the Date header (which the client compares with its clock) tells the console what is wrong.
    if (Math.abs(now() - dateMs) > maxSkewMs) return { answer: fail(401, 40105, 'Request has expired', 'Date'), version: hit.version };
    return { answer: null, version: hit.version };
  }

  function hmac(algorithm: 'sha1' | 'sha512', text: string): string {
    return createHmac(algorithm, credentials.secretKey).update(text, 'utf8').digest('hex');
  }

  function route(url: URL): Answer {
    const path = url.pathname;
    if (path === '/admin/v1/info/summary') {
      if (!switches.readInformation) return fail(403, 40301, 'Access forbidden', 'This integration lacks the required permission');
      return { status: 200, json: { stat: 'OK', response: { admin_count: 3, integration_count: 4, telephony_credits_remaining: 960, user_count: users.length } } };
    }
    if (!switches.readResource && /^\/admin\/v[12]\/(users|groups|endpoints)/.test(path)) {
      return fail(403, 40301, 'Access forbidden', 'This integration lacks the required permission');
    }
    if (path === '/admin/v1/users') return page(url, 'users', users.map(publicUser));
    if (path === '/admin/v1/groups') return page(url, 'groups', groups.map(publicGroup));
    if (path === '/admin/v1/endpoints') return page(url, 'endpoints', endpoints.map(publicEndpoint));
    const members = /^\/admin\/v2\/groups\/([^/]+)\/users$/.exec(path);
    if (members) {
      const group = groups.find((g) => g.group_id === decodeURIComponent(members[1]!));
      if (!group) return fail(404, 40401, 'Resource not found');
      const list = group.members.map((id) => users.find((u) => u.user_id === id)!).map((u) => ({ user_id: u.user_id, username: u.username }));
      return page(url, 'groupUsers', list);
    }
    return fail(404, 40401, 'Resource not found');
  }

  function page(url: URL, kind: keyof typeof PAGING, all: unknown[]): Answer {
    const limits = PAGING[kind]!;
    const limitText = url.searchParams.get('limit');
    const offsetText = url.searchParams.get('offset');
    if ((limitText !== null && !/^\d+$/.test(limitText)) || (offsetText !== null && !/^\d+$/.test(offsetText)) || limitText === '0') {
      return fail(400, 40002, 'Invalid request parameters', limitText !== null && !/^[1-9]\d*$/.test(limitText) ? 'limit' : 'offset');
    }
    // A limit above the maximum is clamped (reference §3).
    const limit = Math.min(limitText === null ? limits.default : Number(limitText), limits.max);
    const offset = offsetText === null ? 0 : Number(offsetText);
    const slice = all.slice(offset, offset + limit);
    // No metadata at all when everything fits in one default page, asked without paging parameters.
    if (limitText === null && offsetText === null && all.length <= limits.default) return { status: 200, json: { stat: 'OK', response: slice } };
    const metadata: Record<string, number> = { total_objects: all.length };
    if (offset + limit < all.length) metadata.next_offset = offset + limit;
    if (offset > 0) metadata.prev_offset = Math.max(0, offset - limit);
    return { status: 200, json: { stat: 'OK', response: slice, metadata } };
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const number = ++requestCount;
    const url = new URL(req.url ?? '/', 'http://duo-double.invalid');
    const host = headerText(req.headers.host) ?? '';
    let answer: Answer;
    let version: ReturnType<RunningDuoDouble['requests']>[number]['signature'] = null;
    const decision = plan.decide(number);
    const at = now();
    recentTimes.push(at);
    while (recentTimes.length > 0 && recentTimes[0]! <= at - 1000) recentTimes.shift();
    if (req.method !== 'GET') answer = fail(405, 40501, 'Method not allowed');
    else {
      const auth = authenticate(req, url, host);
      version = auth.version;
      if (auth.answer) answer = auth.answer;
      // Duo sends no Retry-After with 42901 (reference §3); neither does the double.
      else if (decision.response === '429' || recentTimes.length > burstLimit) answer = fail(429, 42901, 'Too Many Requests');
      else if (decision.response === '5xx') answer = { status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
      else answer = route(url);
    }
    log.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), status: answer.status, signature: version });
    if (log.length > 500) log.shift();
    const isJson = answer.json !== undefined;
    const body = Buffer.from(isJson ? JSON.stringify(answer.json) : (answer.text ?? ''), 'utf8');
    // Duo's Date header is what the console compares with its clock to diagnose skew.
    const headers = { 'Content-Type': isJson ? 'application/json' : 'text/html', Date: new Date(at).toUTCString() };
    if (decision.response === 'truncate' && isJson) {
      const cut = body.subarray(0, Math.max(1, Math.floor(body.length * 0.6)));
      res.writeHead(answer.status, { ...headers, 'Content-Length': cut.length });
      res.end(cut);
      return;
    }
    if (decision.response === 'drop') {
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
    res.end(body);
  }

  function publicEndpoint(endpoint: DuoDoubleEndpoint): Record<string, unknown> {
    const { ivantiGuid: _hidden, ...served } = endpoint;
    if (switches.premier) return served;
    const { trusted_endpoint: _t, device_identifier: _i, device_identifier_type: _it, device_udid: _u, device_username: _du, device_username_type: _dut, ...rest } = served;
    return rest;
  }

  // Node adds a Date header only when none is set: the double's (possibly moved) clock is the one sent.
  const server = http.createServer(handle);
  const port = await listenOnLoopback(server, options.port);
  return {
    url: `http://127.0.0.1:${port}`,
    apiHostname: `127.0.0.1:${port}`,
    port,
    credentials,
    users: () => users.map((u) => ({ ...u })),
    groups: () => groups.map((g) => ({ ...g, members: [...g.members] })),
    endpoints: () => endpoints.map((e) => ({ ...e })),
    setFaults: (faults) => plan.set(faults, requestCount),
    renameGroup: (groupId, name) => {
      const group = groups.find((g) => g.group_id === groupId);
      if (!group) throw new Error(`The Duo double has no group ${groupId}.`);
      group.name = name;
    },
    configure: (change) => Object.assign(switches, Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined))),
    requests: () => log.slice(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The double's own canonical parameter string: keys sorted, bytes outside A-Za-z0-9_.~- as upper-case %XX. */
function canonParams(params: Array<[string, string]>): string {
  const encode = (text: string) =>
    [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return params
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function sha512(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

/** Hex compared case-insensitively (reference §1), in constant time. */
function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

function headerText(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function publicUser(user: DuoDoubleUser): Record<string, unknown> {
  return { ...user, alias2: null, alias3: null, alias4: null, phones: [], tokens: [] };
}

function publicGroup(group: DuoDoubleGroup): Record<string, unknown> {
  const { members: _m, ...rest } = group;
  return { ...rest, push_enabled: false, sms_enabled: false, voice_enabled: false, mobile_otp_enabled: false };
}

/**
 * Users: the first `count` distinct Ivanti users, Duo username = the part of Ivanti's `uid` before the @, email =
 * Ivanti's emailAddress, alias1 = the full uid for every third user (so matching by alias is exercised).
 * Endpoints: one per Android/iOS device of those users. trusted_endpoint is "yes" when the Ivanti device is active
 * and "no" otherwise, except for seeded disagreements (about one in eight devices flips). Certificate-trusted iOS
 * endpoints (about one in three iOS devices) carry device_udid = the Ivanti `udid`, the only documented join key.
 */
function buildAccount(devices: Iterable<Record<string, unknown>>, count: number, seedHash: number) {
  const users: DuoDoubleUser[] = [];
  const byEmail = new Map<string, DuoDoubleUser>();
  const endpoints: DuoDoubleEndpoint[] = [];
  for (const device of devices) {
    const uid = typeof device.uid === 'string' ? device.uid : null;
    if (!uid || uid.includes('*')) continue; // GDPR-obfuscated records name nobody.
    let user = byEmail.get(uid.toLowerCase());
    if (!user) {
      if (users.length >= count) continue;
      const n = users.length;
      user = {
        user_id: `DU${(hash32(seedHash, n, 0x11) >>> 0).toString(36).toUpperCase().padStart(7, '0')}${String(n).padStart(6, '0')}`.slice(0, 20),
        username: uid.split('@')[0]!,
        realname: typeof device.displayName === 'string' ? device.displayName : uid,
        email: typeof device.emailAddress === 'string' ? device.emailAddress : uid,
        status: 'active',
        alias1: n % 3 === 0 ? uid : null,
        aliases: n % 3 === 0 ? { alias1: uid } : {},
        is_enrolled: true,
        groups: [],
      };
      users.push(user);
      byEmail.set(uid.toLowerCase(), user);
    }
    const platform = device.platformType;
    if (platform !== 'ANDROID' && platform !== 'IOS') continue;
    const index = endpoints.length;
    const draw = unit(hash32(seedHash, index, 0xe9));
    const active = device.registrationState === 'ACTIVE';
    const disagree = draw < 0.125;
    const trusted = active !== disagree;
    const ios = platform === 'IOS';
    const certificate = ios && unit(hash32(seedHash, index, 0xce)) < 0.34;
    endpoints.push({
      epkey: `EP${(hash32(seedHash, index, 0xe7) >>> 0).toString(36).toUpperCase().padStart(7, '0')}${String(index).padStart(8, '0')}`.slice(0, 20),
      username: user.username,
      email: user.email,
      os_family: ios ? 'iOS' : 'Android',
      os_version: String((device.platformVersion as string | number | undefined) ?? ''),
      os_build: String((device.osBuildVersion as string | number | undefined) ?? ''),
      model: String((device.prettyModel as string | number | undefined) ?? ''),
      type: ios ? 'Mobile' : 'Mobile',
      device_name: '',
      last_updated: Math.floor(Number(device.lastCheckin ?? 0) / 1000) || null,
      trusted_endpoint: trusted ? 'yes' : 'no',
      device_identifier: certificate ? String((device.udid as string | number | undefined) ?? '') : '',
      device_identifier_type: certificate ? 'device_udid' : '',
      device_udid: certificate ? String((device.udid as string | number | undefined) ?? '') : '',
      device_id: '',
      device_username: '',
      device_username_type: '',
      ivantiGuid: String(device.guid),
    });
  }
  const pilot: DuoDoubleGroup = { group_id: 'DGPILOT000000000001', name: PILOT_GROUP_NAME, desc: 'Users who try Trusted Endpoints first', status: 'Active', members: [] };
  const staff: DuoDoubleGroup = { group_id: 'DGSTAFF000000000002', name: 'All Staff', desc: 'Everyone', status: 'Active', members: [] };
  const mobile: DuoDoubleGroup = { group_id: 'DGMOBILE00000000003', name: 'Mobile Pilot (synced from AD)', desc: 'Directory group', status: 'Active', members: [] };
  users.forEach((user, n) => {
    staff.members.push(user.user_id);
    if (n % 4 === 0) pilot.members.push(user.user_id);
    if (n % 5 === 1) mobile.members.push(user.user_id);
  });
  const groups = [pilot, staff, mobile];
  for (const group of groups) for (const id of group.members) users.find((u) => u.user_id === id)!.groups.push({ group_id: group.group_id, name: group.name });
  return { users, groups, endpoints };
}
