import type { Handler } from '../../../src-shared/contract';
import type { DeviceRow } from '../../../src-shared/domain/device';
import type { DeviceTrustInput, DeviceTrustJudge } from '../trust/trust-verifier';
import type { DeviceStore } from '../sync/device-store';
import type { DeviceServices } from './device-services';

type DeviceChannel =
  | 'devices.search'
  | 'devices.count'
  | 'devices.facets'
  | 'devices.get'
  | 'devices.find'
  | 'savedSearches.list'
  | 'savedSearches.save'
  | 'savedSearches.delete';

export interface DeviceHandlerDeps extends Pick<DeviceServices, 'devices' | 'savedSearches' | 'indexReady'> {
  /** The sync's own store answers "has this device synced?" by exact identifier, without the search index. */
  syncedDevices: Pick<DeviceStore, 'find'>;
  /** The Trust column: the trust verifier's device-level answer for each row of a page. */
  deviceTrust(): DeviceTrustJudge;
}

export function deviceTrustInput(row: DeviceRow): DeviceTrustInput {
  return { id: row.id, identifier: row.clientDeviceIdentifier, uid: row.uid };
}

export function deviceHandlers({ devices, savedSearches, indexReady, syncedDevices, deviceTrust }: DeviceHandlerDeps): { [C in DeviceChannel]: Handler<C> } {
  return {
    'devices.search': async ({ query, offset, limit }) => {
      await indexReady();
      const judge = deviceTrust();
      return { offset, rows: devices.search(query, { offset, limit }).map((row) => ({ ...row, trust: judge(deviceTrustInput(row)) })) };
    },
    'devices.count': async ({ query }) => {
      await indexReady();
      return { total: devices.count(query) };
    },
    'devices.facets': async ({ query }) => {
      await indexReady();
      return devices.facets(query);
    },
    'devices.get': async ({ id }) => devices.detail(id),
    'devices.find': async ({ identifier, integrationId }) => syncedDevices.find(identifier, integrationId),
    'savedSearches.list': async () => savedSearches.list(),
    'savedSearches.save': async ({ name, query }) => savedSearches.save(name, query),
    'savedSearches.delete': async ({ id }) => {
      savedSearches.delete(id);
      return { ok: true as const };
    },
  };
}
