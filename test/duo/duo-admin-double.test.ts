import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRequestV2, duoAuthorization, duoDate, signDuoRequest } from '../../src-main/core/duo/duo-signature';
import { closeAfterEach } from '../core/ivanti/close-after-each';
import { startSimulator } from '../simulator/ivanti-simulator';
import { startDuoDouble, type DuoDoubleOptions } from './duo-admin-double';

const track = closeAfterEach();

async function double(options: Partial<DuoDoubleOptions> = {}) {
  const ivanti = track(await startSimulator({ devices: 150, seed: 'duo-double' }));
  return { ivanti, duo: track(await startDuoDouble({ ivantiDevices: ivanti.expectedDevices(), ...options })) };
}

async function get(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, date: response.headers.get('date') };
}

function signedHeaders(host: string, path: string, params: Array<[string, string]>, skey: string, ikey: string, version: 'v2-sha1' | 'v2-sha512' | 'v5', date = duoDate(Date.now())) {
  const request = { method: 'GET', host, path, params, date };
  const signature =
    version === 'v2-sha1' ? createHmac('sha1', skey).update(canonicalRequestV2(request)).digest('hex') : signDuoRequest(skey, request, version === 'v5' ? 5 : 2);
  return { Date: date, Authorization: duoAuthorization(ikey, signature.toUpperCase()) };
}

describe('Duo Admin API double', () => {
  it('accepts v2 (HMAC-SHA1 and HMAC-SHA512) and v5 signatures, hex in any case', async () => {
    const { duo } = await double();
    const { integrationKey, secretKey } = duo.credentials;
    for (const version of ['v2-sha1', 'v2-sha512', 'v5'] as const) {
      const answer = await get(`${duo.url}/admin/v1/users?offset=0&limit=2`, signedHeaders(duo.apiHostname, '/admin/v1/users', [['offset', '0'], ['limit', '2']], secretKey, integrationKey, version));
      expect(answer.status, version).toBe(200);
    }
    expect(duo.requests().map((r) => r.signature)).toEqual(['v2-sha1', 'v2-sha512', 'v5']);
  });

  it('refuses a wrong secret with 401/40103 and a stale Date with 401 in Duo\'s envelope', async () => {
    const { duo } = await double();
    const { integrationKey, secretKey } = duo.credentials;
    const bad = await get(`${duo.url}/admin/v1/users`, signedHeaders(duo.apiHostname, '/admin/v1/users', [], 'wrong', integrationKey, 'v5'));
    expect(bad).toMatchObject({ status: 401, json: { stat: 'FAIL', code: 40103, message: 'Invalid signature in request credentials' } });
    const staleDate = duoDate(Date.now() - 11 * 60_000);
    const stale = await get(`${duo.url}/admin/v1/users`, signedHeaders(duo.apiHostname, '/admin/v1/users', [], secretKey, integrationKey, 'v5', staleDate));
    expect(stale).toMatchObject({ status: 401, json: { stat: 'FAIL', code: 40105 } });
    const german = await get(`${duo.url}/admin/v1/users`, signedHeaders(duo.apiHostname, '/admin/v1/users', [], secretKey, integrationKey, 'v5', 'Di, 21 Aug 2012 17:29:18 -0000'));
    expect(german).toMatchObject({ status: 401, json: { code: 40104 } });
    const noAuth = await get(`${duo.url}/admin/v1/users`, {});
    expect(noAuth.status).toBe(401);
  });

  it('pages with limit/offset, clamps limit to the maximum, and drops next_offset on the last page', async () => {
    const { duo } = await double({ users: 30 });
    const { integrationKey, secretKey } = duo.credentials;
    const params: Array<[string, string]> = [['limit', '1000'], ['offset', '0']];
    const endpoints = await get(`${duo.url}/admin/v1/endpoints?limit=1000&offset=0`, signedHeaders(duo.apiHostname, '/admin/v1/endpoints', params, secretKey, integrationKey, 'v5'));
    expect((endpoints.json.response as unknown[]).length).toBe(Math.min(500, duo.endpoints().length));
    const last: Array<[string, string]> = [['limit', '10'], ['offset', '20']];
    const users = await get(`${duo.url}/admin/v1/users?limit=10&offset=20`, signedHeaders(duo.apiHostname, '/admin/v1/users', last, secretKey, integrationKey, 'v5'));
    expect(users.json.metadata).toEqual({ total_objects: 30, prev_offset: 10 });
    const malformed: Array<[string, string]> = [['limit', 'ten']];
    const refused = await get(`${duo.url}/admin/v1/users?limit=ten`, signedHeaders(duo.apiHostname, '/admin/v1/users', malformed, secretKey, integrationKey, 'v5'));
    expect(refused).toMatchObject({ status: 400, json: { code: 40002 } });
  });

  it('serves the Ivanti tenant\'s people, with trusted and untrusted endpoints and seeded disagreements', async () => {
    const { ivanti, duo } = await double({ users: 40 });
    const ivantiUsers = new Set([...ivanti.expectedDevices()].map((d) => String(d.emailAddress).toLowerCase()));
    expect(duo.users().every((u) => ivantiUsers.has(u.email.toLowerCase()))).toBe(true);
    const byGuid = new Map([...ivanti.expectedDevices()].map((d) => [d.guid as string, d]));
    const endpoints = duo.endpoints();
    const trust = endpoints.map((e) => ({ duo: e.trusted_endpoint === 'yes', active: byGuid.get(e.ivantiGuid)!.registrationState === 'ACTIVE' }));
    expect(trust.some((t) => t.duo)).toBe(true);
    expect(trust.some((t) => !t.duo)).toBe(true);
    expect(trust.some((t) => t.duo !== t.active)).toBe(true);
  });

  it('leaves out trusted_endpoint and the device_* fields on a non-Premier account', async () => {
    const { duo } = await double({ premier: false });
    const { integrationKey, secretKey } = duo.credentials;
    const answer = await get(`${duo.url}/admin/v1/endpoints?limit=5`, signedHeaders(duo.apiHostname, '/admin/v1/endpoints', [['limit', '5']], secretKey, integrationKey, 'v5'));
    const first = (answer.json.response as Array<Record<string, unknown>>)[0]!;
    expect(first).not.toHaveProperty('trusted_endpoint');
    expect(first).not.toHaveProperty('device_udid');
    expect(first).not.toHaveProperty('ivantiGuid');
  });
});
