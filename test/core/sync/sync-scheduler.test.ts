import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { SettingsStore } from '../../../src-main/core/settings/settings-store';
import { SyncEngine } from '../../../src-main/core/sync/sync-engine';
import { SyncScheduler, type SchedulerClock } from '../../../src-main/core/sync/sync-scheduler';
import type { Db } from '../../../src-main/core/db/database';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useShutDownAfterEach } from '../../support/shut-down-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { useTempDir } from '../../support/temp-dir';
import { INTEGRATION_ID, openSyncDatabase, quickRetryingClient } from './sync-fixture';

const tempDir = useTempDir('tec-schedule-');
const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 28, 9, 0, 0);

/** Time that moves only when the test says; due timers fire in order as it moves. */
class ManualClock implements SchedulerClock {
  #now = START;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;
  now = () => this.#now;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.#timers.delete(handle as number);
  };
  get pendingTimers(): number {
    return this.#timers.size;
  }
  /** Moves time forward, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = until;
  }
}

const startTenant = useSimulatorsAfterEach();
const closeAfterEach = useCloseAfterEach();
// Registered last, so it runs first: removing the folder while an engine's WAL checkpoint thread still ran failed once
// in CI with ENOTEMPTY.
const shutDownAfterEach = useShutDownAfterEach();

async function setUp(status: 'disabled' | 'all-users') {
  const tenant = await startTenant({ devices: 300, seed: 'schedule' });
  const db: Db = closeAfterEach(openSyncDatabase(tempDir()));
  db.prepare('UPDATE integrations SET status = ?').run(status);
  const clock = new ManualClock();
  const events = new EventBus();
  const settings = new SettingsStore(db);
  const engine = shutDownAfterEach(
    new SyncEngine({
      db,
      events,
      now: () => new Date(clock.now()),
      credentials: async () => ({ domain: tenant.domain, ...tenant.credentials }),
      connect: quickRetryingClient,
    }),
  );
  const scheduler = new SyncScheduler({
    engine,
    lastStartedAt: (id) => engine.runs.lastStartedAt(id),
    enabledIntegrations: async () =>
      db.prepare("SELECT id, name FROM integrations WHERE status != 'disabled'").all() as { id: string; name: string }[],
    settings: () => settings.get(),
    events,
    clock,
    checkEveryMs: 30_000,
    startupDelayMs: MINUTE,
  });
  return { db, clock, settings, engine, scheduler };
}

async function settle(scheduler: SyncScheduler): Promise<void> {
  await scheduler.tick();
}

describe('scheduled background sync', () => {
  it('syncs an enabled integration after the start-up delay, then every interval after its last run started', async () => {
    const { db, clock, settings, scheduler } = await setUp('all-users');
    settings.update({ syncIntervalMinutes: 15 });
    expect(scheduler.nextRunAt(INTEGRATION_ID)).toBeNull();
    scheduler.start();
    expect(scheduler.nextRunAt(INTEGRATION_ID)).toBe(START + MINUTE);

    clock.advance(30_000);
    await settle(scheduler);
    expect(db.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get()).toBe(0);

    clock.advance(30_000);
    await settle(scheduler);
    const runs = db.prepare('SELECT trigger, status, started_at FROM sync_runs').all() as { trigger: string; status: string; started_at: number }[];
    expect(runs).toEqual([{ trigger: 'scheduled', status: 'completed', started_at: START + MINUTE }]);
    expect(scheduler.nextRunAt(INTEGRATION_ID)).toBe(START + MINUTE + 15 * MINUTE);

    clock.advance(14 * MINUTE);
    await settle(scheduler);
    expect(db.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get()).toBe(1);
    clock.advance(MINUTE);
    await settle(scheduler);
    expect(db.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get()).toBe(2);
    scheduler.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('applies a changed interval without a restart, and 0 turns scheduled sync off', async () => {
    const { db, clock, settings, scheduler, engine } = await setUp('all-users');
    settings.update({ syncIntervalMinutes: 60 });
    await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    scheduler.start();
    expect(scheduler.nextRunAt(INTEGRATION_ID)).toBe(START + 60 * MINUTE);

    settings.update({ syncIntervalMinutes: 5 });
    expect(scheduler.nextRunAt(INTEGRATION_ID)).toBe(START + 5 * MINUTE);
    settings.update({ syncIntervalMinutes: 0 });
    expect(scheduler.nextRunAt(INTEGRATION_ID)).toBeNull();
    clock.advance(120 * MINUTE);
    await settle(scheduler);
    expect(db.prepare("SELECT COUNT(*) FROM sync_runs WHERE trigger = 'scheduled'").pluck().get()).toBe(0);
    scheduler.stop();
  });

  it('leaves disabled integrations alone', async () => {
    const { db, clock, scheduler } = await setUp('disabled');
    scheduler.start();
    clock.advance(180 * MINUTE);
    await settle(scheduler);
    expect(db.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get()).toBe(0);
    scheduler.stop();
  });
});
