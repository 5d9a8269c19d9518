import { expect } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { startDuoDouble, type DuoDoubleOptions, type RunningDuoDouble } from './duo-admin-double';

type Track = <T extends { close(): unknown }>(thing: T) => T;

/**
 * A synced Android + iOS App Config tenant enabled for all users in `dataDir`, and the Duo double's read of the same
 * people: what Duo's view beside the prediction needs. The core stays open (tracked) so tests can call its handlers.
 */
export async function syncedTenantComparedWithDuo(track: Track, dataDir: string, options: Partial<DuoDoubleOptions> = {}): Promise<{ core: Core; duo: RunningDuoDouble; tenant: RunningSimulator }> {
  const signal = new AbortController().signal;
  const tenant = track(await startSimulator({ devices: 300, seed: 'duo-compare', spaces: [{ id: 1, name: 'Default Space', defaultSpace: true }] }));
  const duo = track(await startDuoDouble({ ivantiDevices: tenant.expectedDevices(), users: 40, seed: 'duo-compare', ...options }));
  const core = createCore({ dataDir, version: 'test', transport: 'cli' });
  track({ close: () => core.close() });
  for (const platform of ['android', 'ios-appconfig'] as const) {
    const integration = await core.services.integrations.create({ name: platform, platform, domain: tenant.domain, email: tenant.credentials.email, password: tenant.credentials.password });
    await core.services.integrations.setStatus(integration.id, 'all-users');
    await (await core.services.sync.start(integration.id, 'manual')).finished;
  }
  await core.handlers['duo.connect']({ apiHostname: duo.apiHostname, ...duo.credentials }, { signal });
  expect((await core.services.duo.read(undefined)).ok).toBe(true);
  return { core, duo, tenant };
}
