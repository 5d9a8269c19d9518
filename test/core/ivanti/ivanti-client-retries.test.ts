import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { IvantiClient, type IvantiClientOptions, type IvantiRetryEvent } from '../../../src-main/core/ivanti/ivanti-client';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/ivanti-simulator';
import { closeAfterEach } from './close-after-each';
import { recordingSleep } from './recording-sleep';
import { rejectionOf } from './rejection-of';
import { until } from '../../support/until';

const track = closeAfterEach();

/** 2026-11-28T12:00:00Z: a whole second, so an HTTP-date Retry-After converts to an exact delay. */
const PINNED_NOW = Date.UTC(2026, 10, 28, 12);

async function simulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ devices: 300, seed: 'retries', now: () => PINNED_NOW, ...options });
  track(sim);
  return sim;
}

function clientFor(sim: RunningSimulator, options: Partial<IvantiClientOptions>): IvantiClient {
  const client = new IvantiClient({ domain: sim.domain, ...sim.credentials, env: {}, clock: { now: () => PINNED_NOW }, random: () => 0.5, ...options });
  track(client);
  return client;
}

const search = { dmPartitionId: 33533, start: 0, rows: 100 };


describe('IvantiClient retries', () => {
  it('waits the Retry-After seconds of a 429 and then succeeds', async () => {
    const sim = await simulator({ faults: { '429': { next: 2 } }, retryAfterForm: 'seconds', retryAfterSeconds: 3 });
    const { sleep, delays } = recordingSleep();
    const page = await clientFor(sim, { sleep }).searchDevices(search);
    expect(page.devices).toHaveLength(100);
    expect(delays).toEqual([3000, 3000]);
    expect(sim.stats().faults['429']).toBe(2);
    expect(sim.recentRequests().map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('honours a Retry-After given as an HTTP-date', async () => {
    const sim = await simulator({ faults: { '429': { next: 1 } }, retryAfterForm: 'date', retryAfterSeconds: 7 });
    const { sleep, delays } = recordingSleep();
    await clientFor(sim, { sleep }).searchDevices(search);
    expect(delays).toEqual([7000]);
  });

  it('gives up with IVANTI_RATE_LIMITED rather than wait past the cap on total waiting', async () => {
    const sim = await simulator({ faults: { '429': 1 }, retryAfterForm: 'alternate', retryAfterSeconds: 30 });
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(clientFor(sim, { sleep, maxRetries: 10, maxTotalWaitMs: 70_000 }).searchDevices(search));
    expect(error.code).toBe('IVANTI_RATE_LIMITED');
    expect(delays).toEqual([30_000, 30_000]);
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(70_000);
    expect(error.details).toMatchObject({ attempts: 3, waitedMs: 60_000, retryAfterMs: 30_000 });
    expect(sim.stats().requests).toBe(3);
  });

  it('clamps jittered back-off to what is left of the wait cap', async () => {
    const sim = await simulator({ faults: { '5xx': 1 } });
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(clientFor(sim, { sleep, maxRetries: 10, maxTotalWaitMs: 2_500, random: () => 0.99 }).searchDevices(search));
    expect(error.code).toBe('IVANTI_SERVER_ERROR');
    expect(delays.reduce((a, b) => a + b, 0)).toBe(2_500);
  });

  it('retries a burst of 5xx answers (HTML bodies included) with exponential back-off and full jitter', async () => {
    const sim = await simulator({ faults: { '5xx': { next: 3 } } });
    const { sleep, delays } = recordingSleep();
    const events: IvantiRetryEvent[] = [];
    const page = await clientFor(sim, { sleep, onRetry: (e) => events.push(e) }).searchDevices(search);
    expect(page.totalCount).toBe(sim.spaces()[0]!.deviceCount);
    // random() = 0.5 of min(30 s, 1 s · 2^retry)
    expect(delays).toEqual([500, 1000, 2000]);
    expect(events.map((e) => [e.retry, e.code])).toEqual([
      [1, 'IVANTI_SERVER_ERROR'],
      [2, 'IVANTI_SERVER_ERROR'],
      [3, 'IVANTI_SERVER_ERROR'],
    ]);
  });

  it('stops after maxRetries with IVANTI_SERVER_ERROR when the 5xx answers do not end', async () => {
    const sim = await simulator({ faults: { '5xx': 1 } });
    const { sleep } = recordingSleep();
    const error = await rejectionOf(clientFor(sim, { sleep, maxRetries: 4 }).searchDevices(search));
    expect(error.code).toBe('IVANTI_SERVER_ERROR');
    expect(sim.stats().requests).toBe(5);
    expect(error.details).toMatchObject({ attempts: 5 });
  });

  it('retries a truncated JSON answer, and reports IVANTI_BAD_RESPONSE when every answer is truncated', async () => {
    const once = await simulator({ faults: { truncate: { next: 1 } } });
    expect((await clientFor(once, { sleep: recordingSleep().sleep }).searchDevices(search)).devices).toHaveLength(100);
    expect(once.stats().faults.truncate).toBe(1);

    const always = await simulator({ faults: { truncate: 1 } });
    const error = await rejectionOf(clientFor(always, { sleep: recordingSleep().sleep, maxRetries: 2 }).searchDevices(search));
    expect(error.code).toBe('IVANTI_BAD_RESPONSE');
    expect(always.stats().requests).toBe(3);
  });

  it('retries a connection dropped in the middle of the body, and reports IVANTI_CONNECT_FAILED when it keeps dropping', async () => {
    const once = await simulator({ faults: { drop: { next: 1 } } });
    expect((await clientFor(once, { sleep: recordingSleep().sleep }).searchDevices(search)).devices).toHaveLength(100);
    expect(once.stats().faults.drop).toBe(1);

    const always = await simulator({ faults: { drop: 1 } });
    const error = await rejectionOf(clientFor(always, { sleep: recordingSleep().sleep, maxRetries: 2 }).searchDevices(search));
    expect(error.code).toBe('IVANTI_CONNECT_FAILED');
    expect(error.details).toMatchObject({ reason: 'DROPPED' });
  });

  it('gives up a request that exceeds its deadline with IVANTI_TIMEOUT', async () => {
    const sim = await simulator({ faults: { slow: 1 }, slowMs: 5_000 });
    const error = await rejectionOf(clientFor(sim, { sleep: recordingSleep().sleep, timeoutMs: 150, maxRetries: 1 }).searchDevices(search));
    expect(error.code).toBe('IVANTI_TIMEOUT');
    expect(sim.stats().requests).toBe(2);
  });

  it('connection refused on a loopback port is retried and then reported as IVANTI_CONNECT_FAILED', async () => {
    const sim = await simulator();
    const domain = sim.domain;
    await sim.close();
    const { sleep, delays } = recordingSleep();
    const client = new IvantiClient({ domain, email: 'a@b.c', password: 'p', env: {}, sleep, maxRetries: 2, random: () => 0 });
    track(client);
    const error = await rejectionOf(client.listSpaces());
    expect(error.code).toBe('IVANTI_CONNECT_FAILED');
    expect(error.message).toContain('simulator running');
    expect(delays).toHaveLength(2);
  });
});

describe('IvantiClient paging through every fault', () => {
  it('reads exactly the tenant\'s device set with 429, 5xx, drops, truncation and slow answers all switched on', async () => {
    const sim = await simulator({
      devices: 5_000,
      seed: 'all-faults',
      faults: { '429': 0.1, '5xx': 0.05, drop: 0.05, truncate: 0.05, slow: 0.05 },
      slowMs: 5,
    });
    const client = clientFor(sim, { sleep: recordingSleep().sleep, maxRetries: 10 });
    const guids: string[] = [];
    for (const space of await client.listSpaces()) {
      for (let start = 0; ; ) {
        const page = await client.searchDevices({ dmPartitionId: space.id, start, rows: 500 });
        guids.push(...page.devices.map((d) => d.guid));
        start += page.devices.length;
        if (page.devices.length === 0 || start >= page.totalCount) break;
      }
    }
    const faults = sim.stats().faults;
    expect(faults['429'] + faults['5xx'] + faults.drop + faults.truncate).toBeGreaterThan(0);
    expect(guids.length).toBe(5_000);
    expect(new Set(guids)).toEqual(new Set(sim.expectedGuids()));
  });
});

describe('IvantiClient cancellation', () => {
  it('rejects with CANCELLED without sending anything when already aborted', async () => {
    const sim = await simulator();
    const controller = new AbortController();
    controller.abort();
    expect((await rejectionOf(clientFor(sim, {}).searchDevices(search, controller.signal))).code).toBe('CANCELLED');
    expect(sim.stats().requests).toBe(0);
  });

  it('stops waiting between retries when cancelled', async () => {
    const sim = await simulator({ faults: { '429': 1 } });
    const controller = new AbortController();
    const { sleep, delays } = recordingSleep(() => controller.abort());
    const error = await rejectionOf(clientFor(sim, { sleep }).searchDevices(search, controller.signal));
    expect(error.code).toBe('CANCELLED');
    expect(delays).toHaveLength(1);
    expect(sim.stats().requests).toBe(1);
  });

  it('leaves no listener on a long-lived cancel signal after many requests and retries', async () => {
    const sim = await simulator({ faults: { '5xx': 0.3 } });
    const controller = new AbortController();
    const client = clientFor(sim, { sleep: recordingSleep().sleep, maxRetries: 10 });
    for (let start = 0; start < 200; start += 10) await client.searchDevices({ dmPartitionId: 33533, start, rows: 10 }, controller.signal);
    expect(sim.stats().faults['5xx']).toBeGreaterThan(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts a request in flight when cancelled (the answer would take two minutes)', async () => {
    const sim = await simulator({ faults: { slow: 1 }, slowMs: 120_000 });
    const controller = new AbortController();
    const pending = clientFor(sim, {}).searchDevices(search, controller.signal);
    await until('the simulator has a request', () => sim.stats().requests > 0, { everyMs: 5 });
    controller.abort();
    expect((await rejectionOf(pending)).code).toBe('CANCELLED');
  });
});
