/**
 * Syncs an integration's managed devices from Ivanti Neurons into SQLite: every visible device space, page by page,
 * each page's rows and the run's checkpoint committed in one transaction, so a cancel, a crash or a network loss at
 * any instant loses nothing and duplicates nothing, and the next start resumes the same run from its checkpoint.
 *
 * Correctness over a tenant that changes while it is read rests on three things: anchored offset paging sorted by
 * device id (space-cursor.ts), which skips and repeats nothing; a count check at the end of every pass over a space
 * (a pass that stored a different number of devices than the tenant then reports saw devices removed, or appear out
 * of id order, while it read); and reconciliation rounds after all spaces: each round reads every space's end again
 * (new enrolments, and the count check again) and reads a space that failed its count check again from row 0. Rounds
 * repeat while anything changes, up to maxReconcileRounds. Only a run that read every space to the end may mark the
 * devices it did not see as removed; those are kept, never deleted.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { IVANTI_MAX_ROWS, type DeviceRecord, type DeviceSpace } from '../ivanti/ivanti-wire';
import { SPACE_FAILURE_CODES, type SyncProgress, type SyncRun, type SyncRunError, type SyncRunStatus, type SyncTrigger } from '../../../src-shared/domain/sync';
import { AppError, toErrorPayload, type ErrorCode } from '../../../src-shared/errors';
import type { Db } from '../db/database';
import { withSortsOnDisk, type IndexBuildProgress } from '../db/deferred-indexes';
import type { EventBus } from '../events/event-bus';
import { SearchIndexBuild } from '../devices/device-search-index';
import { deviceInventory } from '../integrations/device-inventory';
import type { IvantiCredentials } from '../integrations/integration-service';
import { IntegrationStore } from '../integrations/integration-store';
import { STABLE_DEVICE_SORT, type DeviceRecordPage, type IvantiRetryEvent } from '../ivanti/ivanti-client';
import { ivantiPageSource, type DevicePageSource, type PageSourceFactory } from './device-page-source';
import { DeviceStore, type PageContext } from './device-store';
import { growHeapsForBulkLoad } from './bulk-load-heap';
import { DeviceRecordCodec, type RecordCompressor } from './device-record-codec';
import { prepareRecords, type PreparedRecords } from './device-row';
import { RunSeenSet } from './run-seen-set';
import { judgePage, positionAfter, type CursorPosition, type FreshRecord, type PagedRecord } from './space-cursor';
import type { SpaceCursorState, SyncCheckpoint } from './sync-checkpoint';
import { parseCheckpoint } from './sync-checkpoint';
import { SyncProgressMeter, type ProgressSnapshot } from './sync-progress-meter';
import { countersOf, SyncRunStore, toSyncRun, type RunCounters } from './sync-run-store';
import { WalCheckpointer } from './wal-checkpointer';

export interface SyncEngineOptions {
  db: Db;
  /** Internal to main: the Ivanti password goes from here to the page source and nowhere else. */
  credentials: (integrationId: string) => Promise<IvantiCredentials>;
  events: EventBus;
  now: () => Date;
  connect?: PageSourceFactory;
  /** Rows per request, at most 500 (Ivanti's limit, and the fewest round trips). */
  pageRows?: number;
  /**
   * A page is written in chunks whose size adapts (from MIN_CHUNK_ROWS up) until one transaction (rows + checkpoint)
   * takes about this long: the engine's own thread stays responsive (cancel, progress), and another connection's
   * write (the UI saving a setting while the sync worker writes) never waits on the lock for longer.
   */
  targetWriteMs?: number;
  /** Rows each request repeats from the previous page, to anchor it. */
  overlapRows?: number;
  /** Reconciliation rounds at most; a space still changing after them is reported (SYNC_TENANT_CHANGING). */
  maxReconcileRounds?: number;
  /** Removals marked per transaction when a complete run finishes. */
  removalBatch?: number;
  progressIntervalMs?: number;
  /**
   * Owners of runs that live in this process but not in this engine's thread (an engine in the sync worker asks the
   * main thread's registry), so a live run started elsewhere in the process is never taken for a crashed one.
   */
  liveElsewhere?: (owner: string) => boolean;
  /**
   * Work that keeps data derived from the devices in step with the sync's writes (the search index), on the sync's
   * connection: run between chunk writes once `maintenanceEveryDevices` devices were stored since the last time, and
   * paced by the WAL checkpointer like every bulk write. Each run of it is one FTS5 commit, whose segment merging costs
   * more the bigger the index: at 300,000 devices, catching up every 250 ms made the sync 47 % slower than not
   * indexing, every ~5,000 devices 12 %. Readers that need the newest devices ask for a catch-up (sync-worker.ts).
   * With `chunks`, it commits at most that many of its transactions; it returns how many devices it (re)indexed, 0
   * when nothing was left.
   */
  maintenance?: (chunks?: number) => number;
  maintenanceEveryDevices?: number;
  /**
   * A run whose backlog (devices the tenant lists beyond those stored for it) reaches this many, and is at least the
   * size of the whole devices table, is loaded in bulk: see #beginBulkLoad. Default BULK_LOAD_FROM.
   */
  bulkLoadFrom?: number;
}

export interface StartedSync {
  runId: number;
  resumed: boolean;
  /** Settles with the run record when the run ends, whatever the outcome; never rejects. */
  finished: Promise<SyncRun>;
}

/** What the app, the scheduler and the CLI need of a sync engine: this one on the calling thread, or WorkerSyncEngine. */
export interface SyncRunner {
  readonly runs: SyncRunStore;
  readonly devices: DeviceStore;
  start(integrationId: string, trigger: SyncTrigger): Promise<StartedSync>;
  cancel(integrationId: string): boolean;
  running(integrationId: string): { runId: number; progress: SyncProgress | null; finished: Promise<SyncRun> } | null;
  isRunning(integrationId: string): boolean;
  /** Stops every run without writing again; settles once nothing of the engine touches the database any more. */
  shutdown(): Promise<void>;
  /** At start-up, off the caller's thread where it can: see SyncEngine.finishIndexBuild. */
  finishIndexBuild(onProgress?: (progress: IndexBuildProgress) => void): Promise<number>;
}

interface ActiveRun {
  runId: number;
  /** The integrations this run fetches for (its own first): a sibling's start joins it instead of fetching again. */
  group: readonly string[];
  controller: AbortController;
  meter: SyncProgressMeter | null;
  finished: Promise<SyncRun>;
}

interface RunContext {
  integrationId: string;
  /** Devices are keyed by (tenant, guid): core/integrations/device-inventory.ts. */
  tenant: string;
  /** This integration, then those of the same tenant and API user, which share this fetch. */
  group: readonly string[];
  runId: number;
  checkpoint: SyncCheckpoint | null;
  /** The devices each pass over each space saw; saved with every checkpoint. */
  seen: RunSeenSet;
  counters: RunCounters;
  signal: AbortSignal;
  meter: SyncProgressMeter;
  sessionStartedAt: number;
  activeMsBefore: number;
  /** The explorer's indexes are set aside while this run loads (#beginBulkLoad). */
  bulk: boolean;
  /**
   * A bulk load's helper thread, for the whole load: it compresses and hashes each page's records before the page is
   * written. Any other run hashes its records on this thread, as it writes them (see #execute).
   */
  compressor: RecordCompressor | null;
  /** Ends a bulk load's faster heap growth (growHeapsForBulkLoad), with the compressor. */
  releaseHeapGrowth: (() => void) | null;
  /** A bulk load's search index, built on another thread as the load queues its devices (#followBulkLoad). */
  searchIndexBuild: SearchIndexBuild | null;
}

/** A page as read, and, in a bulk load, its records being prepared for the write (prepareRecords). */
interface FetchedPage {
  page: DeviceRecordPage;
  prepared: Promise<PreparedRecords> | null;
}

/** Errors the admin must fix before a retry can help; the run ends `failed` and is not resumed. */
const NEEDS_ADMIN: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'IVANTI_AUTH_REJECTED',
  'IVANTI_MFA_REQUIRED',
  'IVANTI_FORBIDDEN',
  'IVANTI_NO_SPACES',
  'IVANTI_INSECURE_URL',
  'IVANTI_TLS_FAILED',
  'IVANTI_DNS_FAILED',
  'CREDENTIALS_MISSING',
  'INTEGRATION_NOT_FOUND',
  'VALIDATION_FAILED',
]);

/** Devices stored between two runs of the engine's maintenance (see SyncEngineOptions.maintenance). */
export const MAINTENANCE_EVERY_DEVICES = 5_000;

/** The smallest backlog loaded in bulk (SyncEngineOptions.bulkLoadFrom). */
export const BULK_LOAD_FROM = 10_000;

/** Write chunks start here and never shrink below it: each transaction has a fixed cost too. */
const MIN_CHUNK_ROWS = 25;

/** A 'running' run whose owner has not written for this long is taken over even if its pid exists (pid reuse). */
const STALE_OWNER_MS = 10 * 60_000;

/** Owners of runs executing in this process, for telling a crashed run of this pid from a live one. */
const liveOwners = new Set<string>();

export class SyncEngine implements SyncRunner {
  readonly #db: Db;
  readonly #runs: SyncRunStore;
  readonly #devices: DeviceStore;
  readonly #integrations: IntegrationStore;
  readonly #active = new Map<string, ActiveRun>();
  /** The search index being built on another thread while the deferred indexes build (#buildDeferredIndexes). */
  #searchIndexBuild: SearchIndexBuild | null = null;
  readonly #checkpointer: WalCheckpointer;
  readonly #connect: PageSourceFactory;
  readonly #rows: number;
  #chunkRows = MIN_CHUNK_ROWS;
  readonly #targetWriteMs: number;
  readonly #overlap: number;
  readonly #maxRounds: number;
  readonly #removalBatch: number;
  readonly #progressIntervalMs: number;
  readonly #bulkLoadFrom: number;
  #storedSinceMaintenance = 0;
  #closed = false;
  /** The start-up index build while it runs (finishIndexBuild), settled either way: shutdown waits for it. */
  #finishing: Promise<void> | null = null;

  constructor(private readonly options: SyncEngineOptions) {
    this.#db = options.db;
    this.#runs = new SyncRunStore(options.db);
    this.#devices = new DeviceStore(options.db);
    this.#integrations = new IntegrationStore(options.db);
    this.#checkpointer = new WalCheckpointer(options.db);
    this.#connect = options.connect ?? ivantiPageSource;
    this.#rows = Math.min(IVANTI_MAX_ROWS, Math.max(2, options.pageRows ?? IVANTI_MAX_ROWS));
    this.#targetWriteMs = options.targetWriteMs ?? 15;
    this.#overlap = Math.min(this.#rows - 1, Math.max(1, options.overlapRows ?? 5));
    this.#maxRounds = options.maxReconcileRounds ?? 3;
    this.#removalBatch = options.removalBatch ?? 250;
    this.#progressIntervalMs = options.progressIntervalMs ?? 250;
    this.#bulkLoadFrom = options.bulkLoadFrom ?? BULK_LOAD_FROM;
  }

  get runs(): SyncRunStore {
    return this.#runs;
  }

  get devices(): DeviceStore {
    return this.#devices;
  }

  /**
   * Starts a run, or resumes the integration's unfinished one (same run id). Answers once the run is claimed; the run
   * goes on in the background. SYNC_ALREADY_RUNNING when this or another process is syncing the integration.
   */
  async start(integrationId: string, trigger: SyncTrigger, owner: string = newSyncOwner()): Promise<StartedSync> {
    if (this.#closed) throw new AppError('SYNC_FAILED', 'The console is shutting down; sync was not started.');
    if (this.#active.has(integrationId)) throw alreadyRunning();
    const shared = this.#sharedRun(integrationId);
    if (shared) return shared;
    const credentials = await this.options.credentials(integrationId);
    if (this.#active.has(integrationId)) throw alreadyRunning();
    const sharedNow = this.#sharedRun(integrationId);
    if (sharedNow) return sharedNow;
    const { tenant } = deviceInventory(credentials.domain, credentials.email);
    const group = this.#integrations.fetchGroup(integrationId);
    const at = this.#now();
    const claimed = this.#db
      .transaction(() => {
        const unfinished = this.#runs.findResumable(integrationId);
        if (unfinished?.status === 'running' && unfinished.owner !== null && ownerAlive(unfinished.owner, unfinished.heartbeat_at, at, this.options.liveElsewhere)) {
          throw alreadyRunning();
        }
        if (unfinished) {
          this.#runs.claim(unfinished.id, owner, at);
          return { runId: unfinished.id, resumed: true, checkpoint: parseCheckpoint(unfinished.checkpoint), counters: countersOf(unfinished) };
        }
        const runId = this.#runs.create(integrationId, trigger, owner, at);
        return { runId, resumed: false, checkpoint: null, counters: countersOf(this.#runs.row(runId)!) };
      })
      .immediate();
    liveOwners.add(owner);
    this.#checkpointer.acquire();
    const controller = new AbortController();
    const meter = new SyncProgressMeter(
      { integrationId, runId: claimed.runId, resumed: claimed.resumed },
      (progress) => this.options.events.emit('sync.progress', progress),
      () => this.#now(),
      this.#progressIntervalMs,
    );
    const context: RunContext = {
      integrationId,
      tenant,
      group,
      runId: claimed.runId,
      checkpoint: claimed.checkpoint,
      seen: RunSeenSet.load(this.#db, claimed.runId),
      counters: { ...claimed.counters, errors: claimed.resumed ? claimed.counters.errors : [] },
      signal: controller.signal,
      meter,
      sessionStartedAt: at,
      activeMsBefore: claimed.counters.activeMs,
      bulk: false,
      compressor: null,
      releaseHeapGrowth: null,
      searchIndexBuild: null,
    };
    const finished = this.#execute(context, credentials)
      .catch(() => this.#salvage(integrationId, claimed.runId))
      .finally(() => {
        this.#checkpointer.release();
        liveOwners.delete(owner);
        this.#active.delete(integrationId);
      });
    this.#active.set(integrationId, { runId: claimed.runId, group, controller, meter, finished });
    return { runId: claimed.runId, resumed: claimed.resumed, finished };
  }

  /**
   * The run already fetching for this integration's tenant and API user (docs/architecture.md, "One device per
   * tenant"): the integrations of one fetch group share one run instead of reading the tenant twice.
   */
  #sharedRun(integrationId: string): StartedSync | null {
    const active = this.#activeFor(integrationId);
    return active === undefined ? null : { runId: active.runId, resumed: false, finished: active.finished };
  }

  /** The run of this integration, or of the one whose fetch it shares. */
  #activeFor(integrationId: string): ActiveRun | undefined {
    return this.#active.get(integrationId) ?? [...this.#active.values()].find((run) => run.group.includes(integrationId));
  }

  /** Stops the integration's run after the page in flight; what was written stays and the next start resumes. */
  cancel(integrationId: string): boolean {
    const active = this.#activeFor(integrationId);
    if (!active) return false;
    active.controller.abort();
    return true;
  }

  running(integrationId: string): { runId: number; progress: SyncProgress | null; finished: Promise<SyncRun> } | null {
    const active = this.#activeFor(integrationId);
    return active ? { runId: active.runId, progress: active.meter?.latest ?? null, finished: active.finished } : null;
  }

  isRunning(integrationId: string): boolean {
    return this.#activeFor(integrationId) !== undefined;
  }

  /**
   * For closing the database: stops every run without writing again. Their rows stay `running` with an owner that
   * no longer lives, so the next start resumes them from their last committed page. Settles once the runs have ended
   * and the WAL checkpoint thread has closed its connection (the sync worker closes its own connection after this).
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    const runs = [...this.#active.values()];
    for (const active of runs) active.controller.abort();
    // Whatever a run does after the abort, it writes nothing (#write refuses once closed). Its end releases the WAL
    // checkpoint thread, which still holds a connection and writes the -wal/-shm files until it has ended.
    await Promise.allSettled(runs.map((run) => run.finished));
    // The start-up build (finishIndexBuild) stops at its next write, and releases the checkpoint thread only then.
    await this.#finishing;
    await this.#searchIndexBuild?.stop();
    await this.#checkpointer.ended();
  }

  /**
   * For the app's start: finishes the index build of a bulk load that a crash or shutdown stopped once its devices were
   * all loaded, which the next sync (of any integration) would otherwise do; at a million devices that is minutes of
   * slower explorer queries. A bulk load stopped while still loading is left to its resumed run, which loads faster
   * without the indexes and builds them at its end. As the bulk load ends: one index per transaction, each followed by
   * a WAL checkpoint, then the search index catches up in large chunks. Returns how many indexes it built.
   *
   * The search index also catches up when no index is left to build: an upgrade that made it again queued every device
   * (migrations 0035, 0036), a minute or two of work at a million devices, which the first search would otherwise do
   * on the thread that asks (WorkerSyncEngine asks the worker only when the index is behind).
   */
  finishIndexBuild(onProgress?: (progress: IndexBuildProgress) => void): Promise<number> {
    const finishing = this.#finishIndexBuild(onProgress);
    const settled = finishing.then(
      () => undefined,
      () => undefined,
    );
    this.#finishing = settled;
    void settled.then(() => {
      if (this.#finishing === settled) this.#finishing = null;
    });
    return finishing;
  }

  async #finishIndexBuild(onProgress?: (progress: IndexBuildProgress) => void): Promise<number> {
    if (this.#closed || this.#active.size > 0 || this.#runs.hasUnfinishedLoad()) return 0;
    const total = this.#devices.deferredIndexes().length;
    // A build a crash stopped left its file (SearchIndexBuild): nothing in it is used again.
    if (!this.#db.memory && this.#searchIndexBuild === null) SearchIndexBuild.removeFile(this.#db.name);
    this.#checkpointer.acquire();
    try {
      // Told before each build, and once more (built = total) before the search index catches up.
      const built = total === 0 ? 0 : await this.#buildDeferredIndexes((done) => onProgress?.({ built: done, total }));
      await this.#catchUpSearchIndex();
      return built;
    } finally {
      this.#checkpointer.release();
    }
  }

  async #execute(ctx: RunContext, credentials: IvantiCredentials): Promise<SyncRun> {
    let source: DevicePageSource | null = null;
    try {
      source = this.#connect(credentials, { onRetry: (event) => ctx.meter.notice(retryNotice(event)) });
      this.#report(ctx, 'listing-spaces', null, true);
      const spaces = await source.listSpaces(ctx.signal);
      if (spaces.length === 0) {
        throw new AppError('IVANTI_NO_SPACES', 'The API user sees no device spaces. Give it the Device Read Only role in the spaces to sync.');
      }
      const checkpoint = mergeSpaces(ctx.checkpoint, spaces);
      ctx.checkpoint = checkpoint;
      this.#write(() => this.#save(ctx));
      ctx.bulk = this.#beginBulkLoad(ctx);
      // Only a bulk load has the helper thread. Any other run hashes each record here, from the object the client parsed:
      // on the thread, the page's text was posted there and parsed again (~2 us a record posting and ~6 parsing, the
      // thread's ~1.4 s of CPU at 100,000 devices), to save this thread ~7 us a record of serialising and hashing. Unchanged
      // re-syncs of 100,000 devices, interleaved in one process on one database, load 3.3-6.6: process CPU 3.6-4.5 s
      // (median 3.85) with the thread against 2.9-3.6 s (3.27) without it, lower in 11 rounds of 11; wall lower in 9 of 11.
      ctx.compressor = ctx.bulk ? DeviceRecordCodec.of(this.#db).compressor() : null;
      ctx.releaseHeapGrowth = ctx.bulk ? growHeapsForBulkLoad() : null;
      if (ctx.bulk) ctx.searchIndexBuild = this.#followBulkLoad();

      while (checkpoint.phase !== 'finalizing') {
        for (const [index, space] of checkpoint.spaces.entries()) {
          if (space.state === 'failed') continue;
          if (checkpoint.phase === 'reconciling' && space.state === 'verified') {
            // A space that failed its count check is read again from row 0; any other has its end read again with
            // the same cursor (enrolments since, and the count check again).
            if (space.drifted) this.#beginPass(space, ctx.counters.pages + 1, space.pass + 1);
            else Object.assign(space, { state: 'paging', start: Math.max(0, space.start - this.#overlap) });
            this.#write(() => this.#save(ctx));
          }
          if (space.state === 'verified') continue;
          await this.#readSpace(ctx, source, space, index);
        }
        if (checkpoint.phase === 'paging') {
          checkpoint.phase = 'reconciling';
        } else {
          checkpoint.round += 1;
          if (!checkpoint.roundChanged || checkpoint.round >= this.#maxRounds) {
            checkpoint.phase = 'finalizing';
            for (const space of checkpoint.spaces) if (space.state === 'verified' && space.drifted) this.#noteStillChanging(ctx, space);
          }
        }
        checkpoint.roundChanged = false;
        this.#write(() => this.#save(ctx));
      }
      await this.#finishBulkLoad(ctx);
      return await this.#finalize(ctx);
    } catch (error) {
      // A run that ends for any reason but shutdown leaves the explorer's indexes built; shutdown and crashes leave
      // them to the next run.
      if (ctx.bulk && !this.#closed) await this.#finishBulkLoad(ctx).catch(() => undefined);
      return this.#end(ctx, error);
    } finally {
      ctx.compressor?.close();
      ctx.releaseHeapGrowth?.();
      source?.close();
      // Left running only when the load did not reach its index build (shutdown): nothing it made is used.
      if (ctx.searchIndexBuild !== null) await this.#endSearchIndexBuild(ctx.searchIndexBuild);
    }
  }

  /**
   * Reads one space until its current pass is verified (or it fails). Storing anything, or starting another pass,
   * flags the round as changed (in the page's own transaction), so reconciliation goes on.
   */
  async #readSpace(ctx: RunContext, source: DevicePageSource, space: SpaceCursorState, index: number): Promise<void> {
    const { checkpoint, counters } = ctx as RunContext & { checkpoint: SyncCheckpoint };
    if (space.state === 'pending') this.#beginPass(space, counters.pages + 1, 1);
    const rows = this.#rows;
    // In a bulk load, a page's records are compressed on another thread from the moment it arrives: a prefetched page's
    // while the page before it is written.
    const request = (start: number): Promise<FetchedPage> =>
      source.searchDeviceRecords({ dmPartitionId: space.id, start, rows, sort: STABLE_DEVICE_SORT }, ctx.signal).then((page) => {
        const compressor = ctx.compressor;
        // Every record parsed: a bulk load writes them all.
        return { page, prepared: compressor === null ? null : prepareRecords(compressor, page.records.filter((record) => record.device() !== null), space) };
      });
    // The next page, asked for while this one is written: the tenant (Ivanti, or the network) answers during our SQLite
    // work instead of after it. Used only for the request it was made for (same space, same start); a page is anchored
    // by its content (space-cursor.ts), not by when it was read, so reading it earlier is as correct as reading it later.
    // Outside a bulk load, the page after that one too: with one page ahead, an unchanged re-sync's pages waited on their
    // fetch and on their hashes (then made on a helper thread) for most of the run (100k unchanged re-sync, load 5.7:
    // 1.41 s waiting for pages and 2.05 s for hashes of a 4.44 s run). Two ahead, the tenant answers while the page
    // before is still written.
    const prefetched = new Map<number, Promise<FetchedPage>>();
    const prefetch = (start: number) => {
      if (prefetched.has(start)) return;
      const page = request(start);
      // Awaited (and its failure handled) at the top of the loop; unused if a write fails or the run is cancelled.
      page.catch(() => undefined);
      prefetched.set(start, page);
    };
    while (space.state === 'paging') {
      ctx.signal.throwIfAborted();
      let fetched: FetchedPage;
      try {
        const ahead = prefetched.get(space.start);
        prefetched.delete(space.start);
        fetched = await (ahead ?? request(space.start));
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const payload = toErrorPayload(error);
        if (!SPACE_FAILURE_CODES.has(payload.code)) throw error;
        space.state = 'failed';
        counters.errors.push({ code: payload.code, message: payload.message, space: space.name });
        this.#write(() => this.#save(ctx));
        return;
      }
      const { page } = fetched;
      ctx.meter.clearNotice();
      // Parsing the page (in the client) and writing it are two stalls of the event loop: let other work run between.
      await yieldToEventLoop();
      ctx.signal.throwIfAborted();
      const verdict = judgePage({ start: space.start, lastId: space.lastId }, pagedRecords(page), page.totalCount, rows, this.#overlap);
      if (verdict.kind === 'realign') {
        space.start = verdict.start;
        prefetched.clear();
        continue;
      }
      // Pages asked for at starts the cursor has passed (a realigned or drifted read) are of no use any more.
      for (const start of prefetched.keys()) if (verdict.done || start < verdict.next.start) prefetched.delete(start);
      if (!verdict.done) {
        prefetch(verdict.next.start);
        // The one after it, where it starts if the next page comes full (judgePage: its start + rows - overlap): if it
        // does not, the request is simply not used.
        const after = verdict.next.start + rows - this.#overlap;
        if (!ctx.bulk && after < page.totalCount) prefetch(after);
      }
      const prepared = fetched.prepared === null ? undefined : await fetched.prepared;
      ctx.signal.throwIfAborted();
      // A page is stored in chunks sized to keep each transaction short; each chunk commits with a checkpoint just
      // after its last row, so a crash between two chunks resumes there, anchored like any other request.
      let offset = 0;
      do {
        const chunk = verdict.fresh.slice(offset, offset + this.#chunkRows);
        offset += chunk.length;
        const last = offset >= verdict.fresh.length;
        const next = last ? verdict.next : positionAfter(space.lastId, chunk, this.#overlap);
        let writeStartedAt = 0;
        await this.#checkpointer.commit(
          () => {
            writeStartedAt = performance.now();
            return this.#write(() => {
              const rowsWritten = this.#storeChunk(ctx, space, chunk, next, page.totalCount, prepared);
              if (last && verdict.done) this.#endPass(space);
              if (chunk.length > 0 || space.drifted) checkpoint.roundChanged = true;
              this.#save(ctx);
              return rowsWritten;
            });
          },
          (rowsWritten) => rowsWritten === 0,
        );
        this.#adaptChunkRows(chunk.length, performance.now() - writeStartedAt);
        this.#report(ctx, checkpoint.phase, { space, index }, last && verdict.done);
        // A bulk load indexes for search once, at its end.
        if (!ctx.bulk) await this.#maintain();
        await yieldToEventLoop();
        if (!last) ctx.signal.throwIfAborted();
      } while (offset < verdict.fresh.length);
    }
  }

  /**
   * One chunk of a page and where the space's cursor goes after it; inside the chunk's transaction. Returns the rows
   * its devices wrote (none when all were found unchanged).
   */
  #storeChunk(
    ctx: RunContext,
    space: SpaceCursorState,
    chunk: readonly FreshRecord<DeviceRecord>[],
    next: CursorPosition,
    totalCount: number,
    prepared?: PreparedRecords,
  ): number {
    const { counters } = ctx;
    const pageNumber = counters.pages + 1;
    const pageContext: PageContext = {
      tenant: ctx.tenant,
      integrationIds: ctx.group,
      runId: ctx.runId,
      page: pageNumber,
      pass: space.pass,
      space: { id: space.id, name: space.name },
      seen: ctx.seen,
      at: this.#now(),
    };
    const result = this.#devices.writePage(pageContext, chunk.map((r) => r.device!), prepared);
    const unparsed = result.unusable.length;
    this.#storedSinceMaintenance += chunk.length - unparsed;
    for (const record of result.unusable) if (record.id !== null) this.#devices.touchUnparsed(pageContext, record.id);
    if (unparsed > 0) {
      space.unparsed += unparsed;
      noteOnce(counters.errors, {
        code: 'SYNC_RECORD_UNUSABLE',
        message: `Ivanti sent device records the console could not read in the space "${space.name}"; they were skipped (the log has their ids).`,
        space: space.name,
      });
    }
    counters.pages = pageNumber;
    counters.devicesSeen += result.newInRun;
    counters.added += result.added;
    counters.changed += result.changed;
    counters.restored += result.restored;
    space.seenInPass += result.newInPass + unparsed;
    space.start = next.start;
    space.lastId = next.lastId;
    space.totalCount = totalCount;
    return result.rowsWritten;
  }

  /**
   * The count check at the end of a pass: the pass stored `seenInPass` distinct devices and the tenant, in the same
   * answer as the last page, reports `totalCount`. With ids that only grow, every device present throughout the pass
   * was stored, so equal counts mean the pass holds exactly the tenant's set. Different counts mean devices stored by
   * the pass were removed since (or appeared out of id order): the space is `drifted` and the next reconciliation
   * round reads it again from row 0, after the other spaces, so a burst of changes has time to end.
   */
  #endPass(space: SpaceCursorState): void {
    space.state = 'verified';
    space.drifted = space.seenInPass !== space.totalCount;
  }

  /** Every device present throughout was synced; the difference is left to the next run, and said so. */
  #noteStillChanging(ctx: RunContext, space: SpaceCursorState): void {
    noteOnce(ctx.counters.errors, {
      code: 'SYNC_TENANT_CHANGING',
      message: `Devices kept being enrolled or removed in the space "${space.name}" while it was read (${space.seenInPass} read, ${space.totalCount} reported at the end). Every device present throughout was synced; the next sync picks up the rest.`,
      space: space.name,
    });
  }

  /**
   * Whether this run loads in bulk (issue 19): the explorer's secondary indexes of `devices` are dropped (their
   * definitions recorded in the same transaction) and built again in one pass each when the load ends, and the search
   * index is brought up to date once then instead of every few thousand devices. Maintained row by row, a dozen indexes
   * over random columns made a 100,000-device first sync ~40 times slower than a plain insert of the same rows.
   *
   * Chosen for a first sync or any backlog of at least `bulkLoadFrom` devices that is also at least the size of the
   * whole table (so rebuilding costs no more than the rows loaded). A bulk load that a crash or shutdown stopped goes on
   * in the next run, whichever integration it is for, and ends with the build. Meanwhile reads are correct, only slower.
   */
  #beginBulkLoad(ctx: RunContext): boolean {
    if (this.#devices.deferredIndexes().length > 0) {
      // A load a crash or shutdown stopped: this run goes on without the unique key if it was set aside.
      this.#write(() => this.#devices.resumeKeyAside(ctx.tenant));
      return true;
    }
    const listed = ctx.checkpoint!.spaces.reduce((sum, s) => sum + (s.state === 'failed' ? 0 : (s.totalCount ?? 0)), 0);
    const backlog = listed - this.#devices.storedDevices(ctx.tenant);
    if (backlog < this.#bulkLoadFrom || backlog < this.#devices.storedDevices()) return false;
    this.#write(() => this.#devices.deferIndexes(ctx.tenant));
    return true;
  }

  /** Builds the indexes a bulk load set aside, one transaction each, then catches the search index up. */
  async #finishBulkLoad(ctx: RunContext): Promise<void> {
    if (!ctx.bulk) return;
    ctx.compressor?.close();
    ctx.compressor = null;
    ctx.releaseHeapGrowth?.();
    ctx.releaseHeapGrowth = null;
    const total = this.#devices.deferredIndexes().length;
    const following = ctx.searchIndexBuild;
    ctx.searchIndexBuild = null;
    await this.#buildDeferredIndexes((built) => {
      ctx.meter.notice(`Building the device indexes after loading ${ctx.counters.devicesSeen.toLocaleString('en-US')} devices in bulk (${Math.min(built + 1, total)} of ${total}).`);
      this.#report(ctx, 'finalizing', null, true);
    }, following);
    ctx.bulk = false;
    ctx.meter.clearNotice();
    await this.#catchUpSearchIndex();
  }

  /**
   * Starts building the search index on another thread as a bulk load queues its devices, when it holds no device yet
   * (a first sync) and no other build runs: the thread indexes each chunk of the queue as it is committed, on the
   * time a core is not busy with the writing and compressing threads, so that less of it is left beside the index
   * builds at the load's end (SearchIndexBuild.follow).
   */
  #followBulkLoad(): SearchIndexBuild | null {
    if (!this.options.maintenance || this.#searchIndexBuild !== null) return null;
    this.#searchIndexBuild = SearchIndexBuild.follow(this.#db);
    return this.#searchIndexBuild;
  }

  async #endSearchIndexBuild(build: SearchIndexBuild): Promise<void> {
    await build.stop();
    if (this.#searchIndexBuild === build) this.#searchIndexBuild = null;
  }

  /**
   * Builds every deferred index, one per transaction, each followed by a checkpoint and each after the first started
   * while the checkpoint of the one before it still runs; `before(built)` runs before each.
   * Meanwhile, when the search index holds no device yet (a first sync), it is built on another thread and moved in
   * once the indexes are built (SearchIndexBuild), so the catch-up after this has only what was written since: the
   * thread that followed the load (`following`), told the load has ended, or one started now.
   */
  async #buildDeferredIndexes(before: (built: number) => void, following: SearchIndexBuild | null = null): Promise<number> {
    following?.loadEnded();
    const build = following ?? (this.options.maintenance && this.#searchIndexBuild === null ? SearchIndexBuild.start(this.#db) : null);
    if (build !== null) this.#searchIndexBuild = build;
    try {
      const commit = deferredBuildCommitter(this.#devices, this.#checkpointer);
      for (let built = 0; ; built++) {
        before(built);
        const name = await commit(() => withSortsOnDisk(this.#db, () => this.#write(() => this.#devices.buildDeferredIndex())));
        if (name === null) {
          if (build !== null && !this.#closed) await this.#checkpointer.commitLargeLast(() => build.moveIn());
          return built;
        }
        await yieldToEventLoop();
      }
    } finally {
      if (build !== null) await this.#endSearchIndexBuild(build);
    }
  }

  /**
   * The whole table waits for the search index: one large chunk per transaction, each followed by a checkpoint, so
   * the WAL holds one chunk at a time (at a million devices the index is ~430 MB).
   */
  async #catchUpSearchIndex(): Promise<void> {
    const work = this.options.maintenance;
    if (!work) return;
    this.#storedSinceMaintenance = 0;
    // The last chunk finds nothing left: no checkpoint after it, and at the app's start (finishIndexBuild) with nothing
    // behind, no checkpoint thread started at all.
    while ((await this.#checkpointer.commitLarge(() => (this.#closed ? 0 : work(1)), (indexed) => indexed === 0)) > 0) await yieldToEventLoop();
  }

  async #maintain(now = false): Promise<void> {
    const work = this.options.maintenance;
    if (!work || (!now && this.#storedSinceMaintenance < (this.options.maintenanceEveryDevices ?? MAINTENANCE_EVERY_DEVICES))) return;
    this.#storedSinceMaintenance = 0;
    // Light when it indexed nothing (a re-sync of unchanged devices): see WalCheckpointer.commit.
    await this.#checkpointer.commit(
      () => (this.#closed ? 0 : work()),
      (indexed) => indexed === 0,
    );
  }

  /** Steers the chunk size toward `targetWriteMs` per transaction, from full chunks (halfway each time). */
  #adaptChunkRows(written: number, tookMs: number): void {
    if (written < this.#chunkRows || tookMs <= 0) return;
    const ideal = written * (this.#targetWriteMs / tookMs);
    this.#chunkRows = Math.round(Math.min(IVANTI_MAX_ROWS, Math.max(MIN_CHUNK_ROWS, (written + ideal) / 2)));
  }

  #beginPass(space: SpaceCursorState, passStartPage: number, pass: number): void {
    Object.assign(space, { state: 'paging', pass, passStartPage, start: 0, lastId: null, seenInPass: 0, unparsed: 0, drifted: false });
  }

  /**
   * Completeness is per space: a space read to its end is current and its missing devices are removed; a space that
   * could not be read (403, …) keeps its last known state. Such a run is still `completed` (with `complete` false and
   * the unreadable spaces in its errors), so one unreadable space never freezes the others.
   */
  async #finalize(ctx: RunContext): Promise<SyncRun> {
    const checkpoint = ctx.checkpoint!;
    const read = checkpoint.spaces.filter((s) => s.state === 'verified');
    const unreadable = checkpoint.spaces.filter((s) => s.state === 'failed');
    const complete = read.length === checkpoint.spaces.length;
    const completedWithUnreadable = !complete && read.length > 0 && read.length + unreadable.length === checkpoint.spaces.length;
    if (complete || completedWithUnreadable) {
      const passes = read.map((s) => ({ id: s.id, pass: s.pass }));
      // Sightings are read once, in rowid order, across as many transactions as there are batches of removals.
      let after: number | null = 0;
      while (after !== null) {
        ctx.signal.throwIfAborted();
        const from: number = after;
        after = await this.#checkpointer.commit(() =>
          this.#write(() => {
            if (from === 0) this.#devices.renameSpaces(ctx.group, read);
            const { marked, next } = this.#devices.markUnseenRemoved(
              { integrationIds: ctx.group, runId: ctx.runId, at: this.#now(), seen: ctx.seen },
              passes,
              complete,
              this.#removalBatch,
              from,
            );
            ctx.counters.removed += marked;
            this.#save(ctx);
            return next;
          }),
        );
        this.#report(ctx, 'finalizing', null, false);
        if (after !== null) await yieldToEventLoop();
      }
    }
    const status: SyncRunStatus = complete || completedWithUnreadable ? 'completed' : 'failed';
    return this.#finish(ctx, status, complete);
  }

  #end(ctx: RunContext, error: unknown): SyncRun {
    const payload = toErrorPayload(error);
    const status: SyncRunStatus = ctx.signal.aborted || payload.code === 'CANCELLED' ? 'cancelled' : NEEDS_ADMIN.has(payload.code) ? 'failed' : 'interrupted';
    if (status !== 'cancelled') ctx.counters.errors.push({ code: payload.code, message: payload.message });
    return this.#finish(ctx, status, false);
  }

  #finish(ctx: RunContext, status: SyncRunStatus, complete: boolean): SyncRun {
    if (this.#closed) {
      // The database is being closed: leave the run as its last committed page left it, to be resumed.
      return this.#salvage(ctx.integrationId, ctx.runId);
    }
    this.#report(ctx, 'finalizing', null, true);
    const siblings = status === 'completed' || status === 'failed' ? ctx.group.slice(1) : [];
    const shared = this.#db.transaction(() => {
      this.#runs.finish(ctx.runId, status, complete, this.#counters(ctx), ctx.checkpoint, this.#now());
      // A completed or failed run is never resumed: what it saw has served.
      if (status === 'completed' || status === 'failed') ctx.seen.discard();
      // The integrations that shared this fetch have read what it read: each gets the run on its own record.
      return siblings.map((integrationId) => ({ integrationId, runId: this.#runs.share(ctx.runId, integrationId) }));
    })();
    const run = this.#runs.get(ctx.runId)!;
    this.options.events.emit('sync.finished', { integrationId: ctx.integrationId, runId: ctx.runId, run });
    for (const copy of shared) this.options.events.emit('sync.finished', { ...copy, run: this.#runs.get(copy.runId)! });
    return run;
  }

  /** Only a failing database gets here (a run's own failures end in #end): describe the run without writing. */
  #salvage(integrationId: string, runId: number): SyncRun {
    return interruptedRun(this.#runs, integrationId, runId, this.#now());
  }

  #save(ctx: RunContext): void {
    ctx.seen.save();
    this.#runs.save(ctx.runId, ctx.checkpoint!, this.#counters(ctx), this.#now());
  }

  #counters(ctx: RunContext): RunCounters {
    ctx.counters.activeMs = ctx.activeMsBefore + Math.max(0, this.#now() - ctx.sessionStartedAt);
    ctx.counters.spacesTotal = ctx.checkpoint?.spaces.length ?? 0;
    return ctx.counters;
  }

  /** One transaction, or nothing at all once the database is being closed. */
  #write<T>(work: () => T): T {
    if (this.#closed) throw new AppError('CANCELLED', 'The console is shutting down.');
    return this.#db.transaction(work).immediate();
  }

  #report(ctx: RunContext, phase: SyncProgress['phase'], at: { space: SpaceCursorState; index: number } | null, force: boolean): void {
    const spaces = ctx.checkpoint?.spaces ?? [];
    const expected = spaces.reduce((sum, s) => sum + (s.state === 'failed' ? 0 : (s.totalCount ?? 0)), 0);
    const snapshot: ProgressSnapshot = {
      phase,
      space: at?.space.name ?? null,
      spaceIndex: at?.index ?? 0,
      spacesTotal: spaces.length,
      page: ctx.counters.pages,
      devicesSoFar: ctx.counters.devicesSeen,
      devicesExpected: spaces.length === 0 ? null : Math.max(expected, ctx.counters.devicesSeen),
    };
    ctx.meter.update(snapshot, force);
  }

  #now(): number {
    return this.options.now().getTime();
  }
}

/** Spaces as listed now, keeping the progress of those the checkpoint knows; a new space sends the run back to paging. */
function mergeSpaces(checkpoint: SyncCheckpoint | null, spaces: readonly DeviceSpace[]): SyncCheckpoint {
  const known = new Map((checkpoint?.spaces ?? []).map((s) => [s.id, s]));
  const merged: SpaceCursorState[] = spaces.map(
    (space) =>
      known.get(space.id) ?? {
        id: space.id,
        name: space.name,
        state: 'pending',
        pass: 0,
        passStartPage: 0,
        drifted: false,
        start: 0,
        lastId: null,
        seenInPass: 0,
        totalCount: space.listedDeviceCount,
        unparsed: 0,
      },
  );
  for (const space of merged) space.name = spaces.find((s) => s.id === space.id)?.name ?? space.name;
  let phase = checkpoint?.phase ?? 'paging';
  if (phase === 'reconciling' && merged.some((s) => s.state === 'pending')) phase = 'paging';
  return { version: 1, phase, round: checkpoint?.round ?? 0, roundChanged: checkpoint?.roundChanged ?? false, spaces: merged };
}

/** The page's records in the tenant's order, unusable ones in their place: the anchor and the sort check need them. */
function pagedRecords(page: DeviceRecordPage): PagedRecord<DeviceRecord>[] {
  return page.records.map((record) => ({ id: record.id, device: record }));
}

function noteOnce(errors: SyncRunError[], error: SyncRunError): void {
  if (!errors.some((e) => e.code === error.code && e.space === error.space)) errors.push(error);
}

function retryNotice(event: IvantiRetryEvent): string {
  const seconds = Math.max(1, Math.round(event.delayMs / 1000));
  const why =
    event.code === 'IVANTI_RATE_LIMITED'
      ? 'Ivanti is throttling the API user'
      : event.code === 'IVANTI_SERVER_ERROR'
        ? `Ivanti answered with a server error${event.status ? ` (HTTP ${event.status})` : ''}`
        : 'The connection to Ivanti failed';
  return `${why}; retrying in ${seconds} s.`;
}

/**
 * How the end of a bulk load commits each deferred build (SyncEngine #buildDeferredIndexes, and bench:sync's storage
 * path through this same function): the first index waits for the load's last checkpoint, so the WAL starts over;
 * every later one starts beside the checkpoint of the one before (WalCheckpointer.commitLargeBeside); a trigger writes
 * one schema row and neither waits for a checkpoint nor asks for one. Returns a committer for one build at a time,
 * which answers the built one's name (null once none is left).
 */
export function deferredBuildCommitter(store: DeviceStore, checkpointer: WalCheckpointer): (build: () => string | null) => Promise<string | null> {
  let indexes = 0;
  return async (build) => (store.nextDeferredIsTrigger() ? build() : indexes++ === 0 ? checkpointer.commitLarge(build) : checkpointer.commitLargeBeside(build));
}

/**
 * A run that stopped without recording its end (the database is closing or failing, or the sync worker died), as its
 * last committed checkpoint left it; read without writing. The next start resumes it.
 */
export function interruptedRun(runs: SyncRunStore, integrationId: string, runId: number, now: number, error?: SyncRunError): SyncRun {
  try {
    const row = runs.row(runId);
    if (row) {
      const run = toSyncRun({ ...row, status: 'interrupted' });
      return error ? { ...run, errors: [...run.errors, error] } : run;
    }
  } catch {
    // the database is gone; fall through
  }
  const at = new Date(now).toISOString();
  return { id: runId, integrationId, trigger: 'manual', status: 'interrupted', startedAt: at, finishedAt: null, durationMs: 0, complete: false, spacesTotal: 0, pages: 0, devicesSeen: 0, added: 0, changed: 0, removed: 0, restored: 0, errors: error ? [error] : [] };
}

/** Names the process, host and run session that own a run while it executes (`sync_runs.owner`). */
export function newSyncOwner(): string {
  return `${process.pid}@${os.hostname()}#${randomUUID()}`;
}

/** Owners of the runs executing on this thread. */
export function ownersLiveOnThisThread(): string[] {
  return [...liveOwners];
}

export function alreadyRunning(): AppError {
  return new AppError('SYNC_ALREADY_RUNNING', 'This integration is already syncing (here, in another console window or in a tec command). Wait for it to finish or cancel it.');
}

/** Whether the process that owns a 'running' run still lives (and so the run is not a crashed one to resume). */
function ownerAlive(owner: string, heartbeatAt: number | null, now: number, liveElsewhere?: (owner: string) => boolean): boolean {
  const match = /^(\d+)@(.*)#(.+)$/.exec(owner);
  if (!match) return false;
  const pid = Number(match[1]);
  if (match[2] !== os.hostname()) return heartbeatAt !== null && now - heartbeatAt < STALE_OWNER_MS;
  if (pid === process.pid) return liveOwners.has(owner) || (liveElsewhere?.(owner) ?? false);
  if (heartbeatAt !== null && now - heartbeatAt >= STALE_OWNER_MS) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
