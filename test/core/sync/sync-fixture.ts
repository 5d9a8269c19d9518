import path from 'node:path';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { IvantiClient } from '../../../src-main/core/ivanti/ivanti-client';
import type { PageSourceFactory } from '../../../src-main/core/sync/device-page-source';
import { SyncEngine, type SyncEngineOptions } from '../../../src-main/core/sync/sync-engine';
import type { EventName } from '../../../src-shared/contract';
import type { RunningSimulator } from '../../simulator/ivanti-simulator';
import { parseIvantiDevice, type IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import type { PageContext } from '../../../src-main/core/sync/device-store';
import { RunSeenSet } from '../../../src-main/core/sync/run-seen-set';
import { SyncRunStore } from '../../../src-main/core/sync/sync-run-store';

export const INTEGRATION_ID = 'integration-under-test';

/** The console's real database (every migration) with one integration row, as the sync engine finds it. */
export function openSyncDatabase(dir: string): Db {
  const { db } = openDatabase({ file: path.join(dir, 'console.sqlite'), migrations });
  db.prepare(
    "INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES (?, 'Sync test', 'ivanti-neurons', 'android', 0, 0)",
  ).run(INTEGRATION_ID);
  return db;
}

/** The real client with short back-off, so fault-heavy runs finish quickly; Retry-After is still honoured in full. */
export const quickRetryingClient: PageSourceFactory = (credentials, hooks) =>
  new IvantiClient({ ...credentials, onRetry: hooks.onRetry, baseDelayMs: 5, maxDelayMs: 100, maxRetries: 10 });

export interface EngineUnderTest {
  engine: SyncEngine;
  events: { name: EventName; payload: unknown }[];
}

export function engineFor(db: Db, simulator: RunningSimulator, options: Partial<SyncEngineOptions> = {}): EngineUnderTest {
  const bus = new EventBus();
  const events: EngineUnderTest['events'] = [];
  bus.subscribe((name, payload) => events.push({ name, payload }));
  const engine = new SyncEngine({
    db,
    events: bus,
    now: () => new Date(),
    credentials: async () => ({ domain: simulator.domain, ...simulator.credentials }),
    connect: quickRetryingClient,
    ...options,
  });
  return { engine, events };
}

export function activeGuids(db: Db): string[] {
  return (db.prepare('SELECT guid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL ORDER BY guid').pluck().all(INTEGRATION_ID) as string[]);
}

export function removedGuids(db: Db): string[] {
  return (db.prepare('SELECT guid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NOT NULL ORDER BY guid').pluck().all(INTEGRATION_ID) as string[]);
}

export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

export function integrityCheck(db: Db): string {
  return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
}

/**
 * The simulated tenant's devices as the sync parses them, and a page context for a new run in its first space: for
 * tests that write chunks through DeviceStore.writePage themselves.
 */
export function parsedTenant(db: Db, simulator: RunningSimulator, tenant: string): { parsed: IvantiDevice[]; context: (page: number) => PageContext } {
  const parsed = [...simulator.expectedDevices()].map((record) => {
    const result = parseIvantiDevice(record);
    if (!result.ok) throw new Error(result.problems.join('; '));
    return result.device;
  });
  const space = simulator.spaces()[0]!;
  const runId = new SyncRunStore(db).create(INTEGRATION_ID, 'manual', 'tester', 1_000);
  const seen = RunSeenSet.load(db, runId);
  const context = (page: number): PageContext => ({
    tenant, integrationIds: [INTEGRATION_ID], runId, page, pass: 1, space: { id: space.id, name: space.name }, seen, at: 2_000 + page,
  });
  return { parsed, context };
}
