import { z } from 'zod';
import { channel, NoInput, Ok } from './define';
import { EntityId } from '../domain/entity-id';
import { DeviceDetail, DeviceFacets, DeviceQuery, ListedDevice, SavedSearch, SavedSearchName } from '../domain/device';
import { SyncedDevice } from '../domain/sync';

export const deviceChannels = {
  'devices.search': channel(
    'One page of the explorer: devices matching the text and filters, in the chosen order. Pages are fetched on demand; the renderer never holds the whole set.',
    z
      .object({
        query: DeviceQuery,
        offset: z.number().int().min(0).max(100_000_000),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    z.object({ offset: z.number().int(), rows: z.array(ListedDevice) }),
  ),
  'devices.count': channel(
    'How many devices match the text and filters (asked apart from pages, so the first page never waits for a count).',
    z.object({ query: DeviceQuery }).strict(),
    z.object({ total: z.number().int() }),
  ),
  'devices.facets': channel(
    'Counts per platform, registration state, compliance, check-in age, integration and space, for the overview charts and filter choices.',
    z.object({ query: DeviceQuery.default({}) }).strict(),
    DeviceFacets,
  ),
  'devices.get': channel('Every field of one device, its raw record and its change history across syncs.', z.object({ id: z.number().int() }).strict(), DeviceDetail),
  'devices.find': channel(
    'Has this device synced? Exact lookup of a Device Client ID (or a device guid or numeric Ivanti id) in the synced devices.',
    z.object({ identifier: z.string().trim().min(1).max(512), integrationId: EntityId.optional() }).strict(),
    z.array(SyncedDevice),
  ),
  'savedSearches.list': channel('Saved explorer searches, by name.', NoInput, z.array(SavedSearch)),
  'savedSearches.save': channel(
    'Save the explorer\'s text, filters and order under a name (replaces a search of the same name).',
    z.object({ name: SavedSearchName, query: DeviceQuery }).strict(),
    SavedSearch,
  ),
  'savedSearches.delete': channel('Forget a saved search.', z.object({ id: z.number().int() }).strict(), Ok),
};
