/**
 * A bulk load lets V8's heaps grow further past what a full collection left live (bulk-load-heap.ts, issue 19): a first
 * sync's worker otherwise ran a mark-compact after almost every scavenge. The flag is process-wide, so it holds only
 * while a bulk load runs, and V8's default comes back when the last one ends, before the index builds.
 */
import v8 from 'node:v8';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { BULK_LOAD_HEAP_GROWING_PERCENT, growHeapsForBulkLoad } from '../../../src-main/core/sync/bulk-load-heap';
import type { SyncProgress } from '../../../src-shared/domain/sync';
import { useCloseAfterEach } from '../../support/close-after-each';
import { withShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { engineFor as newEngine, INTEGRATION_ID, openSyncDatabase } from './sync-fixture';

const tempDir = useTempDir('tec-bulk-heap-');
const closeAfterEach = useCloseAfterEach();
const engineFor = withShutDownAfterEach(newEngine);
const simulator = useSimulatorsAfterEach();

const GROWING = `--heap-growing-percent=${BULK_LOAD_HEAP_GROWING_PERCENT}`;
const DEFAULT = '--heap-growing-percent=0';

/** The flags set from now on (they are still set: V8's own behaviour is what the change is for). */
function flagsSet(): string[] {
  const set: string[] = [];
  const original = v8.setFlagsFromString.bind(v8);
  const spy = vi.spyOn(v8, 'setFlagsFromString').mockImplementation((flags: string) => {
    set.push(flags);
    original(flags);
  });
  onTestFinished(() => spy.mockRestore());
  return set;
}

describe('heap growth during a bulk load', () => {
  it('is set by the first lease and put back to V8 default by the last release, once', () => {
    const set = flagsSet();
    const first = growHeapsForBulkLoad();
    const second = growHeapsForBulkLoad();
    expect(set).toEqual([GROWING]);
    first();
    first();
    expect(set).toEqual([GROWING]);
    second();
    expect(set).toEqual([GROWING, DEFAULT]);
    second();
    expect(set).toEqual([GROWING, DEFAULT]);
  });

  it('holds while a first sync loads in bulk and ends before its index builds; a sync row by row leaves it', async () => {
    const set = flagsSet();
    const bus = new EventBus();
    const whileLoading: (string | undefined)[] = [];
    const whileBuilding: (string | undefined)[] = [];
    bus.subscribe((name, payload) => {
      if (name !== 'sync.progress') return;
      const progress = payload as SyncProgress;
      if (progress.phase === 'paging') whileLoading.push(set.at(-1));
      if (progress.notice?.startsWith('Building the device indexes')) whileBuilding.push(set.at(-1));
    });
    const tenant = await simulator({ devices: 3_000, seed: 'bulk-heap' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant, { events: bus, bulkLoadFrom: 1_000, progressIntervalMs: 0 });
    expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: 3_000 });
    expect(whileLoading.length).toBeGreaterThan(5);
    expect(whileLoading.every((flags) => flags === GROWING)).toBe(true);
    expect(whileBuilding.length).toBeGreaterThan(0);
    expect(whileBuilding.every((flags) => flags === DEFAULT)).toBe(true);
    expect(set).toEqual([GROWING, DEFAULT]);

    // The same tenant again, unchanged: no backlog, so no bulk load and no flag.
    set.length = 0;
    expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: 0 });
    expect(set).toEqual([]);
  });
});
