import type { EventName } from '../../../src-shared/contract';
import type { SyncRun, SyncTrigger } from '../../../src-shared/domain/sync';
import type { ErrorPayload } from '../../../src-shared/errors';
import type { IvantiCredentials } from '../integrations/integration-service';

/** What the sync worker is started with. */
export interface SyncWorkerData {
  /** The database the main thread opened (and so checked and migrated); the worker opens its own connection. */
  databaseFile: string;
  /** The better-sqlite3 binary the main thread loads (sqlite-binding.ts); null for node_modules' own. */
  sqliteBinding: string | null;
  /** The niceness the worker lowers itself, and so the threads it starts, to (WorkerSyncEngineOptions.niceness). */
  niceness: number;
}

/** Main thread → sync worker. */
export type ToSyncWorker =
  | {
      type: 'start';
      requestId: number;
      integrationId: string;
      trigger: SyncTrigger;
      /** The run's owner, registered on the main thread before the worker claims the run. */
      owner: string;
      /** Read from the keychain on the main thread; the worker holds it only for the run and never writes it down. */
      credentials: IvantiCredentials;
      /** Owners of every run live in this process when the start was asked for. */
      liveOwners: string[];
    }
  | { type: 'cancel'; integrationId: string }
  /** Catch the search index up now (a search is waiting for it), then answer `index-caught-up`. */
  | { type: 'catch-up-index'; requestId: number }
  /** At the app's start: finish an index build a crash stopped (SyncEngine.finishIndexBuild). */
  | { type: 'finish-index-build'; requestId: number }
  | { type: 'shutdown' };

/** Sync worker → main thread. */
export type FromSyncWorker =
  | { type: 'started'; requestId: number; runId: number; resumed: boolean }
  | { type: 'refused'; requestId: number; error: ErrorPayload }
  | { type: 'event'; name: EventName; payload: unknown }
  /** The run is over and so is the work after it (search index, planner statistics). */
  | { type: 'finished'; integrationId: string; run: SyncRun }
  | { type: 'index-caught-up'; requestId: number; ok: boolean }
  | { type: 'index-build-progress'; requestId: number; built: number; total: number }
  /** `built` indexes; `error` when the build stopped on one (the next sync builds the rest). */
  | { type: 'index-build-finished'; requestId: number; built: number; error: ErrorPayload | null }
  | { type: 'closed' };
