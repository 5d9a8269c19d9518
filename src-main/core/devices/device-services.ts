import path from 'node:path';
import type { Settings } from '../../../src-shared/contract/app';
import type { AuditLog } from '../audit/audit-log';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import { ExportService } from '../export/export-service';
import { DeviceRepository } from './device-repository';
import { DeviceSearchIndex } from './device-search-index';
import { refreshPlannerStatistics } from './planner-statistics';
import { SavedSearchStore } from './saved-search-store';

export interface DeviceServices {
  searchIndex: DeviceSearchIndex;
  devices: DeviceRepository;
  savedSearches: SavedSearchStore;
  exports: ExportService;
}

/**
 * The device explorer's services. The search index also catches up as a sync writes (on its progress and finish
 * events, a few hundred devices at a time), so that the first search after a million-device sync does not have to
 * index them all at once; when a sync ends, the planner's statistics are refreshed.
 */
export function createDeviceServices(deps: {
  db: Db;
  audit: AuditLog;
  events: EventBus;
  settings: () => Settings;
  dataDir: string;
  now: () => Date;
  actor: string;
}): DeviceServices {
  const searchIndex = new DeviceSearchIndex(deps.db);
  const devices = new DeviceRepository(deps.db, searchIndex, deps.settings, deps.now);
  deps.events.subscribe((name) => {
    if (name === 'sync.progress' || name === 'sync.finished') searchIndex.catchUp();
    if (name === 'sync.finished') refreshPlannerStatistics(deps.db);
  });
  return {
    searchIndex,
    devices,
    savedSearches: new SavedSearchStore(deps.db, deps.now),
    exports: new ExportService(deps.db, devices, deps.audit, deps.events.emit, path.join(deps.dataDir, 'exports'), deps.now, deps.actor),
  };
}
