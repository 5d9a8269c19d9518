import path from 'node:path';
import { EXPORTS_FOLDER } from '../app/data-dir';
import type { AuditLog } from '../audit/audit-log';
import type { AuditSeal } from '../audit/audit-signature';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import type { DeviceTrustJudge } from '../trust/trust-verifier';
import { ExportService } from '../export/export-service';
import { DeviceRepository } from './device-repository';
import { DeviceSearchIndex } from './device-search-index';
import { refreshPlannerStatistics } from '../db/planner-statistics';
import { SavedSearchStore } from './saved-search-store';

export interface DeviceServices {
  searchIndex: DeviceSearchIndex;
  devices: DeviceRepository;
  savedSearches: SavedSearchStore;
  exports: ExportService;
  /**
   * Resolves once the search index holds every device written before the call; readers of the index await it (the
   * device handlers, exports). Never blocks this thread on the sync worker's work.
   */
  indexReady(): Promise<void>;
}

/** The sync worker's side of the search index (WorkerSyncEngine). */
export interface SyncIndexing {
  /** Whether the worker keeps the index now: a run, or the work after it, is in progress there. */
  ownsSearchIndex(): boolean;
  /** Asks the worker to catch the index up now; false when it does not keep it (then the caller's thread does). */
  catchUpSearchIndex(): Promise<boolean>;
}

/**
 * The device explorer's services. With `syncIndexing` null, syncs run on this thread and the search index follows
 * them here (the engine's `maintenance` must call `searchIndex.catchUp`); otherwise the sync worker keeps the index
 * while it syncs (sync-worker.ts) and this thread asks it.
 */
export function createDeviceServices(deps: {
  db: Db;
  audit: AuditLog;
  events: EventBus;
  dataDir: string;
  now: () => Date;
  actor: string;
  syncIndexing: SyncIndexing | null;
  auditSeal?: () => Promise<AuditSeal>;
  /** The device exports' trust columns. */
  deviceTrust?: () => DeviceTrustJudge;
}): DeviceServices {
  const { syncIndexing } = deps;
  const searchIndex = new DeviceSearchIndex(deps.db, { deferWhile: syncIndexing ? () => syncIndexing.ownsSearchIndex() : undefined });
  const devices = new DeviceRepository(deps.db, searchIndex, deps.now);
  if (!syncIndexing) followSyncWrites(deps.db, searchIndex, deps.events);
  const indexReady = async (): Promise<void> => {
    if (syncIndexing && (await syncIndexing.catchUpSearchIndex())) return;
    searchIndex.catchUp();
  };
  return {
    searchIndex,
    indexReady,
    devices,
    savedSearches: new SavedSearchStore(deps.db, deps.now),
    exports: new ExportService(deps.db, devices, deps.audit, deps.events.emit, path.join(deps.dataDir, EXPORTS_FOLDER), deps.now, deps.actor, deps.auditSeal, deps.deviceTrust),
  };
}

/**
 * When a sync finishes, on the thread that ran it: the search index takes the run's last devices (during the run the
 * engine's `maintenance` keeps it in step, SyncEngineOptions) and the planner's statistics are refreshed.
 */
export function followSyncWrites(db: Db, searchIndex: DeviceSearchIndex, events: EventBus): () => void {
  return events.subscribe((name) => {
    if (name !== 'sync.finished') return;
    searchIndex.catchUp();
    refreshPlannerStatistics(db);
  });
}
