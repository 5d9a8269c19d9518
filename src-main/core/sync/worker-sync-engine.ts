import type { Worker } from 'node:worker_threads';
import type { SyncProgress, SyncRun, SyncTrigger } from '../../../src-shared/domain/sync';
import { AppError, fromErrorPayload } from '../../../src-shared/errors';
import { startScriptWorker } from '../app/script-worker';
import { checkNiceness } from '../app/thread-priority';
import type { Db } from '../db/database';
import { sqliteBinding } from '../db/sqlite-binding';
import type { SyncIndexing } from '../devices/device-services';
import type { EventBus } from '../events/event-bus';
import type { IvantiCredentials } from '../integrations/integration-service';
import { IntegrationStore } from '../integrations/integration-store';
import { DeviceStore } from './device-store';
import type { IndexBuildProgress } from '../db/deferred-indexes';
import { alreadyRunning, interruptedRun, newSyncOwner, ownersLiveOnThisThread, type StartedSync, type SyncRunner } from './sync-engine';
import type { FromSyncWorker, SyncWorkerData, ToSyncWorker } from './sync-worker-protocol';
import { SyncRunStore } from './sync-run-store';
import { SYNC_WORKER_LIMITS } from './thread-limits';

export interface WorkerSyncEngineOptions {
  db: Db;
  /** The sync worker's script: `sync-worker.js`/`.cjs` beside a bundle, or sync-worker.ts (run through tsx). */
  script: string;
  credentials: (integrationId: string) => Promise<IvantiCredentials>;
  events: EventBus;
  now: () => Date;
  /** Whether some written device is not searchable yet (DeviceSearchIndex.isBehind): finishIndexBuild catches it up. */
  searchIndexBehind?: () => boolean;
  /**
   * The niceness the sync worker runs at, with every thread it starts (lowerThreadPriority; Linux only): above 0, the
   * calling thread, which serves the UI, gets a core first when it wakes. 0 (the default) leaves the worker as it is.
   */
  niceness?: number;
}

interface HostedRun {
  owner: string;
  /** The integrations this run fetches for (its own first): a sibling's start joins it (see SyncEngine). */
  group: readonly string[];
  /** Null while the worker claims the run. */
  runId: number | null;
  progress: SyncProgress | null;
  /** Cancel was asked for before the worker had claimed the run: sent on as soon as it has. */
  cancelRequested: boolean;
  finished: Promise<SyncRun>;
  settle: (run: SyncRun) => void;
}

interface PendingStart {
  resolve: (reply: { runId: number; resumed: boolean }) => void;
  reject: (error: AppError) => void;
}

/**
 * The niceness of the desktop app's sync worker and the threads it starts (WorkerSyncEngineOptions.niceness; Linux):
 * 10, nice's own default. When the Electron main thread, which serves the UI and its IPC, and the sync's threads want a
 * core at once, the main thread gets it first, and so do V8's helper threads, which a full collection of the main
 * thread's heap waits for. A sync on a machine busy with other work gets less of the CPU: the sync waits, not the UI.
 * tec runs its syncs at 0: nothing of its waits on them.
 *
 * bench:sync --size-only at 1,000,000 devices (the simulator at the same niceness), interleaved, 2026-12-07 on two
 * cores (load 2.3-3.2): the main thread's longest stall 39.0 / 44.6 / 30.8 ms at 10 (idle control 32.3 / 39.9 / 25.6)
 * against 59.4 / 36.6 / 42.5 at 0 (30.9 / 25.7 / 30.0). Its longest pause in each was a full collection of its own heap
 * that V8's memory reducer started ~16 s into the sync: 24.6-38.2 ms at 10 against 34.3-40.6 at 0. The syncs took
 * 67.5-73.3 s against 64.1-76.9.
 */
export const UI_SYNC_WORKER_NICENESS = 10;

/** Owners of the runs this process's sync workers execute; every worker is told of them all (see SyncEngine). */
const hostedOwners = new Set<string>();

/**
 * Runs syncs in the sync worker thread (sync-worker.ts) and looks, to the app, the scheduler and the CLI, like the
 * SyncEngine it hosts: the same start/cancel/running API, the same `sync.progress` and `sync.finished` events on the
 * bus. The calling thread only reads the keychain and relays messages, so its event loop stays free during a
 * million-device sync. Reads (run history, device lookups) stay on the caller's connection.
 *
 * The worker starts with the first sync and is kept while the app runs, holding the process open only while a run
 * executes and, on shutdown, until it has closed its connection. If it dies, its runs end `interrupted` (the database has their last committed checkpoint, from which the
 * next start resumes) and the next start gets a new worker.
 */
export class WorkerSyncEngine implements SyncRunner, SyncIndexing {
  readonly runs: SyncRunStore;
  readonly devices: DeviceStore;
  #worker: Worker | null = null;
  #closed = false;
  #nextRequest = 1;
  readonly #requests = new Map<number, PendingStart>();
  readonly #active = new Map<string, HostedRun>();
  /** Runs started in the worker whose end, and the work after it, it has not reported: it keeps the search index. */
  #indexing = 0;
  readonly #indexRequests = new Map<number, (caughtUpThere: boolean) => void>();
  readonly #builds = new Map<number, { onProgress?: (progress: IndexBuildProgress) => void; settle: (built: number, error: AppError | null) => void }>();

  readonly #integrations: IntegrationStore;

  constructor(private readonly options: WorkerSyncEngineOptions) {
    if (options.niceness !== undefined) checkNiceness(options.niceness);
    this.runs = new SyncRunStore(options.db);
    this.devices = new DeviceStore(options.db);
    this.#integrations = new IntegrationStore(options.db);
  }

  async start(integrationId: string, trigger: SyncTrigger): Promise<StartedSync> {
    if (this.#closed) throw shuttingDown();
    if (this.#active.has(integrationId)) throw alreadyRunning();
    const shared = this.#activeFor(integrationId);
    if (shared?.runId != null) return { runId: shared.runId, resumed: false, finished: shared.finished };
    if (shared) throw alreadyRunning();
    let settle!: (run: SyncRun) => void;
    const finished = new Promise<SyncRun>((resolve) => (settle = resolve));
    const group = this.#integrations.fetchGroup(integrationId);
    const hosted: HostedRun = { owner: newSyncOwner(), group, runId: null, progress: null, cancelRequested: false, finished, settle };
    this.#active.set(integrationId, hosted);
    try {
      const credentials = await this.options.credentials(integrationId);
      if (this.#closed) throw shuttingDown();
      this.#ensureWorker();
      hostedOwners.add(hosted.owner);
      const requestId = this.#nextRequest++;
      const reply = new Promise<{ runId: number; resumed: boolean }>((resolve, reject) => this.#requests.set(requestId, { resolve, reject }));
      this.#holdWhileAwaited();
      this.#indexing += 1;
      this.#post({
        type: 'start',
        requestId,
        integrationId,
        trigger,
        owner: hosted.owner,
        credentials,
        liveOwners: [...hostedOwners, ...ownersLiveOnThisThread()],
      });
      const { runId, resumed } = await reply.catch((error: unknown) => {
        // Refused: no run, and so no `finished` message, will follow.
        this.#indexing = Math.max(0, this.#indexing - 1);
        throw error;
      });
      hosted.runId = runId;
      if (hosted.cancelRequested) this.#post({ type: 'cancel', integrationId });
      return { runId, resumed, finished };
    } catch (error) {
      this.#release(integrationId, hosted);
      throw error;
    }
  }

  cancel(integrationId: string): boolean {
    const hosted = this.#activeFor(integrationId);
    if (!hosted) return false;
    if (hosted.runId === null) hosted.cancelRequested = true;
    else this.#post({ type: 'cancel', integrationId: hosted.group[0]! });
    return true;
  }

  running(integrationId: string): { runId: number; progress: SyncProgress | null; finished: Promise<SyncRun> } | null {
    const hosted = this.#activeFor(integrationId);
    return hosted?.runId == null ? null : { runId: hosted.runId, progress: hosted.progress, finished: hosted.finished };
  }

  isRunning(integrationId: string): boolean {
    return this.#activeFor(integrationId) !== undefined;
  }

  /** The run of this integration, or of the one whose fetch it shares (same tenant and API user). */
  #activeFor(integrationId: string): HostedRun | undefined {
    return this.#active.get(integrationId) ?? [...this.#active.values()].find((run) => run.group.includes(integrationId));
  }

  ownsSearchIndex(): boolean {
    return this.#indexing > 0 && this.#worker !== null;
  }

  async catchUpSearchIndex(): Promise<boolean> {
    if (!this.ownsSearchIndex()) return false;
    const requestId = this.#nextRequest++;
    const caughtUp = new Promise<boolean>((resolve) => this.#indexRequests.set(requestId, resolve));
    this.#holdWhileAwaited();
    this.#post({ type: 'catch-up-index', requestId });
    return caughtUp;
  }

  /**
   * SyncEngine.finishIndexBuild in the worker, so the caller's thread stays free; the worker starts only when an index
   * is left to build or the search index is behind. Searches meanwhile ask the worker to catch up (catchUpSearchIndex),
   * so this thread never applies a whole re-queued index itself. Rejects with the error that stopped the build (what is
   * built stays; the next sync builds the rest).
   */
  async finishIndexBuild(onProgress?: (progress: IndexBuildProgress) => void): Promise<number> {
    if (this.#closed || (this.devices.deferredIndexes().length === 0 && !this.options.searchIndexBehind?.())) return 0;
    this.#ensureWorker();
    const requestId = this.#nextRequest++;
    // The worker keeps the search index meanwhile: it catches it up after the build.
    this.#indexing += 1;
    const built = new Promise<number>((resolve, reject) => {
      this.#builds.set(requestId, { onProgress, settle: (count, error) => (error ? reject(error) : resolve(count)) });
    });
    this.#holdWhileAwaited();
    this.#post({ type: 'finish-index-build', requestId });
    try {
      return await built;
    } finally {
      this.#indexing = Math.max(0, this.#indexing - 1);
      this.#holdWhileAwaited();
    }
  }

  /**
   * For closing the database: the worker stops every run without writing again (each resumes from its last committed
   * page on the next start), finishes the work after a run that ended (search index, statistics), closes its
   * connection and ends; settles then. It is terminated if it has not ended within seconds.
   */
  shutdown(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return Promise.resolve();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.#post({ type: 'shutdown' });
    // Held open until it has closed its connection (a caller awaiting this must not see the process end first).
    worker.ref();
    setTimeout(() => void worker.terminate(), 5_000).unref();
    return exited;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const workerData: SyncWorkerData = { databaseFile: this.options.db.name, sqliteBinding: sqliteBinding(), niceness: this.options.niceness ?? 0 };
    let worker: Worker;
    try {
      worker = launchWorker(this.options.script, workerData);
    } catch (error) {
      throw new AppError('SYNC_FAILED', `The sync worker could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    worker.on('message', (message: FromSyncWorker) => this.#receive(message));
    worker.on('error', (error) => this.#lost(worker, error));
    worker.on('exit', (code) => this.#lost(worker, new Error(`it exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #receive(message: FromSyncWorker): void {
    switch (message.type) {
      case 'started':
      case 'refused': {
        const request = this.#requests.get(message.requestId);
        this.#requests.delete(message.requestId);
        if (message.type === 'started') request?.resolve({ runId: message.runId, resumed: message.resumed });
        else request?.reject(fromErrorPayload(message.error));
        return;
      }
      case 'event': {
        const payload = message.payload as { integrationId: string; runId: number; run?: SyncRun };
        const hosted = this.#active.get(payload.integrationId);
        if (message.name === 'sync.progress' && hosted) hosted.progress = message.payload as SyncProgress;
        // Settled first, so that listeners of sync.finished see the integration as no longer syncing.
        if (message.name === 'sync.finished' && hosted && payload.run) this.#settle(payload.integrationId, payload.run);
        // Once shutdown began the caller closes its database: a listener reading it would throw in this handler and
        // end the process (a late event of a run's upkeep crossing the shutdown request).
        if (!this.#closed) this.options.events.emit(message.name, message.payload as never);
        return;
      }
      case 'finished':
        this.#settle(message.integrationId, message.run);
        this.#indexing = Math.max(0, this.#indexing - 1);
        return;
      case 'index-caught-up':
        this.#indexRequests.get(message.requestId)?.(message.ok);
        this.#indexRequests.delete(message.requestId);
        this.#holdWhileAwaited();
        return;
      case 'index-build-progress':
        this.#builds.get(message.requestId)?.onProgress?.({ built: message.built, total: message.total });
        return;
      case 'index-build-finished': {
        const build = this.#builds.get(message.requestId);
        this.#builds.delete(message.requestId);
        build?.settle(message.built, message.error === null ? null : fromErrorPayload(message.error));
        return;
      }
      case 'closed':
        return;
    }
  }

  #settle(integrationId: string, run: SyncRun): void {
    const hosted = this.#active.get(integrationId);
    if (!hosted || hosted.runId !== run.id) return;
    this.#release(integrationId, hosted);
    hosted.settle(run);
  }

  #release(integrationId: string, hosted: HostedRun): void {
    if (this.#active.get(integrationId) === hosted) this.#active.delete(integrationId);
    hostedOwners.delete(hosted.owner);
    this.#holdWhileAwaited();
  }

  /**
   * The worker holds the process open while the caller awaits it (a run, an index build, a catch-up), and only then:
   * an idle worker must not keep a CLI process alive. Once shutdown has begun, shutdown holds it until it has exited.
   */
  #holdWhileAwaited(): void {
    if (this.#closed || this.#worker === null) return;
    if (this.#active.size > 0 || this.#builds.size > 0 || this.#indexRequests.size > 0) this.#worker.ref();
    else this.#worker.unref();
  }

  /** The worker failed or ended: its starts are refused and its runs end interrupted, resumable from their checkpoint. */
  #lost(worker: Worker, cause: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    const error = { code: 'SYNC_FAILED' as const, message: `The sync worker stopped unexpectedly (${cause.message}); the next sync resumes from the last saved page.` };
    for (const [id, request] of this.#requests) {
      this.#requests.delete(id);
      request.reject(new AppError(error.code, error.message));
    }
    // What the worker had not indexed, the caller's thread now indexes itself.
    this.#indexing = 0;
    for (const [id, build] of this.#builds) {
      this.#builds.delete(id);
      build.settle(0, new AppError(error.code, `The sync worker stopped while it built the device indexes (${cause.message}); the next sync builds the rest.`));
    }
    for (const [id, resolve] of this.#indexRequests) {
      this.#indexRequests.delete(id);
      resolve(false);
    }
    for (const [integrationId, hosted] of [...this.#active]) {
      if (hosted.runId === null) continue;
      const run = interruptedRun(this.runs, integrationId, hosted.runId, this.options.now().getTime(), this.#closed ? undefined : error);
      this.#release(integrationId, hosted);
      hosted.settle(run);
      if (!this.#closed) this.options.events.emit('sync.finished', { integrationId, runId: run.id, run });
    }
  }

  #post(message: ToSyncWorker): void {
    this.#worker?.postMessage(message);
  }
}

function launchWorker(script: string, workerData: SyncWorkerData): Worker {
  return startScriptWorker(script, { workerData, resourceLimits: SYNC_WORKER_LIMITS });
}

function shuttingDown(): AppError {
  return new AppError('SYNC_FAILED', 'The console is shutting down; sync was not started.');
}
