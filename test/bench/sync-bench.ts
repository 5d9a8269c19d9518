/**
 * `npm run bench:sync -- --devices N [--json] [--seed S]`: a benchmark, not a test.
 *
 * 1. Sync: the simulator runs in its own process (so its page generation is not charged to the console's event
 *    loop); the app's sync path, WorkerSyncEngine with the sync worker thread as the bundle ships it (engine, writes,
 *    search index catch-up; out/cli/sync-worker.cjs, built first if stale), syncs N devices from it over loopback HTTP into a fresh database. Measured: wall time, peak RSS of this
 *    process (worker threads included), and the longest stall of this (the main) thread's event loop
 *    (perf_hooks.monitorEventLoopDelay), which is what the app's UI and IPC wait on.
 * 2. Ceiling: the same devices, pre-rendered by the simulator's generator into JSON page bodies in memory (in batches,
 *    untimed), then parsed exactly as the client parses an answer and written through the same storage code (the
 *    sync's chunk size, one transaction per chunk with the run's checkpoint, the search index caught up every
 *    MAINTENANCE_EVERY_DEVICES devices as the worker does) into another fresh database, with no HTTP and no thread hop.
 *    Only parse+write is timed. `ratio` = sync seconds / ceiling seconds: what the network path, paging,
 *    reconciliation and the worker cost on top.
 *
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { EventBus } from '../../src-main/core/events/event-bus';
import { DeviceStore } from '../../src-main/core/sync/device-store';
import { DeviceSearchIndex } from '../../src-main/core/devices/device-search-index';
import { WorkerSyncEngine } from '../../src-main/core/sync/worker-sync-engine';
import { MAINTENANCE_EVERY_DEVICES } from '../../src-main/core/sync/sync-engine';
import type { SyncCheckpoint } from '../../src-main/core/sync/sync-checkpoint';
import { countersOf, SyncRunStore } from '../../src-main/core/sync/sync-run-store';
import { WalCheckpointer } from '../../src-main/core/sync/wal-checkpointer';
import { IVANTI_MAX_ROWS, IvantiSearchEnvelope, parseIvantiDevice, type IvantiDevice } from '../../src-main/core/ivanti/ivanti-wire';
import { DEMO_CREDENTIALS, startSimulator, type SpaceSummary } from '../simulator/ivanti-simulator';
import { startSimulatorProcess } from '../support/simulator-process';
import { BUILT_SYNC_WORKER, ensureCliBuilt } from '../cli/built-cli';

const INTEGRATION_ID = 'bench';
/** Pages pre-rendered per batch for the ceiling: enough to time parse+write in long stretches, little memory. */
const PAGES_PER_BATCH = 25;

interface Measure {
  seconds: number;
  peakRssMb: number;
  peakWalMb: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '100000' },
      seed: { type: 'string', default: 'bench' },
      json: { type: 'boolean', default: false },
    },
  });
  const devices = Number(values.devices);
  if (!Number.isInteger(devices) || devices <= 0) throw new Error('--devices must be a positive integer');
  const seed = values.seed;
  ensureCliBuilt();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-bench-sync-'));
  try {
    const simulator = await startSimulatorProcess({ devices, seed });
    let sync: Awaited<ReturnType<typeof measureSync>>;
    try {
      sync = await measureSync(path.join(work, 'sync'), simulator.domain);
    } finally {
      await simulator.close();
    }
    // The sync asks for 500-row pages and stores each in chunks (one transaction each) of adaptive size.
    process.stderr.write(`sync phase: ${JSON.stringify(sync)}\n`);
    const chunkRows = Math.max(1, Math.round(sync.devicesSeen / Math.max(1, sync.pages)));
    const ceiling = await measureCeiling(path.join(work, 'ceiling'), devices, seed, IVANTI_MAX_ROWS, chunkRows);
    const result = {
      devices,
      seconds: round(sync.seconds),
      devicesPerSecond: Math.round(devices / sync.seconds),
      ceilingSeconds: round(ceiling.seconds),
      ratio: round(sync.seconds / ceiling.seconds),
      peakRssMb: Math.round(sync.peakRssMb),
      maxEventLoopDelayMs: round(sync.maxEventLoopDelayMs),
      p99EventLoopDelayMs: round(sync.p99EventLoopDelayMs),
      peakWalMb: sync.peakWalMb,
      syncStatus: sync.status,
      devicesSynced: sync.devicesSeen,
      requestRows: IVANTI_MAX_ROWS,
      transactions: sync.pages,
      averageChunkRows: chunkRows,
      ceilingDevicesPerSecond: Math.round(devices / ceiling.seconds),
      ceilingPeakRssMb: Math.round(ceiling.peakRssMb),
      ceilingPeakWalMb: ceiling.peakWalMb,
      node: process.versions.node,
      cpus: os.cpus().length,
      // Wall-clock stalls include time this process waited for a CPU: on a busy machine they say more about the load.
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
    process.stdout.write(`${JSON.stringify(result, null, values.json ? undefined : 2)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function openFresh(dir: string): Db {
  const { db } = openDatabase({ file: path.join(dir, 'console.sqlite'), migrations });
  db.prepare("INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES (?, 'Benchmark', 'ivanti-neurons', 'android', 0, 0)").run(
    INTEGRATION_ID,
  );
  return db;
}

/** Samples RSS (and the WAL file's size, which must stay bounded) often enough to catch a peak between two pages. */
function rssSampler(walFile?: string): { stop(): number; peakWalMb(): number } {
  let peak = process.memoryUsage.rss();
  let wal = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
    if (walFile) wal = Math.max(wal, fs.statSync(walFile, { throwIfNoEntry: false })?.size ?? 0);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / (1024 * 1024);
    },
    peakWalMb: () => Math.round(wal / (1024 * 1024)),
  };
}

async function measureSync(dir: string, domain: string) {
  const db = openFresh(dir);
  const events = new EventBus();
  let lastReport = 0;
  events.subscribe((name, payload) => {
    if (name !== 'sync.progress') return;
    const p = payload as { devicesSoFar: number; devicesPerSecond: number; space: string | null };
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      process.stderr.write(`sync: ${p.devicesSoFar} devices, ${Math.round(p.devicesPerSecond)}/s, ${p.space ?? ''}\n`);
    }
  });
  const engine = new WorkerSyncEngine({
    db,
    script: BUILT_SYNC_WORKER,
    events,
    now: () => new Date(),
    credentials: async () => ({ domain, ...DEMO_CREDENTIALS }),
  });
  global.gc?.();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const rss = rssSampler(path.join(dir, 'console.sqlite-wal'));
  delay.enable();
  const startedAt = performance.now();
  const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
  const seconds = (performance.now() - startedAt) / 1000;
  delay.disable();
  const peakRssMb = rss.stop();
  await engine.shutdown();
  db.close();
  if (run.status !== 'completed') process.stderr.write(`sync ended ${run.status}: ${JSON.stringify(run.errors)}\n`);
  return {
    seconds,
    peakRssMb,
    maxEventLoopDelayMs: delay.max / 1e6,
    p99EventLoopDelayMs: delay.percentile(99) / 1e6,
    peakWalMb: rss.peakWalMb(),
    pages: run.pages,
    devicesSeen: run.devicesSeen,
    status: run.status,
  };
}

async function measureCeiling(dir: string, devices: number, seed: string, pageRows: number, chunkRows: number): Promise<Measure> {
  const db = openFresh(dir);
  const store = new DeviceStore(db);
  const runs = new SyncRunStore(db);
  const searchIndex = new DeviceSearchIndex(db);
  // Checkpoints off the main thread, as during a sync: the same storage set-up, only without HTTP.
  const checkpointer = new WalCheckpointer(db);
  checkpointer.acquire();
  const runId = runs.create(INTEGRATION_ID, 'manual', 'bench', Date.now());
  const counters = countersOf(runs.row(runId)!);
  // The simulator's generator, in this process, with no server traffic: the same records a sync receives.
  const tenant = await startSimulator({ devices, seed });
  const spaces = tenant.spaces();
  const checkpoint: SyncCheckpoint = { version: 1, phase: 'paging', round: 0, roundChanged: false, spaces: spaces.map(spaceState) };
  let timedMs = 0;
  let page = 0;
  let storedSinceIndexing = 0;
  const rss = rssSampler(path.join(dir, 'console.sqlite-wal'));
  try {
    const pages = renderedPages(tenant.expectedDevices({ spaces: 'all' }), spaces, pageRows);
    for (;;) {
      const batch: RenderedPage[] = [];
      for (let next = pages.next(); !next.done; next = batch.length < PAGES_PER_BATCH ? pages.next() : { done: true, value: undefined }) batch.push(next.value);
      if (batch.length === 0) break;
      const t0 = performance.now();
      for (const body of batch) {
        const devicesInPage = parsePage(body.json);
        for (let offset = 0; offset < devicesInPage.length; offset += chunkRows) {
          page++;
          await checkpointer.commit(() =>
            db
              .transaction(() => {
                const chunk = devicesInPage.slice(offset, offset + chunkRows);
                const result = store.writePage({ integrationId: INTEGRATION_ID, runId, page, passStartPage: 1, space: body.space, at: Date.now() }, chunk);
                counters.pages = page;
                counters.devicesSeen += result.newInRun;
                counters.added += result.added;
                runs.save(runId, checkpoint, counters, Date.now());
              })
              .immediate(),
          );
          storedSinceIndexing += Math.min(chunkRows, devicesInPage.length - offset);
          if (storedSinceIndexing >= MAINTENANCE_EVERY_DEVICES) {
            storedSinceIndexing = 0;
            await checkpointer.commit(() => searchIndex.catchUp());
          }
        }
      }
      timedMs += performance.now() - t0;
    }
  } finally {
    checkpointer.release();
    await tenant.close();
  }
  const peakRssMb = rss.stop();
  db.close();
  return { seconds: timedMs / 1000, peakRssMb, peakWalMb: rss.peakWalMb() };
}

function spaceState(space: SpaceSummary): SyncCheckpoint['spaces'][number] {
  return { id: space.id, name: space.name, state: 'paging', pass: 1, drifted: false, passStartPage: 1, start: 0, lastId: null, seenInPass: 0, totalCount: space.deviceCount, unparsed: 0 };
}

interface RenderedPage {
  json: string;
  space: { id: number; name: string };
}

/**
 * Search answers as the simulator sends them, page by page: the tenant yields its devices space after space, in id
 * order, so a page ends where its space ends.
 */
function* renderedPages(records: Iterable<Record<string, unknown>>, spaces: SpaceSummary[], rows: number): Generator<RenderedPage> {
  let current: Record<string, unknown>[] = [];
  let spaceId: number | null = null;
  let offset = 0;
  const flush = (): RenderedPage => {
    const space = spaces.find((s) => s.id === spaceId)!;
    const page = {
      json: JSON.stringify({ errors: null, result: { searchResults: current, totalCount: space.deviceCount, offset, limit: rows, queryTime: 5 } }),
      space: { id: space.id, name: space.name },
    };
    offset += current.length;
    current = [];
    return page;
  };
  for (const record of records) {
    if (record.dmPartitionId !== spaceId) {
      if (current.length > 0) yield flush();
      spaceId = record.dmPartitionId as number;
      offset = 0;
    }
    current.push(record);
    if (current.length === rows) yield flush();
  }
  if (current.length > 0) yield flush();
}

/** What IvantiClient.searchDevices does with a 200 answer's body. */
function parsePage(body: string): IvantiDevice[] {
  const envelope = IvantiSearchEnvelope.parse(JSON.parse(body));
  const devices: IvantiDevice[] = [];
  for (const item of envelope.result.searchResults) {
    const parsed = parseIvantiDevice(item);
    if (parsed.ok) devices.push(parsed.device);
  }
  return devices;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
