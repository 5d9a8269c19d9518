import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IvantiDeviceRecord } from '../../src-main/core/ivanti/ivanti-wire';
import { deviceIdOf } from './device-generator';
import { useSimulatorsAfterEach } from '../support/simulators-after-each';
import type { RunningSimulator, SimulatorOptions } from './ivanti-simulator';
import { hashText } from './seeded-random';

const startSimulator = useSimulatorsAfterEach();

function simulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ devices: 1_000, seed: 'sim-tests', ...options });
}

function get(sim: RunningSimulator, pathAndQuery: string, auth = true): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth) headers.Authorization = `Basic ${Buffer.from(`${sim.credentials.email}:${sim.credentials.password}`).toString('base64')}`;
  return fetch(`${sim.url}${pathAndQuery}`, { headers });
}

interface SearchBody {
  errors: unknown;
  result: { searchResults: Array<Record<string, unknown>>; totalCount: number };
}

async function page(sim: RunningSimulator, query: string): Promise<SearchBody> {
  const response = await get(sim, `/api/v1/device?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as SearchBody;
}

describe('Ivanti simulator', () => {
  it('generates the same tenant from the same seed and a different one from another seed', async () => {
    const a = await simulator({ seed: 42 });
    const b = await simulator({ seed: 42 });
    const c = await simulator({ seed: 43 });
    const query = 'dmPartitionId=33533&start=100&rows=50';
    const [pa, pb, pc] = await Promise.all([page(a, query), page(b, query), page(c, query)]);
    expect(pa.result.searchResults).toEqual(pb.result.searchResults);
    expect(pc.result.searchResults.map((d) => d.guid)).not.toEqual(pa.result.searchResults.map((d) => d.guid));
  });

  it('serves a page near the millionth device without generating or holding the others', async () => {
    const sim = await simulator({ devices: 1_000_000, seed: 'million' });
    expect(sim.deviceCount({ spaces: 'all' })).toBe(1_000_000);
    const last = sim.spaces().at(-1)!;
    const heapBefore = process.memoryUsage().heapUsed;
    const body = await page(sim, `dmPartitionId=${last.id}&start=${last.deviceCount - 500}&rows=500`);
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    expect(body.result.totalCount).toBe(last.deviceCount);
    expect(body.result.searchResults).toHaveLength(500);
    // The millionth device (index 999,999) closes the last space.
    expect(body.result.searchResults.at(-1)!.id).toBe(deviceIdOf(hashText('million'), 999_999));
    // A million records would be hundreds of MB; one page is well under this bound.
    expect(heapGrowthMb).toBeLessThan(64);
  });

  it('answers more than 500 rows with the documented 400 body', async () => {
    const sim = await simulator();
    const response = await get(sim, '/api/v1/device?dmPartitionId=33533&start=0&rows=501');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: { globalErrors: null, fieldErrors: [{ code: 'Range', message: 'must be between 1 and 500', field: 'rows' }] },
      result: null,
    });
  });

  it('answers 401 without valid credentials and 403 in a space without Device Read Only', async () => {
    const sim = await simulator({ spaces: [{ id: 1, name: 'Default Space' }, { id: 2, name: 'Locked', deviceRead: false }] });
    const anonymous = await get(sim, '/api/v1/tenant/partition/device', false);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await get(sim, '/api/v1/device?dmPartitionId=2&rows=1')).status).toBe(403);
    expect((await get(sim, '/api/v1/device?dmPartitionId=1&rows=1')).status).toBe(200);
  });

  it('returns records with the documented quirks, all parseable by the console', async () => {
    const sim = await simulator({ devices: 3_000 });
    const records = [...sim.expectedDevices({ spaces: 'all' })];
    for (const record of records) expect(IvantiDeviceRecord.safeParse(record).success).toBe(true);
    const android = records.filter((r) => r.platformType === 'ANDROID');
    expect(android.every((r) => /^[0-9a-f]{64}$/.test(r.clientDeviceIdentifier as string) && r.imei2 === '')).toBe(true);
    const desktops = records.filter((r) => r.windowsDeviceType === 'WINDOWS_DESKTOP');
    expect(desktops.length).toBeGreaterThan(0);
    expect(desktops.every((r) => r.platformType === 'WINDOWS_PHONE' && r.clientDeviceIdentifier === null && r.imei === null)).toBe(true);
    const gdpr = records.filter((r) => r.dmPartitionName === 'EU Staff');
    expect(gdpr.every((r) => r.emailAddress === '********')).toBe(true);
    expect(records.some((r) => r.imsi === 'Not Present')).toBe(true);
    expect(records.every((r) => r.lastCheckin === null || (typeof r.lastCheckin === 'number' && r.lastCheckin > 1e12))).toBe(true);
    expect(new Set(records.map((r) => r.guid)).size).toBe(records.length);
    const clientIds = records.map((r) => r.clientDeviceIdentifier).filter((id) => id !== null);
    expect(new Set(clientIds).size).toBe(clientIds.length);
  });

  it('keeps guids unique across a large sample of a million-device tenant', async () => {
    const sim = await simulator({ devices: 1_000_000, seed: 'unique' });
    const seen = new Set<string>();
    let n = 0;
    for (const record of sim.expectedDevices({ spaces: 'all' })) {
      seen.add(record.guid as string);
      if (++n === 50_000) break;
    }
    expect(seen.size).toBe(50_000);
  });

  it('sorts by the requested field and order, and by id ascending when no sort is asked for', async () => {
    const sim = await simulator();
    const ids = (body: SearchBody) => body.result.searchResults.map((d) => d.id as number);
    const unsorted = ids(await page(sim, 'dmPartitionId=33533&start=0&rows=500'));
    expect(unsorted).toEqual([...unsorted].sort((a, b) => a - b));
    const count = sim.spaces()[0]!.deviceCount;
    const descending = ids(await page(sim, `dmPartitionId=33533&start=${count - 500}&rows=500&sortFields%5B0%5D.name=id&sortFields%5B0%5D.order=DESC`));
    expect(descending).toEqual([...unsorted].reverse());
    const byCheckin = (await page(sim, 'dmPartitionId=33533&start=0&rows=500&sortFields[0].name=lastCheckin&sortFields[0].order=DESC')).result.searchResults;
    const checkins = byCheckin.map((d) => d.lastCheckin as number | null).filter((t): t is number => t !== null);
    expect(checkins).toEqual([...checkins].sort((a, b) => b - a));
    expect((await get(sim, '/api/v1/device?dmPartitionId=33533&sortFields[0].name=deviceName')).status).toBe(400);
  });

  it('applies changes deterministically and pages over the changed set', async () => {
    const a = await simulator({ seed: 'churn' });
    const b = await simulator({ seed: 'churn' });
    const before = new Set(a.expectedGuids());
    for (const sim of [a, b]) sim.mutate({ add: 30, remove: 20, update: 10 });
    const after = [...a.expectedGuids()];
    expect(after).toEqual([...b.expectedGuids()]);
    expect(after.length).toBe(before.size + 10);
    expect(after.filter((g) => !before.has(g))).toHaveLength(30);
    expect(a.stats().mutations).toBe(60);
    const paged: string[] = [];
    for (const space of a.spaces()) {
      for (let start = 0; start < space.deviceCount; start += 500) {
        paged.push(...(await page(a, `dmPartitionId=${space.id}&start=${start}&rows=500`)).result.searchResults.map((d) => d.guid as string));
      }
    }
    expect(new Set(paged)).toEqual(new Set(after));
  });

  it('churns while a client pages, deterministically for the same seed and request sequence', async () => {
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const sim = await simulator({ seed: 'paging-churn', faults: { churn: 0.5 } });
      for (let start = 0; start < 700; start += 100) await page(sim, `dmPartitionId=33533&start=${start}&rows=100`);
      expect(sim.stats().faults.churn).toBeGreaterThan(0);
      runs.push([...sim.expectedGuids()]);
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it('injects the same faults for the same seed, and others for another seed', async () => {
    const sequence = async (seed: string) => {
      const sim = await simulator({ seed, faults: { '429': 0.2, '5xx': 0.1, truncate: 0.1, drop: 0.1 } });
      for (let i = 0; i < 40; i++) await get(sim, '/api/v1/device?dmPartitionId=33533&rows=5').then((r) => r.text()).catch(() => 'dropped');
      return sim.recentRequests().map((r) => r.fault);
    };
    const first = await sequence('faults-1');
    expect(first.filter((f) => f !== null).length).toBeGreaterThan(0);
    expect(await sequence('faults-1')).toEqual(first);
    expect(await sequence('faults-2')).not.toEqual(first);
  });

  it('sends 429 with Retry-After in seconds and as an HTTP-date, alternating', async () => {
    const sim = await simulator({ faults: { '429': { next: 2 } }, retryAfterSeconds: 4, now: () => Date.UTC(2026, 0, 1) });
    const first = await get(sim, '/api/v1/tenant/partition/device');
    const second = await get(sim, '/api/v1/tenant/partition/device');
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers.get('retry-after')).toBe('4');
    expect(second.headers.get('retry-after')).toBe('Thu, 01 Jan 2026 00:00:04 GMT');
    expect((await get(sim, '/api/v1/tenant/partition/device')).status).toBe(200);
  });

  it('truncates JSON inside a complete HTTP answer, and drops the connection mid-body', async () => {
    const sim = await simulator({ faults: { truncate: { next: 1 } } });
    const truncated = await get(sim, '/api/v1/device?dmPartitionId=33533&rows=20');
    const text = await truncated.text();
    expect(Number(truncated.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(() => JSON.parse(text)).toThrow();
    sim.setFaults({ drop: { next: 1 } });
    await expect(get(sim, '/api/v1/device?dmPartitionId=33533&rows=20').then((r) => r.text())).rejects.toThrow();
    expect(sim.stats().faults).toMatchObject({ truncate: 1, drop: 1 });
  });

  it('starts from the command line and prints the URL and the demo credentials', async () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const child = spawn(tsx, ['test/simulator/cli.ts', '--devices', '25', '--seed', '9', '--faults', '429,churn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ctrl-C')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${output}`)));
      });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      expect(output).toContain('Email:    tec-api@acmecorp.example');
      expect(output).toContain('Password: simulator-demo-password');
      expect(output).toContain('Devices:  25');
      const response = await fetch(`${url}/api/v1/tenant/partition/device`);
      expect([401, 429]).toContain(response.status);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
