import { describe, expect, it } from 'vitest';
import { IvantiClient, STABLE_DEVICE_SORT, type IvantiClientOptions } from '../../../src-main/core/ivanti/ivanti-client';
import type { IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/ivanti-simulator';
import { startCannedServer, type CannedServer } from './canned-server';
import { closeAfterEach } from './close-after-each';
import { recordingSleep } from './recording-sleep';
import { rejectionOf } from './rejection-of';

const track = closeAfterEach();

async function simulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ devices: 1_200, seed: 'client-tests', ...options });
  track(sim);
  return sim;
}

function clientFor(sim: { domain: string; credentials: { email: string; password: string } }, options: Partial<IvantiClientOptions> = {}): IvantiClient {
  const client = new IvantiClient({ domain: sim.domain, ...sim.credentials, env: {}, sleep: recordingSleep().sleep, ...options });
  track(client);
  return client;
}


async function allDevices(client: IvantiClient, dmPartitionId: number, rows: number): Promise<IvantiDevice[]> {
  const devices: IvantiDevice[] = [];
  for (let start = 0; ; ) {
    const page = await client.searchDevices({ dmPartitionId, start, rows });
    devices.push(...page.devices);
    start += page.devices.length + page.rejected.length;
    if (page.devices.length === 0 || start >= page.totalCount) return devices;
  }
}

describe('IvantiClient against the simulator', () => {
  it('lists every device space even though the list answers at most 50 rows per page', async () => {
    const spaces = Array.from({ length: 60 }, (_, i) => ({ id: 5000 + i, name: `Space ${i}` }));
    const sim = await simulator({ devices: 120, spaces });
    const listed = await clientFor(sim).listSpaces();
    expect(listed.map((s) => s.id)).toEqual(spaces.map((s) => s.id));
    expect(listed[0]).toMatchObject({ id: 5000, name: 'Space 0', defaultSpace: true, listedDeviceCount: 2 });
  });

  it('pages through every space and gets each device exactly once, sorted on the stable id key', async () => {
    const sim = await simulator();
    const client = clientFor(sim);
    const guids: string[] = [];
    for (const space of await client.listSpaces()) {
      const devices = await allDevices(client, space.id, 500);
      const ids = devices.map((d) => d.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      guids.push(...devices.map((d) => d.guid));
    }
    expect(new Set(guids).size).toBe(guids.length);
    expect(new Set(guids)).toEqual(new Set(sim.expectedGuids()));
    const search = sim.recentRequests().find((r) => r.path === '/api/v1/device')!;
    expect(search.query).toMatchObject({ 'sortFields[0].name': STABLE_DEVICE_SORT.field, 'sortFields[0].order': 'ASC', start: '0', rows: '500' });
  });

  it('normalises the documented variants and keeps the record as sent in raw', async () => {
    const sim = await simulator({ devices: 400 });
    const devices = await allDevices(clientFor(sim), 33533, 500);
    const android = devices.find((d) => d.platformType === 'ANDROID')!;
    expect(android.clientDeviceIdentifier).toMatch(/^[0-9a-f]{64}$/);
    expect(android.raw.imei2).toBe('');
    expect(android.imei2).toBeNull();
    expect(android.raw.homeCarrierNetwork).toBeDefined();
    expect(typeof android.lastCheckin === 'number' || android.lastCheckin === null).toBe(true);
    const desktop = devices.find((d) => d.windowsDeviceType === 'WINDOWS_DESKTOP')!;
    expect(desktop.platformType).toBe('WINDOWS_PHONE');
    expect(desktop.clientDeviceIdentifier).toBeNull();
    expect(desktop.raw.imei).toBeNull();
    const gdpr = await allDevices(clientFor(sim), 33534, 500);
    expect(gdpr.every((d) => d.serialNumber === null || d.serialNumber === '********')).toBe(true);
    expect(new Set(gdpr.map((d) => d.guid)).size).toBe(gdpr.length);
  });

  it('reads one device by id, and a missing device is NOT_FOUND', async () => {
    const sim = await simulator({ devices: 50 });
    const client = clientFor(sim);
    const [first] = (await client.searchDevices({ dmPartitionId: 33533, start: 0, rows: 1 })).devices;
    const device = await client.getDevice(first!.id, 33533);
    expect(device.guid).toBe(first!.guid);
    expect(device.raw.batteryLevel).toBeDefined();
    expect((await rejectionOf(client.getDevice(999, 33533))).code).toBe('NOT_FOUND');
  });

  it('turns the documented 400 envelope for more than 500 rows into IVANTI_BAD_REQUEST naming the field', async () => {
    const sim = await simulator();
    const error = await rejectionOf(clientFor(sim).searchDevices({ dmPartitionId: 33533, start: 0, rows: 501 }));
    expect(error.code).toBe('IVANTI_BAD_REQUEST');
    expect(error.message).toContain('rows: must be between 1 and 500');
    expect(error.details?.fieldErrors).toEqual([{ field: 'rows', code: 'Range', message: 'must be between 1 and 500' }]);
  });

  it('reports a wrong password as IVANTI_AUTH_REJECTED without retrying and without the password in the error', async () => {
    const sim = await simulator();
    const password = 'Wr0ng-Passw0rd-42';
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(clientFor({ domain: sim.domain, credentials: { email: sim.credentials.email, password } }, { sleep }).listSpaces());
    expect(error.code).toBe('IVANTI_AUTH_REJECTED');
    expect(delays).toEqual([]);
    expect(JSON.stringify({ message: error.message, details: error.details, stack: error.stack })).not.toContain(password);
    expect(error.message).not.toContain(Buffer.from(`${sim.credentials.email}:${password}`).toString('base64'));
  });

  it('recognises an MFA-enforcing tenant by its Bearer challenge: IVANTI_MFA_REQUIRED', async () => {
    const sim = await simulator({ mfaEnforced: true });
    expect((await rejectionOf(clientFor(sim).listSpaces())).code).toBe('IVANTI_MFA_REQUIRED');
  });

  it('names the space when the API user lacks Device Read Only there: IVANTI_SPACE_FORBIDDEN', async () => {
    const sim = await simulator({
      spaces: [
        { id: 1, name: 'Default Space' },
        { id: 2, name: 'Marketing', deviceRead: false },
      ],
    });
    const client = clientFor(sim);
    await client.listSpaces();
    const error = await rejectionOf(client.searchDevices({ dmPartitionId: 2, start: 0, rows: 10 }));
    expect(error.code).toBe('IVANTI_SPACE_FORBIDDEN');
    expect(error.message).toContain('"Marketing"');
    expect(error.details).toMatchObject({ spaceId: 2, spaceName: 'Marketing' });
  });

  it('reports a missing System Read Only role on the spaces list as IVANTI_FORBIDDEN', async () => {
    const sim = await simulator({ systemReadOnly: false });
    const error = await rejectionOf(clientFor(sim).listSpaces());
    expect(error.code).toBe('IVANTI_FORBIDDEN');
    expect(error.message).toContain('System Read Only');
  });
});

describe('IvantiClient facing something that is not Ivanti', () => {
  async function canned(status: number, headers: Record<string, string>, body: string): Promise<CannedServer> {
    const server = await startCannedServer({ status, headers, body });
    track(server);
    return server;
  }
  const login = { email: 'api@acmecorp.example', password: 'secret-password' };

  it('reports an HTML page (a captive portal) as IVANTI_NOT_JSON and does not retry it', async () => {
    const server = await canned(200, { 'Content-Type': 'text/html' }, '<html><body>Welcome to Hotel WiFi</body></html>');
    const { sleep, delays } = recordingSleep();
    const error = await rejectionOf(clientFor({ domain: `127.0.0.1:${server.port}`, credentials: login }, { sleep }).listSpaces());
    expect(error.code).toBe('IVANTI_NOT_JSON');
    expect(error.message).toContain('text/html');
    expect(delays).toEqual([]);
  });

  it('reports a redirect to a sign-in page as IVANTI_NOT_JSON naming where it leads', async () => {
    const server = await canned(302, { Location: 'https://portal.hotel.example/login?session=abc' }, '');
    const error = await rejectionOf(clientFor({ domain: `127.0.0.1:${server.port}`, credentials: login }).listSpaces());
    expect(error.code).toBe('IVANTI_NOT_JSON');
    expect(error.message).toContain('portal.hotel.example');
    expect(error.message).not.toContain('session=abc');
  });

  it('reports JSON in an unexpected shape as IVANTI_BAD_RESPONSE', async () => {
    const server = await canned(200, { 'Content-Type': 'application/json' }, JSON.stringify({ errors: null, result: { items: [] } }));
    const error = await rejectionOf(clientFor({ domain: `127.0.0.1:${server.port}`, credentials: login }).listSpaces());
    expect(error.code).toBe('IVANTI_BAD_RESPONSE');
    expect(error.message).toContain('result.totalCount');
  });

  it('reports a single unusable device record in a page instead of failing the page', async () => {
    const body = JSON.stringify({
      errors: null,
      result: { searchResults: [{ id: 1, guid: 'a', platformType: 'IOS', registrationState: 'ACTIVE' }, { id: 2, platformType: 'IOS', registrationState: 'ACTIVE' }], totalCount: 2 },
    });
    const server = await canned(200, { 'Content-Type': 'application/json' }, body);
    const page = await clientFor({ domain: `127.0.0.1:${server.port}`, credentials: login }).searchDevices({ dmPartitionId: 1, start: 0, rows: 2 });
    expect(page.devices.map((d) => d.guid)).toEqual(['a']);
    expect(page.rejected).toEqual([{ position: 1, id: 2, problems: [expect.stringContaining('guid')] }]);
    expect(page.totalCount).toBe(2);
  });

  it('gives the same page as records to parse on demand, each unusable one in its place with its problems', async () => {
    const body = JSON.stringify({
      errors: null,
      result: { searchResults: [{ id: 1, guid: 'a', platformType: 'IOS', registrationState: 'ACTIVE' }, { id: 2, platformType: 'IOS', registrationState: 'ACTIVE' }], totalCount: 2 },
    });
    const server = await canned(200, { 'Content-Type': 'application/json' }, body);
    const client = clientFor({ domain: `127.0.0.1:${server.port}`, credentials: login });
    const search = { dmPartitionId: 1, start: 0, rows: 2 };
    const parsed = await client.searchDevices(search);
    const page = await client.searchDeviceRecords(search);
    expect(page.totalCount).toBe(2);
    expect(page.records.map((r) => r.id)).toEqual([1, 2]);
    expect(page.records[0]!.device()).toEqual(parsed.devices[0]);
    expect(page.records[1]!.device()).toBeNull();
    expect(page.records[1]!.parse()).toEqual({ ok: false, problems: parsed.rejected[0]!.problems });
    // Each with the answer as received and its place in it (a bulk load's compressing thread reads its text there).
    expect(page.records.map((r) => [r.answer?.text, r.answer?.records, r.position])).toEqual([
      [body, 2, 0],
      [body, 2, 1],
    ]);
  });
});

describe('IvantiClient URL rules', () => {
  it('refuses plain http to a host that is not loopback: IVANTI_INSECURE_URL', () => {
    expect(() => new IvantiClient({ domain: 'http://acmecorp.mobileiron.com', email: 'a@b.c', password: 'p', env: {} })).toThrow(
      expect.objectContaining({ code: 'IVANTI_INSECURE_URL' }),
    );
  });

  it('uses https for a bare host and plain http only for a bare loopback host', () => {
    const tenant = new IvantiClient({ domain: 'acmecorp.mobileiron.com', email: 'a@b.c', password: 'p', env: {} });
    const local = new IvantiClient({ domain: '127.0.0.1:8080', email: 'a@b.c', password: 'p', env: {} });
    const v6 = new IvantiClient({ domain: '[::1]:8080', email: 'a@b.c', password: 'p', env: {} });
    for (const client of [tenant, local, v6]) track(client);
    expect(tenant.endpoint.origin).toBe('https://acmecorp.mobileiron.com');
    expect(local.endpoint.origin).toBe('http://127.0.0.1:8080');
    expect(v6.endpoint.origin).toBe('http://[::1]:8080');
  });

  it('does not show the password when the client itself is printed', () => {
    const client = new IvantiClient({ domain: 'acmecorp.mobileiron.com', email: 'a@b.c', password: 'hunter2-unique', env: {} });
    track(client);
    expect(JSON.stringify(client)).not.toContain(Buffer.from('a@b.c:hunter2-unique').toString('base64'));
    expect(JSON.stringify(client)).not.toContain('hunter2-unique');
  });
});
