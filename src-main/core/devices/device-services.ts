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
 * The device explorer's services. When syncs run on this thread (`followSync`), the search index follows them here;
 * when they run in the sync worker, the worker does it on its own connection (sync-worker.ts).
 */
export function createDeviceServices(deps: {
  db: Db;
  audit: AuditLog;
  events: EventBus;
  settings: () => Settings;
  dataDir: string;
  now: () => Date;
  actor: string;
  followSync: boolean;
}): DeviceServices {
  const searchIndex = new DeviceSearchIndex(deps.db);
  const devices = new DeviceRepository(deps.db, searchIndex, deps.settings, deps.now);
  if (deps.followSync) followSyncWrites(deps.db, searchIndex, deps.events);
  return {
    searchIndex,
    devices,
    savedSearches: new SavedSearchStore(deps.db, deps.now),
    exports: new ExportService(deps.db, devices, deps.audit, deps.events.emit, path.join(deps.dataDir, 'exports'), deps.now, deps.actor),
  };
}

/**
 * Keeps the search index and the planner's statistics in step with syncs on `db`'s thread: the index catches up on
 * every progress event (a few hundred devices at a time, unless the engine does it between its writes: `duringSync`
 * false) and when a sync finishes, so the first search after a million-device sync does not have to index them all
 * at once; when a sync ends, the planner's statistics are refreshed.
 */
export function followSyncWrites(db: Db, searchIndex: DeviceSearchIndex, events: EventBus, { duringSync = true } = {}): () => void {
  return events.subscribe((name) => {
    if ((name === 'sync.progress' && duringSync) || name === 'sync.finished') searchIndex.catchUp();
    if (name === 'sync.finished') refreshPlannerStatistics(db);
  });
}
