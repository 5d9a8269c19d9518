import { afterAll, beforeAll } from 'vitest';
import { startCannedServer, type CannedServer } from '../core/ivanti/canned-server';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { requirePrivateKeyring } from './keyring';

export interface SyncTenants {
  /** A healthy tenant. */
  tenant: RunningSimulator;
  /** A tenant whose API user may not read the devices of its "Marketing" space. */
  restricted: RunningSimulator;
  /** host:port of a server answering every request with an HTML sign-in page, as a captive portal or a wrong host does. */
  htmlDomain: string;
}

/**
 * The tenants a sync test file runs against, started once before its tests and closed after them (the private keyring
 * is required first: these tests store the API password). Read the fields inside tests, not at module level.
 */
export function useSyncTenants(options: { seed: string; devices: number; restrictedDevices: number; credentials: { email: string; password: string } }): SyncTenants {
  const tenants = {} as SyncTenants;
  let htmlServer: CannedServer | undefined;
  beforeAll(async () => {
    requirePrivateKeyring();
    const { seed, credentials } = options;
    tenants.tenant = await startSimulator({ devices: options.devices, seed, credentials });
    tenants.restricted = await startSimulator({
      devices: options.restrictedDevices,
      seed: `${seed}-restricted`,
      credentials,
      spaces: [
        { id: 1, name: 'Default Space', defaultSpace: true },
        { id: 2, name: 'Marketing', deviceRead: false },
      ],
    });
    htmlServer = await startCannedServer({
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: '<!doctype html><html><body><h1>Welcome to Hotel Wi-Fi</h1><form>Sign in</form></body></html>',
    });
    tenants.htmlDomain = `127.0.0.1:${htmlServer.port}`;
  });
  afterAll(async () => {
    await tenants.tenant?.close();
    await tenants.restricted?.close();
    await htmlServer?.close();
  });
  return tenants;
}
