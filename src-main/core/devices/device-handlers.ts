import type { Handler } from '../../../src-shared/contract';
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
}

export function deviceHandlers({ devices, savedSearches, indexReady, syncedDevices }: DeviceHandlerDeps): { [C in DeviceChannel]: Handler<C> } {
  return {
    'devices.search': async ({ query, offset, limit }) => {
      await indexReady();
      return { offset, rows: devices.search(query, { offset, limit }) };
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
