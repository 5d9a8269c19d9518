/**
 * The optional, read-only Duo Admin API connection: saving it (secret key to the keychain only), testing it one check
 * at a time, and reading groups with their members, users and endpoints into the local copy (DuoStore).
 *
 * The console never writes to Duo: every call here is a GET. Invariant: the secret key goes from the keychain to the
 * DuoClient and nowhere else; nothing this service returns or records holds it.
 */
import dns from 'node:dns';
import { AppError, isAppError } from '../../../src-shared/errors';
import {
  DUO_TEST_CHECKS,
  DUO_TEST_TITLES,
  type DuoConnection,
  type DuoGroup,
  type DuoProgress,
  type DuoRead,
  type DuoReadKind,
  type DuoReadSummary,
  type DuoTestCheck,
  type DuoTestResult,
  type DuoTestStep,
} from '../../../src-shared/domain/duo';
import type { AuditLog } from '../audit/audit-log';
import { secretAccount, type SecretStore } from '../secrets/secret-store';
import { cancelled } from '../ivanti/retry-policy';
import { DuoClient, type DuoClientOptions } from './duo-client';
import { parseDuoEndpoint } from './duo-endpoint';
import { CLOCK_SKEW_TOLERANCE_MS, clockSkewError, duoDnsError } from './duo-failure';
import type { DuoEndpointRow, DuoStore, DuoUserRow } from './duo-store';

export type HostLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface DuoServiceDeps {
  store: DuoStore;
  secrets: SecretStore;
  audit: AuditLog;
  now: () => Date;
  actor: string;
  /** Client settings for tests (sleep, clock, env); the credentials come from the saved connection. */
  client?: Omit<DuoClientOptions, 'apiHostname' | 'integrationKey' | 'secretKey'>;
  lookup?: HostLookup;
}

/** Page sizes asked for: each list's documented maximum (reference §3); Duo clamps anything above. */
const PAGE = { users: 300, groups: 100, groupUsers: 500, endpoints: 500 } as const;
const INTERACTIVE = { timeoutMs: 15_000, maxRetries: 3, maxTotalWaitMs: 10_000 } as const;

class CheckFailed extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

export class DuoService {
  #reading: AbortController | null = null;

  constructor(private readonly deps: DuoServiceDeps) {}

  async connection(): Promise<DuoConnection | null> {
    const stored = this.deps.store.connection();
    if (!stored) return null;
    return {
      apiHostname: stored.apiHostname,
      integrationKey: stored.integrationKey,
      hasSecretKey: await this.deps.secrets.has(stored.secretRef),
      updatedAt: stored.updatedAt,
      reads: this.deps.store.reads(),
      counts: this.deps.store.counts(),
    };
  }

  async connect(input: { apiHostname: string; integrationKey: string; secretKey?: string }): Promise<DuoConnection> {
    const endpoint = parseDuoEndpoint(input.apiHostname);
    const apiHostname = endpoint.loopback || endpoint.port !== 443 || !endpoint.secure ? input.apiHostname.trim() : endpoint.hostname;
    const integrationKey = input.integrationKey.trim();
    const previous = this.deps.store.connection();
    const secretRef = secretAccount.duoSecretKey();
    const secretKey = input.secretKey?.trim();
    if (!secretKey && !(previous && (await this.deps.secrets.has(secretRef)))) {
      throw new AppError('VALIDATION_FAILED', 'Enter the secret key of the Admin API application (Duo Admin Panel → Applications → the Admin API application).');
    }
    if (secretKey) await this.deps.secrets.set(secretRef, secretKey);
    const otherAccount = previous !== null && (previous.apiHostname !== apiHostname || previous.integrationKey !== integrationKey);
    if (otherAccount) this.deps.store.clearCopies();
    this.deps.store.saveConnection({ apiHostname, integrationKey, secretRef }, this.deps.now().getTime());
    this.deps.audit.append({
      actor: this.deps.actor,
      action: previous ? 'duo.connection.updated' : 'duo.connection.created',
      target: apiHostname,
      details: { apiHostname, integrationKey, secretKeyChanged: secretKey !== undefined },
    });
    return (await this.connection())!;
  }

  async disconnect(): Promise<void> {
    this.#reading?.abort();
    await this.deps.secrets.delete(secretAccount.duoSecretKey());
    const previous = this.deps.store.connection();
    this.deps.store.forget();
    if (previous) this.deps.audit.append({ actor: this.deps.actor, action: 'duo.connection.removed', target: previous.apiHostname, details: {} });
  }

  groups(): DuoGroup[] {
    return this.deps.store.groups();
  }

  /** Runs every check in order and stops at the first failure; resolves with the result, rejects only on cancel. */
  async test(signal: AbortSignal, onStep?: (step: DuoTestStep) => void): Promise<DuoTestResult> {
    const steps: DuoTestStep[] = DUO_TEST_CHECKS.map((check) => ({ check, title: DUO_TEST_TITLES[check], status: 'pending', detail: null, error: null }));
    let failure: DuoTestResult['failure'] = null;
    const update = (check: DuoTestCheck, change: Partial<DuoTestStep>) => {
      const index = DUO_TEST_CHECKS.indexOf(check);
      steps[index] = { ...steps[index]!, ...change };
      onStep?.(steps[index]!);
    };
    const run = async (check: DuoTestCheck, body: () => Promise<{ status: 'passed' | 'skipped'; detail: string }>) => {
      if (signal.aborted) throw cancelled();
      update(check, { status: 'running' });
      try {
        const outcome = await body();
        update(check, outcome);
      } catch (error) {
        const appError = error instanceof CheckFailed ? error.error : isAppError(error) ? error : null;
        if (signal.aborted || appError?.code === 'CANCELLED') throw cancelled();
        const reported = appError ?? new AppError('INTERNAL', 'The check stopped on an unexpected error. The details are in the log file.');
        update(check, { status: 'failed', error: reported.toPayload() as DuoTestStep['error'] });
        failure = { check, error: reported.toPayload() as NonNullable<DuoTestStep['error']> };
        throw new CheckFailed(reported);
      }
    };
    const client = await this.#client(INTERACTIVE);
    let forbidden: AppError | null = null;
    try {
      await run('host-resolves', async () => {
        const { endpoint, proxy } = client;
        if (endpoint.ipLiteral) return { status: 'skipped', detail: `${endpoint.hostname} is an IP address: there is nothing to resolve.` };
        if (proxy) return { status: 'skipped', detail: `The proxy ${proxy} resolves ${endpoint.hostname} (HTTPS_PROXY is set).` };
        const lookup = this.deps.lookup ?? ((host: string) => dns.promises.lookup(host, { all: true }));
        let addresses: Array<{ address: string }>;
        try {
          addresses = await lookup(endpoint.hostname);
          if (addresses.length === 0) throw Object.assign(new Error('none'), { code: 'ENOTFOUND' });
        } catch (error) {
          const code = (error as { code?: unknown })?.code;
          throw duoDnsError(endpoint.hostname, typeof code === 'string' ? code : 'ENOTFOUND');
        }
        return { status: 'passed', detail: `${endpoint.hostname} resolves to ${addresses.map((a) => a.address).join(', ')}.` };
      });
      let skewMs: number | null = null;
      await run('tls-valid', async () => {
        // Unsigned: proves the route and TLS and reads Duo's clock before any signed request is sent.
        const probe = await client.probe(signal);
        skewMs = probe.skewMs;
        if (!client.endpoint.secure) return { status: 'skipped', detail: 'Not applicable (local Duo double): plain http to a loopback address never leaves this computer.' };
        const tls = probe.tls;
        return { status: 'passed', detail: `${tls?.protocol ?? 'TLS'}, certificate for ${tls?.subject ?? client.endpoint.hostname}${tls?.issuer ? ` issued by ${tls.issuer}` : ''}${probe.proxy ? `, through the proxy ${probe.proxy}` : ''}.` };
      });
      await run('clock-agrees', async () => {
        if (skewMs === null) return { status: 'skipped', detail: 'Duo\'s answer had no Date header to compare with.' };
        if (Math.abs(skewMs) > CLOCK_SKEW_TOLERANCE_MS) throw clockSkewError(skewMs, 'test the connection');
        return { status: 'passed', detail: `Within ${Math.max(1, Math.round(Math.abs(skewMs) / 1000))} s of Duo's clock (from the Date header of Duo's answer).` };
      });
      await run('credentials-accepted', async () => {
        try {
          await client.get('list users', '/admin/v1/users', [['limit', '1'], ['offset', '0']], signal);
        } catch (error) {
          // 403 means the signature was accepted but the application lacks the permission: the next check's failure.
          if (isAppError(error) && error.code === 'DUO_PERMISSION_MISSING') forbidden = error;
          else throw error;
        }
        return { status: 'passed', detail: `Duo accepted the integration key ${client.integrationKey} and the request signature.` };
      });
      await run('read-permission', async () => {
        if (forbidden) throw new CheckFailed(forbidden);
        await client.get('list endpoints', '/admin/v1/endpoints', [['limit', '1'], ['offset', '0']], signal);
        return { status: 'passed', detail: 'Users, groups and endpoints are readable ("Grant read resource").' };
      });
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
    } finally {
      client.close();
    }
    return { ok: failure === null, apiHostname: client.endpoint.signedHost, finishedAt: this.deps.now().getTime(), steps, failure };
  }

  /**
   * Reads groups (and each group's members), users and endpoints, in that order. Each list that completes replaces its
   * copy at once; a list that fails or is cancelled keeps the previous copy and the rest are not tried.
   */
  async read(signal: AbortSignal | undefined, onProgress?: (progress: DuoProgress) => void): Promise<DuoReadSummary> {
    if (this.#reading) throw new AppError('DUO_READ_RUNNING', 'A read from Duo is already running. Wait for it, or cancel it.');
    const controller = new AbortController();
    const onCancel = () => controller.abort();
    signal?.addEventListener('abort', onCancel, { once: true });
    this.#reading = controller;
    const reads: DuoRead[] = [];
    let waiting: string | null = null;
    let kind: DuoReadKind = 'groups';
    let lastFetched = 0;
    const progress = (fetched: number, total: number | null) => {
      lastFetched = fetched;
      onProgress?.({ kind, fetched, total, waiting });
    };
    const client = await this.#client({
      onRetry: (event) => {
        waiting = `Duo is ${event.code === 'DUO_RATE_LIMITED' ? 'rate-limiting' : 'not answering'}, retrying in ${Math.ceil(event.delayMs / 1000)} s`;
        onProgress?.({ kind, fetched: lastFetched, total: null, waiting });
      },
    });
    try {
      for (const next of ['groups', 'users', 'endpoints'] as const) {
        kind = next;
        waiting = null;
        lastFetched = 0;
        const startedAt = this.deps.now().getTime();
        try {
          const fetchedAt = startedAt;
          if (kind === 'groups') {
            const groups = await this.#readGroups(client, controller.signal, progress);
            if (controller.signal.aborted) throw cancelled();
            this.deps.store.replaceGroups(groups, fetchedAt, this.#done(kind, startedAt, groups.length));
            reads.push(this.#done(kind, startedAt, groups.length));
          } else if (kind === 'users') {
            const raw = await client.list('list users', '/admin/v1/users', PAGE.users, controller.signal, progress);
            if (controller.signal.aborted) throw cancelled();
            const users = raw.map(toUserRow).filter((u): u is DuoUserRow => u !== null);
            this.deps.store.replaceUsers(users, fetchedAt, this.#done(kind, startedAt, users.length));
            reads.push(this.#done(kind, startedAt, users.length));
          } else {
            const raw = await client.list('list endpoints', '/admin/v1/endpoints', PAGE.endpoints, controller.signal, progress);
            if (controller.signal.aborted) throw cancelled();
            const endpoints = raw.map(toEndpointRow).filter((e): e is DuoEndpointRow => e !== null);
            this.deps.store.replaceEndpoints(endpoints, fetchedAt, this.#done(kind, startedAt, endpoints.length));
            reads.push(this.#done(kind, startedAt, endpoints.length));
          }
        } catch (error) {
          const payload = isAppError(error) ? error : new AppError('INTERNAL', 'The read stopped on an unexpected error. The details are in the log file.');
          const read: DuoRead = {
            kind,
            status: payload.code === 'CANCELLED' ? 'cancelled' : 'failed',
            startedAt,
            finishedAt: this.deps.now().getTime(),
            count: null,
            error: { code: payload.code, message: payload.message },
          };
          this.deps.store.recordRead(read);
          reads.push(read);
          break;
        }
      }
    } finally {
      client.close();
      signal?.removeEventListener('abort', onCancel);
      this.#reading = null;
    }
    return { ok: reads.length === 3 && reads.every((r) => r.status === 'completed'), reads };
  }

  cancelRead(): void {
    this.#reading?.abort();
  }

  #done(kind: DuoReadKind, startedAt: number, count: number): DuoRead {
    return { kind, status: 'completed', startedAt, finishedAt: this.deps.now().getTime(), count, error: null };
  }

  async #readGroups(client: DuoClient, signal: AbortSignal, progress: (fetched: number, total: number | null) => void): Promise<DuoGroup[]> {
    const raw = await client.list('list groups', '/admin/v1/groups', PAGE.groups, signal, progress);
    const groups: DuoGroup[] = [];
    for (const item of raw) {
      const g = item as Record<string, unknown>;
      const groupId = text(g.group_id);
      if (!groupId) continue;
      const members = await client.list(`list the members of group "${text(g.name) ?? groupId}"`, `/admin/v2/groups/${encodeURIComponent(groupId)}/users`, PAGE.groupUsers, signal);
      groups.push({
        groupId,
        name: text(g.name) ?? groupId,
        description: text(g.desc),
        status: text(g.status),
        members: members
          .map((m) => m as Record<string, unknown>)
          .filter((m) => text(m.user_id) !== null)
          .map((m) => ({ userId: text(m.user_id)!, username: text(m.username) })),
      });
      progress(groups.length, raw.length);
    }
    return groups;
  }

  async #client(options: Partial<DuoClientOptions>): Promise<DuoClient> {
    const stored = this.deps.store.connection();
    if (!stored) {
      throw new AppError('DUO_NOT_CONFIGURED', 'No Duo Admin API connection is set. Add one in Settings → Duo Admin API, or with "tec duo connect".');
    }
    const secretKey = await this.deps.secrets.get(stored.secretRef);
    if (!secretKey) {
      throw new AppError('SECRET_NOT_FOUND', 'The Duo secret key is not in the keychain any more. Enter it again in Settings → Duo Admin API.');
    }
    return new DuoClient({ ...this.deps.client, ...options, apiHostname: stored.apiHostname, integrationKey: stored.integrationKey, secretKey });
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

function toUserRow(item: unknown): DuoUserRow | null {
  const u = item as Record<string, unknown>;
  const userId = text(u.user_id);
  const username = text(u.username);
  if (!userId || !username) return null;
  const aliases = new Set<string>();
  for (const key of ['alias1', 'alias2', 'alias3', 'alias4']) if (text(u[key])) aliases.add(text(u[key])!);
  if (u.aliases && typeof u.aliases === 'object') for (const v of Object.values(u.aliases as Record<string, unknown>)) if (text(v)) aliases.add(text(v)!);
  return { userId, username, realname: text(u.realname), email: text(u.email), status: text(u.status), aliases: [...aliases] };
}

const TRUST_VALUES = new Set(['yes', 'no', 'unknown']);

function toEndpointRow(item: unknown): DuoEndpointRow | null {
  const e = item as Record<string, unknown>;
  const epkey = text(e.epkey);
  if (!epkey) return null;
  const trusted = typeof e.trusted_endpoint === 'string' ? e.trusted_endpoint.toLowerCase() : null;
  const lastUpdated = typeof e.last_updated === 'number' ? e.last_updated : typeof e.last_updated === 'string' && /^\d+$/.test(e.last_updated) ? Number(e.last_updated) : null;
  return {
    epkey,
    username: text(e.username),
    email: text(e.email),
    osFamily: text(e.os_family),
    osVersion: text(e.os_version),
    model: text(e.model),
    deviceName: text(e.device_name),
    // Absent (non-Premier) stays null; an unexpected value is kept as "unknown" rather than guessed.
    trustedEndpoint: trusted === null ? null : TRUST_VALUES.has(trusted) ? (trusted as 'yes' | 'no' | 'unknown') : 'unknown',
    deviceIdentifier: text(e.device_identifier),
    deviceIdentifierType: text(e.device_identifier_type),
    deviceUdid: text(e.device_udid),
    lastUpdated,
  };
}

