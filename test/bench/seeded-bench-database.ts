/**
 * The database the search and export benchmarks run on: N seeded devices across three integrations (60 / 30 / 10 %),
 * with a follow-up run that changed 0.5 % and removed 1 % of each, fully indexed for search. Each integration's devices
 * are stored as a first sync's bulk load stores them (seedDevicesInBlocks): records compressed in blocks, so an export
 * reads them as after a real sync. Seeding a million takes minutes, so the file is kept
 * (os.tmpdir()/tec-bench-devices-N.sqlite, or --db) and reused while its schema matches what the migrations create now.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { DeviceSearchIndex } from '../../src-main/core/devices/device-search-index';
import { finishBulkLoads, seedDevicesInBlocks, seedFollowUpRun } from '../support/seed-devices';

/** The clock the seeded check-in times are relative to. */
export const BENCH_NOW = Date.parse('2026-11-28T12:00:00Z');
const NOW = BENCH_NOW;

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function benchDatabaseFile(devices: number, override?: string): string {
  return path.resolve(override ?? path.join(os.tmpdir(), `tec-bench-devices-${devices}.sqlite`));
}

/** The schema a fresh database gets from the migrations, to tell whether a kept database is still current. */
function schemaOf(db: Database.Database): string {
  return (db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as object[]).map((r) => JSON.stringify(r)).join('\n');
}

export async function openSeededBenchDatabase(file: string, devices: number): Promise<{ db: Db; reused: boolean; seedSeconds: number }> {
  const fresh = new Database(':memory:');
  for (const m of migrations) m.up(fresh, () => {});
  const wanted = schemaOf(fresh);
  fresh.close();
  if (fs.existsSync(file)) {
    const { db } = openDatabase({ file, migrations });
    const count = db.prepare('SELECT count(*) FROM devices').pluck().get() as number;
    if (schemaOf(db) === wanted && count >= devices) {
      // A migration that made the search index again (0035, 0036) queued every device for it: caught up here, as the
      // console's start does, instead of seeding again (migration 36 at a million devices: 92 s of CPU, 134 s at load 4-5,
      // against most of an hour).
      const index = new DeviceSearchIndex(db);
      if (index.isBehind()) log('catching the search index up');
      index.catchUp((n) => log(`indexed ${n} more`));
      return { db, reused: true, seedSeconds: 0 };
    }
    db.close();
    log(`${file} is from another schema or size: seeding again`);
  }
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const { db } = openDatabase({ file, migrations });
  const started = Date.now();
  const shares = [0.6, 0.3, 0.1];
  const platforms = ['android', 'ios-appconfig', 'android'] as const;
  let done = 0;
  const seeded: { integrationId: string; count: number }[] = [];
  for (const [k, share] of shares.entries()) {
    const count = k === shares.length - 1 ? devices - done : Math.round(devices * share);
    const { integrationId } = await seedDevicesInBlocks(db, {
      count,
      seed: `bench-${k}`,
      referenceTime: NOW - k * 3_600_000,
      integration: { name: `Bench tenant ${k + 1}`, platform: platforms[k] },
      onBatch: (n) => {
        if (n % 100_000 < 500) log(`seeded ${done + n} of ${devices} devices`);
      },
    });
    done += count;
    seeded.push({ integrationId, count });
  }
  log('building the indexes');
  await finishBulkLoads(db);
  for (const { integrationId, count } of seeded) seedFollowUpRun(db, { integrationId, changed: Math.ceil(count / 200), removed: Math.ceil(count / 100), at: NOW - 600_000 });
  log('indexing for search');
  new DeviceSearchIndex(db).catchUp((n) => log(`indexed ${n} more`));
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { db, reused: false, seedSeconds: Math.round((Date.now() - started) / 100) / 10 };
}

