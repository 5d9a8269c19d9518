/**
 * The sync worker thread: SyncEngine with a database connection of its own, so that fetching, parsing and writing a
 * million devices never stalls the thread that serves the UI and the IPC (the Electron main, the CLI, the rig). The
 * search index and the planner's statistics follow the sync here too, on the same connection, between its writes.
 *
 * Built as its own entry beside each bundle (out/main/sync-worker.js, out/cli/sync-worker.cjs); tests and tools run
 * this source through tsx. WorkerSyncEngine (worker-sync-engine.ts) starts it and speaks sync-worker-protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError, toErrorPayload } from '../../../src-shared/errors';
import { lowerThreadPriority } from '../app/thread-priority';
import { openAnotherConnection } from '../db/database';
import { useSqliteBinding } from '../db/sqlite-binding';
import { followSyncWrites } from '../devices/device-services';
import { DeviceSearchIndex } from '../devices/device-search-index';
import { EventBus } from '../events/event-bus';
import type { IvantiCredentials } from '../integrations/integration-service';
import { SyncEngine } from './sync-engine';
import type { FromSyncWorker, SyncWorkerData, ToSyncWorker } from './sync-worker-protocol';
import { SYNC_WORKER_PAGE_CACHE_KIB } from './thread-limits';

const port = parentPort;
if (!port) throw new Error('sync-worker runs as a worker thread only.');

const { databaseFile, sqliteBinding, niceness } = workerData as SyncWorkerData;
// First, so that every thread this one starts (compressing, search index, WAL checkpoints) inherits it.
lowerThreadPriority(niceness);
useSqliteBinding(sqliteBinding);
const db = openAnotherConnection(databaseFile, undefined, SYNC_WORKER_PAGE_CACHE_KIB);
const events = new EventBus();
const searchIndex = new DeviceSearchIndex(db);
const credentials = new Map<string, IvantiCredentials>();
let liveInProcess: ReadonlySet<string> = new Set();

const engine = new SyncEngine({
  db,
  events,
  now: () => new Date(),
  credentials: async (integrationId) => {
    const given = credentials.get(integrationId);
    credentials.delete(integrationId);
    if (!given) throw new AppError('CREDENTIALS_MISSING', 'The sync worker was started without the integration\'s credentials.');
    return given;
  },
  liveElsewhere: (owner) => liveInProcess.has(owner),
  // Between its writes, paced with them: a catch-up outside the checkpointer's pacing lets the WAL grow unbounded.
  maintenance: (chunks) => searchIndex.catchUp(undefined, chunks),
});

const post = (message: FromSyncWorker): void => port.postMessage(message);
// Forwarded first, so the main thread hears of a finished run before the index and statistics work that follows it.
events.subscribe((name, payload) => post({ type: 'event', name, payload }));
followSyncWrites(db, searchIndex, events);

const running = new Set<Promise<unknown>>();

port.on('message', (message: ToSyncWorker) => {
  switch (message.type) {
    case 'start': {
      liveInProcess = new Set(message.liveOwners);
      credentials.set(message.integrationId, message.credentials);
      engine.start(message.integrationId, message.trigger, message.owner).then(
        (started) => {
          post({ type: 'started', requestId: message.requestId, runId: started.runId, resumed: started.resumed });
          const finished = started.finished.then((run) => post({ type: 'finished', integrationId: message.integrationId, run }));
          running.add(finished);
          void finished.finally(() => running.delete(finished));
        },
        (error: unknown) => {
          credentials.delete(message.integrationId);
          post({ type: 'refused', requestId: message.requestId, error: toErrorPayload(error) });
        },
      );
      return;
    }
    case 'cancel':
      engine.cancel(message.integrationId);
      return;
    case 'catch-up-index': {
      // Between two of the engine's writes (this thread runs one thing at a time), outside any transaction of its own.
      // If it fails, the asking thread catches up itself and meets the error there.
      let ok = true;
      try {
        searchIndex.catchUp();
      } catch {
        ok = false;
      }
      post({ type: 'index-caught-up', requestId: message.requestId, ok });
      return;
    }
    case 'finish-index-build': {
      const { requestId } = message;
      const build = engine.finishIndexBuild((progress) => post({ type: 'index-build-progress', requestId, ...progress })).then(
        (built) => post({ type: 'index-build-finished', requestId, built, error: null }),
        (error: unknown) => post({ type: 'index-build-finished', requestId, built: 0, error: toErrorPayload(error) }),
      );
      running.add(build);
      void build.finally(() => running.delete(build));
      return;
    }
    case 'shutdown':
      // Runs stop without writing again (each resumes from its last committed page); then the connection closes.
      void Promise.allSettled([engine.shutdown(), ...running]).then(() => {
        db.close();
        post({ type: 'closed' });
        port.close();
      });
      return;
  }
});
