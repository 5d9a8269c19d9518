/**
 * Test Configuration: checks the Ivanti API details one step at a time and stops at the first failure, so the admin
 * learns exactly what is wrong (the seed's "Test Configuration" button, made specific).
 *
 * Order: the domain resolves → TLS is valid → the credentials are accepted → device spaces are visible → devices
 * can be read in every space → devices per space. The password is sent only after TLS to the host has been proven.
 */
import dns from 'node:dns';
import { AppError, isAppError } from '../../../src-shared/errors';
import {
  TEST_CONFIGURATION_CHECKS,
  TEST_CONFIGURATION_TITLES,
  type SpaceAccess,
  type TestConfigurationCheck,
  type TestConfigurationResult,
  type TestConfigurationStep,
} from '../../../src-shared/domain/test-configuration';
import type { DeviceSpace } from './ivanti-wire';
import { IvantiClient, type Clock, type IvantiClientOptions } from './ivanti-client';
import { dnsError } from './ivanti-failure';
import { cancelled } from './retry-policy';

export interface IvantiConnectionDetails {
  domain: string;
  email: string;
  password: string;
}

export type HostLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface TestConfigurationDeps {
  /** Client settings (env, extra CA file, sleep, …). Defaults are tighter than a sync's: an admin is waiting. */
  client?: Omit<IvantiClientOptions, 'domain' | 'email' | 'password'>;
  /** Default: dns.promises.lookup with `all: true`, i.e. what the connection itself will use. */
  lookup?: HostLookup;
  clock?: Clock;
}

const INTERACTIVE_CLIENT_DEFAULTS = { timeoutMs: 20_000, maxRetries: 2, maxTotalWaitMs: 10_000 } as const;

const systemLookup: HostLookup = (hostname) => dns.promises.lookup(hostname, { all: true });

type Outcome = { status: 'passed' | 'skipped'; detail: string };

/** A check failed: the run stops here. */
class CheckFailed extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

/**
 * Runs every check in order, reporting each state change through `onStep` (with the full list so a UI can redraw).
 * Resolves with the full result whether the checks pass or fail; rejects only with CANCELLED when `signal` aborts.
 */
export async function runTestConfiguration(
  details: IvantiConnectionDetails,
  deps: TestConfigurationDeps,
  signal: AbortSignal,
  onStep?: (step: TestConfigurationStep, steps: readonly TestConfigurationStep[]) => void,
): Promise<TestConfigurationResult> {
  const clock = deps.clock ?? Date;
  const steps: TestConfigurationStep[] = TEST_CONFIGURATION_CHECKS.map((check) => ({
    check,
    title: TEST_CONFIGURATION_TITLES[check],
    status: 'pending',
    detail: null,
    error: null,
  }));
  const spaces: SpaceAccess[] = [];
  let failure: TestConfigurationResult['failure'] = null;
  let client: IvantiClient | null = null;

  const update = (check: TestConfigurationCheck, change: Partial<TestConfigurationStep>) => {
    const index = TEST_CONFIGURATION_CHECKS.indexOf(check);
    steps[index] = { ...steps[index]!, ...change };
    onStep?.(steps[index]!, steps.slice());
  };

  const run = async (check: TestConfigurationCheck, body: () => Promise<Outcome>) => {
    if (signal.aborted) throw cancelled();
    update(check, { status: 'running' });
    try {
      const outcome = await body();
      update(check, { status: outcome.status, detail: outcome.detail });
    } catch (error) {
      const appError = error instanceof CheckFailed ? error.error : isAppError(error) ? error : null;
      if (signal.aborted || appError?.code === 'CANCELLED') throw cancelled();
      const reported = appError ?? new AppError('INTERNAL', 'The check stopped on an unexpected error. The details are in the log file.');
      update(check, { status: 'failed', error: reported.toPayload() as TestConfigurationStep['error'] });
      failure = { check, error: reported.toPayload() as NonNullable<TestConfigurationStep['error']> };
      throw new CheckFailed(reported);
    }
  };

  try {
    let listed: DeviceSpace[] = [];
    let listError: AppError | null = null;

    await run('host-resolves', async () => {
      client = new IvantiClient({ ...INTERACTIVE_CLIENT_DEFAULTS, ...deps.client, ...details });
      const { endpoint, proxy } = client;
      if (endpoint.ipLiteral) return { status: 'skipped', detail: `${endpoint.hostname} is an IP address: there is nothing to resolve.` };
      if (proxy) return { status: 'skipped', detail: `The proxy ${proxy} resolves ${endpoint.hostname} (HTTPS_PROXY is set).` };
      const addresses = await abortable(resolve(deps.lookup ?? systemLookup, endpoint.hostname), signal);
      return { status: 'passed', detail: `${endpoint.hostname} resolves to ${addresses.map((a) => a.address).join(', ')}.` };
    });
    const ivanti = client!;

    await run('tls-valid', async () => {
      if (!ivanti.endpoint.secure) {
        return { status: 'skipped', detail: 'Not applicable (local simulator): plain http to a loopback address never leaves this computer.' };
      }
      const probe = await ivanti.probeConnection(signal);
      const tls = probe.tls;
      const certificate = tls
        ? `${tls.protocol ?? 'TLS'}, certificate for ${tls.subject ?? ivanti.endpoint.hostname}${tls.issuer ? ` issued by ${tls.issuer}` : ''}${tls.validTo ? `, valid until ${tls.validTo}` : ''}`
        : 'certificate trusted';
      return { status: 'passed', detail: `${certificate}${probe.proxy ? `, through the proxy ${probe.proxy}` : ''}.` };
    });

    await run('credentials-accepted', async () => {
      try {
        listed = await ivanti.listSpaces(signal);
      } catch (error) {
        // 403 on the spaces list means "authenticated, but without System Read Only": the next check's failure.
        if (isAppError(error) && error.code === 'IVANTI_FORBIDDEN') listError = error;
        else throw error;
      }
      return { status: 'passed', detail: `Ivanti accepted the API user ${details.email}.` };
    });

    await run('spaces-visible', async () => {
      if (listError) throw new CheckFailed(listError);
      if (listed.length === 0) {
        throw new CheckFailed(
          new AppError(
            'IVANTI_NO_SPACES',
            `The API user ${details.email} sees no device space. In Ivanti, assign it the System Read Only role and Device Read Only in at least the Default Space.`,
          ),
        );
      }
      for (const space of listed) spaces.push({ id: space.id, name: space.name, defaultSpace: space.defaultSpace, readable: null, deviceCount: null });
      return { status: 'passed', detail: `${listed.length} ${listed.length === 1 ? 'space' : 'spaces'}: ${listed.map((s) => s.name).join(', ')}.` };
    });

    await run('devices-readable', async () => {
      const forbidden: SpaceAccess[] = [];
      for (const space of spaces) {
        try {
          const page = await ivanti.searchDevices({ dmPartitionId: space.id, start: 0, rows: 1 }, signal);
          space.readable = true;
          space.deviceCount = page.totalCount;
        } catch (error) {
          if (!isAppError(error) || error.code !== 'IVANTI_SPACE_FORBIDDEN') throw error;
          space.readable = false;
          forbidden.push(space);
        }
      }
      if (forbidden.length > 0) {
        const names = forbidden.map((s) => `"${s.name}"`).join(', ');
        throw new CheckFailed(
          new AppError(
            'IVANTI_SPACE_FORBIDDEN',
            `The API user ${details.email} lacks Device Read Only in ${forbidden.length === 1 ? 'the space' : 'the spaces'} ${names}, so devices there would never sync. In Ivanti: Users → the API user → Assign Roles → Device Read Only, and select ${forbidden.length === 1 ? 'that space' : 'those spaces'} under spaces and partitions.`,
            { spaces: forbidden.map((s) => ({ id: s.id, name: s.name })) },
          ),
        );
      }
      return { status: 'passed', detail: `Devices are readable in ${spaces.length === 1 ? 'the space' : `all ${spaces.length} spaces`}.` };
    });

    await run('device-count', async () => {
      const total = spaces.reduce((sum, s) => sum + (s.deviceCount ?? 0), 0);
      const each = spaces.map((s) => `${s.name}: ${formatCount(s.deviceCount ?? 0)}`).join('; ');
      const empty = total === 0 ? ' No devices yet: enrol a device, or check that the API user has the spaces your devices are in.' : '';
      return { status: 'passed', detail: `${formatCount(total)} ${total === 1 ? 'device' : 'devices'} (${each}).${empty}` };
    });
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
  } finally {
    (client as IvantiClient | null)?.close();
  }

  return {
    ok: failure === null,
    domain: details.domain,
    finishedAt: clock.now(),
    steps,
    spaces,
    failure,
  };
}

async function resolve(lookup: HostLookup, hostname: string): Promise<Array<{ address: string; family: number }>> {
  try {
    const addresses = await lookup(hostname);
    if (addresses.length === 0) throw Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' });
    return addresses;
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    throw dnsError(hostname, typeof code === 'string' ? code : 'ENOTFOUND');
  }
}

/** dns.lookup cannot be aborted; stop waiting for it instead. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
