import type { Handler } from '../../../src-shared/contract';
import type { DeviceServices } from './device-services';

type DeviceChannel =
  | 'devices.search'
  | 'devices.count'
  | 'devices.facets'
  | 'devices.get'
  | 'savedSearches.list'
  | 'savedSearches.save'
  | 'savedSearches.delete';

export function deviceHandlers({ devices, savedSearches, indexReady }: DeviceServices): { [C in DeviceChannel]: Handler<C> } {
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
    'savedSearches.list': async () => savedSearches.list(),
    'savedSearches.save': async ({ name, query }) => savedSearches.save(name, query),
    'savedSearches.delete': async ({ id }) => {
      savedSearches.delete(id);
      return { ok: true as const };
    },
  };
}
