/**
 * Fills the database with realistic synced devices WITHOUT the sync engine, for tests and benchmarks that need many
 * devices fast (100,000 in a few seconds, a million in about a minute). Records come from the simulator's generator
 * (same shapes and quirks as the Ivanti API), parsed and mapped to columns by the sync engine's own code
 * (parseIvantiDevice, deviceColumns), and stored as one completed sync run that saw them all. One transaction per
 * batch, one prepared statement; no per-device lookups, which is what makes it several times faster than a sync.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src-main/core/db/database';
import { refreshPlannerStatistics } from '../../src-main/core/db/planner-statistics';
import { DEVICE_COLUMNS, deviceColumns, prepareRecords } from '../../src-main/core/sync/device-row';
import { DeviceRecordCodec } from '../../src-main/core/sync/device-record-codec';
import { DeviceStore } from '../../src-main/core/sync/device-store';
import { RunSeenSet } from '../../src-main/core/sync/run-seen-set';
import { deferredBuildCommitter } from '../../src-main/core/sync/sync-engine';
import { WalCheckpointer } from '../../src-main/core/sync/wal-checkpointer';
import { withSortsOnDisk } from '../../src-main/core/db/deferred-indexes';
import { parseIvantiDevice, type IvantiDevice } from '../../src-main/core/ivanti/ivanti-wire';
import { generateDevice, type DeviceSpaceLayout } from '../simulator/device-generator';
import { hashText } from '../simulator/seeded-random';

export const DEFAULT_SPACES: readonly DeviceSpaceLayout[] = [
  { id: 33533, name: 'Default Space', gdpr: false },
  { id: 33534, name: 'Marketing', gdpr: false },
  { id: 33535, name: 'EU Field Staff', gdpr: true },
];

export interface SeedIntegration {
  id?: string;
  name?: string;
  platform?: 'android' | 'ios-appconfig' | 'ios-certs';
  status?: 'disabled' | 'test-group' | 'all-users';
  /** API details: integrations with the same domain (and API user) are of one tenant (device-inventory.ts). */
  domain?: string;
  email?: string;
}

export interface SeedDevicesOptions {
  count: number;
  /** An existing integration id, or what to create. */
  integration?: string | SeedIntegration;
  /** Same seed, same devices. */
  seed?: string;
  spaces?: readonly DeviceSpaceLayout[];
  /** Epoch ms the devices' check-in times are relative to, and when the seeding sync run happened. */
  referenceTime?: number;
  /** First generator index: seeding twice with different offsets gives different devices. */
  firstIndex?: number;
  batchSize?: number;
  /** Write an `added` change per device in the run, as a first sync does (slower; off by default). */
  recordAdded?: boolean;
  onBatch?(inserted: number): void;
}

export interface SeededDevices {
  integrationId: string;
  runId: number;
  inserted: number;
}

/** The completed run that saw every seeded device of the integration. */
function seedingRun(db: Db, integrationId: string, referenceTime: number, spaces: number, devices: number): number {
  return Number(
    db
      .prepare(
        `INSERT INTO sync_runs (integration_id, trigger, status, started_at, finished_at, complete, spaces_total, devices_seen, added)
         VALUES (?, 'manual', 'completed', ?, ?, 1, ?, ?, ?)`,
      )
      .run(integrationId, referenceTime - 60_000, referenceTime, spaces, devices, devices).lastInsertRowid,
  );
}

/** The generator's device `index` in `space`, parsed as the sync parses it. */
function parsedDevice(ctx: { seedHash: number; referenceTime: number }, index: number, space: DeviceSpaceLayout): IvantiDevice {
  const parsed = parseIvantiDevice(generateDevice(ctx, index, space));
  if (!parsed.ok) throw new Error(`the simulator generated a record the console rejects: ${parsed.problems.join('; ')}`);
  return parsed.device;
}

export function seedDevices(db: Db, options: SeedDevicesOptions): SeededDevices {
  const referenceTime = options.referenceTime ?? Date.now();
  const integrationId = ensureIntegration(db, options.integration, referenceTime);
  const spaces = options.spaces ?? DEFAULT_SPACES;
  const seedHash = hashText(options.seed ?? 'seed-devices');
  const ctx = { seedHash, referenceTime };
  const batchSize = options.batchSize ?? 10_000;
  const firstIndex = options.firstIndex ?? 0;

  const runId = seedingRun(db, integrationId, referenceTime, spaces.length, options.count);
  // Written with the row, as the sync writes it (migration 0018): a trigger would otherwise rewrite each row to set it.
  const integrationKey = db.prepare('SELECT key FROM integrations WHERE id = ?').pluck().get(integrationId) as number;
  const insert = db.prepare(
    `INSERT INTO devices (tenant_key, integration_key, space_key, ${DEVICE_COLUMNS.join(', ')}, first_seen_at, last_seen_at, last_seen_run)
     VALUES (@tenant_key, @integration_key, (SELECT key FROM device_space_names WHERE name = @space_name), ${DEVICE_COLUMNS.map((c) => `@${c}`).join(', ')}, @at, @at, @run)`,
  );
  // What the integration saw, as a sync records it (migration 0012), naming it by its key (0032).
  const sight = db.prepare(
    `INSERT INTO device_sightings (device_id, integration_key, space_id, space_key, first_seen_at, last_seen_at, last_seen_run)
     VALUES (?, ?, ?, (SELECT key FROM device_space_names WHERE name = ?), ?, ?, ?)`,
  );
  const insertAdded = db.prepare(
    "INSERT INTO device_changes (run_id, integration_key, device_id, guid, kind, fields, at) VALUES (?, ?, ?, ?, 'added', NULL, ?)",
  );

  // Each space's name keyed first (migration 0019), so that the insert names its key and the trigger writes nothing.
  for (const space of spaces) db.prepare('INSERT OR IGNORE INTO device_space_names (name) VALUES (?)').run(space.name);
  // The integration's own tenant, keyed as the sync keys it (migration 0027).
  db.prepare('INSERT OR IGNORE INTO device_tenants (tenant) VALUES (?)').run(`tenant-of-${integrationId}`);
  const tenantKey = db.prepare('SELECT key FROM device_tenants WHERE tenant = ?').pluck().get(`tenant-of-${integrationId}`) as number;
  const codec = DeviceRecordCodec.of(db);
  const writeBatch = db.transaction((from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const space = spaces[index % spaces.length]!;
      const columns = deviceColumns(parsedDevice(ctx, index, space), space, codec);
      const id = insert.run({ ...columns, tenant_key: tenantKey, integration_key: integrationKey, at: referenceTime, run: runId })
        .lastInsertRowid;
      sight.run(id, integrationKey, columns.space_id, columns.space_name, referenceTime, referenceTime, runId);
      if (options.recordAdded) insertAdded.run(runId, integrationKey, id, columns.guid, referenceTime);
    }
  });

  const end = firstIndex + options.count;
  const insertAll = () => {
    for (let from = firstIndex; from < end; from += batchSize) {
      const to = Math.min(end, from + batchSize);
      writeBatch(from, to);
      options.onBatch?.(to - firstIndex);
    }
  };
  if (bulkDepth > 0 || options.count < BULK_THRESHOLD) {
    insertAll();
    if (bulkDepth === 0) refreshPlannerStatistics(db);
  } else {
    seedInBulk(db, insertAll);
  }
  return { integrationId, runId, inserted: options.count };
}

/** Devices a bulk load's chunk writes (as the engine's chunks, up to a page of Ivanti's 500 rows). */
const LOAD_CHUNK = 500;

/**
 * `seedDevices` as a first sync's bulk load stores them, through the engine's own steps (SyncEngine: DeviceStore.deferIndexes,
 * the records hashed and compressed in blocks on the compressor's thread by prepareRecords while the chunk before is
 * written, each chunk written by DeviceStore.writePage with its sightings and 'added' changes in an IMMEDIATE
 * transaction committed through a WalCheckpointer, the deferred indexes built at the end), so what reads the records
 * (the exports, the drawer) reads them from blocks as after a real first sync. Each integration is a tenant of its own
 * (`tenant-of-<id>`), as seedDevices keys it. Several loads may run before `finishBulkLoads`, which builds what they set
 * aside.
 */
export async function seedDevicesInBlocks(db: Db, options: Omit<SeedDevicesOptions, 'batchSize' | 'recordAdded'>): Promise<SeededDevices> {
  const referenceTime = options.referenceTime ?? Date.now();
  const integrationId = ensureIntegration(db, options.integration, referenceTime);
  const spaces = options.spaces ?? DEFAULT_SPACES;
  const ctx = { seedHash: hashText(options.seed ?? 'seed-devices'), referenceTime };
  const firstIndex = options.firstIndex ?? 0;
  const tenant = `tenant-of-${integrationId}`;
  const runId = seedingRun(db, integrationId, referenceTime, spaces.length, options.count);
  const store = new DeviceStore(db);
  db.transaction(() => store.deferIndexes(tenant)).immediate();
  const seen = RunSeenSet.load(db, runId);
  const compressor = DeviceRecordCodec.of(db).compressor();
  const checkpointer = new WalCheckpointer(db);
  checkpointer.acquire();
  try {
    // Each space's devices in turn, as the sync pages them: the generator's device `index` is in space `index % spaces`.
    let page = 0;
    let inserted = 0;
    for (const [s, space] of spaces.entries()) {
      const indexes: number[] = [];
      for (let index = firstIndex; index < firstIndex + options.count; index++) if (index % spaces.length === s) indexes.push(index);
      const chunkOf = (from: number) => {
        const devices = indexes.slice(from, from + LOAD_CHUNK).map((index) => parsedDevice(ctx, index, space));
        return { devices, prepared: prepareRecords(compressor, devices, space) };
      };
      let ahead = indexes.length > 0 ? chunkOf(0) : null;
      for (let from = 0; ahead !== null; from += LOAD_CHUNK) {
        const { devices, prepared } = ahead;
        ahead = from + LOAD_CHUNK < indexes.length ? chunkOf(from + LOAD_CHUNK) : null;
        const ready = await prepared;
        page++;
        await checkpointer.commit(() =>
          db
            .transaction(() => {
              store.writePage({ tenant, integrationIds: [integrationId], runId, page, pass: 1, space: { id: space.id, name: space.name }, seen, at: referenceTime }, devices, ready);
              seen.save();
            })
            .immediate(),
        );
        inserted += devices.length;
        options.onBatch?.(inserted);
      }
    }
  } finally {
    compressor.close();
    checkpointer.release();
    await checkpointer.ended();
  }
  // The run is over, as a sync's end discards what it saw (the seen set lives only while a run may resume).
  seen.discard();
  return { integrationId, runId, inserted: options.count };
}

/**
 * Builds what the bulk loads of seedDevicesInBlocks set aside as a bulk load's end builds it (SyncEngine
 * #buildDeferredIndexes): one index a transaction with SQLite's sorts on disk, each committed by the engine's
 * deferredBuildCommitter (the first after the load's last checkpoint, each later one beside the checkpoint of the one
 * before, a trigger without one). Then refreshes the planner's statistics, as a sync's end does.
 */
export async function finishBulkLoads(db: Db): Promise<void> {
  const store = new DeviceStore(db);
  const checkpointer = new WalCheckpointer(db);
  checkpointer.acquire();
  try {
    const commit = deferredBuildCommitter(store, checkpointer);
    while ((await commit(() => withSortsOnDisk(db, () => store.buildDeferredIndex()))) !== null);
  } finally {
    checkpointer.release();
    await checkpointer.ended();
  }
  refreshPlannerStatistics(db);
}

/** From this many devices on, building the indexes once after inserting beats maintaining them row by row. */
const BULK_THRESHOLD = 20_000;

let bulkDepth = 0;

/**
 * Runs `seed` (any number of seedDevices calls, e.g. one per integration) with the `devices` indexes dropped, then
 * recreates each once from its own stored definition (sqlite_schema), so the schema ends exactly as the migrations
 * left it. Sorting once to build an index is several times cheaper than a million random B-tree inserts, and one
 * rebuild for several integrations saves a scan of every row per integration. Triggers stay in place: whatever they
 * maintain stays right. Ends as a finished sync does: planner statistics refreshed (core/devices/device-services.ts).
 */
export function seedInBulk(db: Db, seed: () => void): void {
  if (bulkDepth > 0) return seed();
  bulkDepth += 1;
  try {
    withDeviceIndexesDropped(db, seed);
  } finally {
    bulkDepth -= 1;
  }
  refreshPlannerStatistics(db);
}

function withDeviceIndexesDropped(db: Db, insert: () => void): void {
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  // Each CREATE INDEX scans the ~2 KB rows: memory-mapped reads halve that (measured 6.4 s → 3.3 s for 100,000
  // devices), and a second sorter thread helps the sorts. Both are put back as they were.
  const mmap = db.pragma('mmap_size', { simple: true }) as number;
  const threads = db.pragma('threads', { simple: true }) as number;
  db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  })();
  try {
    insert();
  } finally {
    db.pragma('mmap_size = 2147483648');
    db.pragma('threads = 2');
    db.transaction(() => {
      for (const index of indexes) db.exec(index.sql);
    })();
    db.pragma(`mmap_size = ${mmap}`);
    db.pragma(`threads = ${threads}`);
  }
}

/**
 * A later sync run over already seeded devices: `changed` of them get a new registration state and check-in time,
 * `removed` are marked removed; the run's per-device changes are written as the sync engine writes them.
 */
export function seedFollowUpRun(
  db: Db,
  options: { integrationId: string; changed: number; removed: number; at: number },
): { runId: number; changedGuids: string[]; removedGuids: string[] } {
  return db.transaction(() => {
    const runId = Number(
      db
        .prepare(
          `INSERT INTO sync_runs (integration_id, trigger, status, started_at, finished_at, complete, devices_seen, changed, removed)
           VALUES (?, 'scheduled', 'completed', ?, ?, 1,
                   (SELECT count(*) FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL) - ?, ?, ?)`,
        )
        .run(options.integrationId, options.at - 30_000, options.at, options.integrationId, options.removed, options.changed, options.removed).lastInsertRowid,
    );
    // The first devices of each space in turn (the lowest id of each, then the second of each, ...): a bulk load writes
    // the spaces one after another, so by id alone every device picked came from the first space. Where the spaces
    // are interleaved by id (seedDevices), this picks what id order picks, in the same order.
    const candidates = db
      .prepare(
        `SELECT id, guid, registration_state, last_checkin
           FROM (SELECT id, guid, registration_state, last_checkin, row_number() OVER (PARTITION BY space_key ORDER BY id) AS nth
                   FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL)
          ORDER BY nth, id LIMIT ?`,
      )
      .all(options.integrationId, options.changed + options.removed) as {
      id: number;
      guid: string;
      registration_state: string | null;
      last_checkin: number | null;
    }[];
    const change = db.prepare(
      "INSERT INTO device_changes (run_id, integration_key, device_id, guid, kind, fields, at) VALUES (?, (SELECT key FROM integrations WHERE id = ?), ?, ?, ?, ?, ?)",
    );
    const changedGuids: string[] = [];
    const removedGuids: string[] = [];
    candidates.forEach((device, i) => {
      if (i < options.changed) {
        const state = device.registration_state === 'ACTIVE' ? 'RETIRED' : 'ACTIVE';
        db.prepare('UPDATE devices SET registration_state = ?, last_checkin = ?, last_seen_at = ?, last_seen_run = ? WHERE id = ?').run(
          state,
          options.at,
          options.at,
          runId,
          device.id,
        );
        // Check-in times move on every sync: the sync engine stores them but records no change for them (VOLATILE_FIELDS).
        const fields = { registrationState: [device.registration_state, state] };
        change.run(runId, options.integrationId, device.id, device.guid, 'changed', JSON.stringify(fields), options.at);
        changedGuids.push(device.guid);
      } else {
        db.prepare('UPDATE devices SET removed_at = ?, removed_run = ? WHERE id = ?').run(options.at, runId, device.id);
        db.prepare('UPDATE device_sightings SET removed_at = ?, removed_run = ? WHERE device_id = ?').run(options.at, runId, device.id);
        change.run(runId, options.integrationId, device.id, device.guid, 'removed', null, options.at);
        removedGuids.push(device.guid);
      }
    });
    return { runId, changedGuids, removedGuids };
  })();
}

/**
 * Another integration of the same tenant that reads with the same API user (a shared fetch, migration 0012): it gets
 * a sighting of every device `of` sees (of one space, with `spaceId`: another API user's view), in the same space and
 * run. Returns its id.
 */
export function seedSharedSightings(
  db: Db,
  options: { of: string; integration: string | SeedIntegration; referenceTime?: number; /** Only the devices of this space. */ spaceId?: number },
): string {
  const integrationId = ensureIntegration(db, options.integration, options.referenceTime ?? Date.now());
  db.prepare(
    `INSERT INTO device_sightings (device_id, integration_key, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run)
     SELECT device_id, (SELECT key FROM integrations WHERE id = ?), space_id, space_key, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run
       FROM device_sightings WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND (? IS NULL OR space_id = ?)`,
  ).run(integrationId, options.of, options.spaceId ?? null, options.spaceId ?? null);
  return integrationId;
}

function ensureIntegration(db: Db, integration: SeedDevicesOptions['integration'], at: number): string {
  if (typeof integration === 'string') return integration;
  const id = integration?.id ?? randomUUID();
  if (db.prepare('SELECT 1 FROM integrations WHERE id = ?').get(id)) return id;
  db.prepare(
    `INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at) VALUES (?, ?, 'ivanti-neurons', ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    integration?.name ?? `Seeded ${id.slice(0, 8)}`,
    integration?.platform ?? 'android',
    integration?.status ?? 'all-users',
    integration?.domain ?? null,
    integration?.email ?? null,
    at,
    at,
  );
  return id;
}
