/**
 * `npm run bench:export -- --devices 1000000 [--json] [--db FILE]`: a benchmark, not a test.
 *
 * Exports every device of the seeded benchmark database (seeded-bench-database.ts) through the real ExportService:
 * CSV, CSV with the raw record, JSON with the raw record, a sorted and filtered CSV, and a sorted CSV with the raw
 * record. Each export runs in a child process of its own, so its peak RSS (the high-water mark of the child's own address
 * space, own-peak-rss.ts) is the export's alone, not the seeding's. Also reported: wall time, rows and bytes written, and the longest
 * stall of the event loop while exporting (what the UI would feel). The export must stream: peak RSS stays under
 * 300 MB whatever the number of devices.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AuditLog } from '../../src-main/core/audit/audit-log';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { DeviceRepository } from '../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../src-main/core/devices/device-search-index';
import { EventBus } from '../../src-main/core/events/event-bus';
import { ExportService } from '../../src-main/core/export/export-service';
import type { ExportRequest } from '../../src-shared/domain/export';
import { benchDatabaseFile, BENCH_NOW, log, openSeededBenchDatabase } from './seeded-bench-database';
import { ownPeakRssMb } from './own-peak-rss';

const PEAK_RSS_TARGET_MB = 300;

const VARIANTS: Record<string, ExportRequest> = {
  csv: { kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: false },
  'csv-with-raw': { kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: true },
  'json-with-raw': { kind: 'devices', format: 'json', query: { presence: 'all' }, includeRaw: true },
  'csv-sorted-filtered': { kind: 'devices', format: 'csv', query: { platformType: 'ANDROID', sort: { column: 'deviceName', direction: 'asc' } }, includeRaw: false },
  // Sorted, so rows come in a sort index's order: records in blocks (migration 0037) are then read out of block order.
  'csv-sorted-with-raw': { kind: 'devices', format: 'csv', query: { sort: { column: 'lastCheckin', direction: 'desc' } }, includeRaw: true },
};

interface ChildResult {
  variant: string;
  rows: number;
  seconds: number;
  megabytes: number;
  peakRssMb: number;
  longestEventLoopStallMs: number;
}

/** In the child: one export, measured. */
async function runChild(file: string, variant: string, out: string): Promise<void> {
  const { db } = openDatabase({ file, migrations });
  const clock = () => new Date(BENCH_NOW);
  const repository = new DeviceRepository(db, new DeviceSearchIndex(db), clock);
  const exports = new ExportService(db, repository, new AuditLog(db, clock), new EventBus().emit, path.dirname(out), clock, 'bench');
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const started = process.hrtime.bigint();
  let lastLog = 0;
  const result = await exports.write(VARIANTS[variant], out, {
    onProgress: (p) => {
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${variant}: ${p.written} of ${p.total}`);
      }
    },
  });
  stalls.disable();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const child: ChildResult = {
    variant,
    rows: result.written,
    seconds: Math.round(seconds * 10) / 10,
    megabytes: Math.round(fs.statSync(out).size / 1e5) / 10,
    peakRssMb: ownPeakRssMb(),
    longestEventLoopStallMs: Math.round(stalls.max / 1e6),
  };
  fs.rmSync(out, { force: true });
  db.close();
  process.stdout.write(`${JSON.stringify(child)}\n`);
}

function exportInChild(file: string, variant: string, dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--child', variant, '--db', file, '--out', path.join(dir, `${variant}.out`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim().split('\n').pop()!) as ChildResult) : reject(new Error(`export child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '1000000' },
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      child: { type: 'string' },
      out: { type: 'string' },
      variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
    },
  });
  if (values.child !== undefined) return runChild(values.db!, values.child, values.out!);
  const devices = Number(values.devices);
  if (!Number.isInteger(devices) || devices < 1000) throw new Error('--devices must be an integer of at least 1000');
  const file = benchDatabaseFile(devices, values.db);
  const { db, reused, seedSeconds } = await openSeededBenchDatabase(file, devices);
  const total = db.prepare('SELECT count(*) FROM devices').pluck().get() as number;
  db.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-bench-export-'));
  const results: ChildResult[] = [];
  try {
    for (const variant of values.variants.split(',')) {
      log(`exporting: ${variant}`);
      results.push(await exportInChild(file, variant, dir));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const report = {
    benchmark: 'export',
    devices: total,
    database: { file, reused, seedSeconds },
    machine: { cpus: os.cpus().length, node: process.versions.node },
    peakRssTargetMb: PEAK_RSS_TARGET_MB,
    met: results.every((r) => r.peakRssMb < PEAK_RSS_TARGET_MB),
    results,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`export benchmark: ${total} devices${reused ? ' (database reused)' : ''}; peak RSS target < ${PEAK_RSS_TARGET_MB} MB\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.variant.padEnd(22)} ${String(r.rows).padStart(8)} rows  ${r.seconds.toFixed(1).padStart(6)} s  ${r.megabytes.toFixed(1).padStart(8)} MB  peak RSS ${String(r.peakRssMb).padStart(4)} MB  longest stall ${r.longestEventLoopStallMs} ms\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
