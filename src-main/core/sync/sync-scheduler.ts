import type { Settings } from '../../../src-shared/contract/app';
import type { SyncRun } from '../../../src-shared/domain/sync';
import { toErrorPayload } from '../../../src-shared/errors';
import type { EventBus } from '../events/event-bus';

/** Time and timers, injectable so tests drive the schedule without waiting. */
export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemSchedulerClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    // A pending check must never keep a process alive on its own.
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SchedulerDeps {
  engine: {
    start(integrationId: string, trigger: 'scheduled'): Promise<{ finished: Promise<SyncRun> }>;
    isRunning(integrationId: string): boolean;
  };
  /** When the integration's newest run started (any trigger), or null. */
  lastStartedAt(integrationId: string): number | null;
  /** Integrations that are enabled (for a test group or all users): the ones the schedule syncs. */
  enabledIntegrations(): Promise<{ id: string; name: string }[]>;
  settings(): Settings;
  events: EventBus;
  clock?: SchedulerClock;
  /** How often due syncs are looked for. Default 30 s. */
  checkEveryMs?: number;
  /** Nothing runs sooner than this after start(), so the app starts quickly. Default 60 s. */
  startupDelayMs?: number;
}

/**
 * Background sync while the app runs: every enabled integration is synced `settings.syncIntervalMinutes` after its
 * last run started (0 turns it off), one integration at a time. Settings are read on every check, so a changed
 * interval applies without a restart. The Electron main process calls start() when ready and stop() on quit; the
 * CLI never starts it.
 */
export class SyncScheduler {
  readonly #clock: SchedulerClock;
  readonly #checkEveryMs: number;
  readonly #startupDelayMs: number;
  /** Failed attempts that created no run (no password, already running elsewhere) wait a full interval too. */
  readonly #lastAttempt = new Map<string, number>();
  #startedAt: number | null = null;
  #timer: unknown = null;
  #ticking: Promise<void> | null = null;

  constructor(private readonly deps: SchedulerDeps) {
    this.#clock = deps.clock ?? systemSchedulerClock;
    this.#checkEveryMs = deps.checkEveryMs ?? 30_000;
    this.#startupDelayMs = deps.startupDelayMs ?? 60_000;
  }

  get started(): boolean {
    return this.#startedAt !== null;
  }

  start(): void {
    if (this.#startedAt !== null) return;
    this.#startedAt = this.#clock.now();
    this.#arm();
  }

  /** Stops checking; a sync already running goes on (cancel it through the engine). */
  stop(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#startedAt = null;
  }

  /** When this integration is synced next (epoch ms), or null: scheduler stopped or interval 0. Due now → now. */
  nextRunAt(integrationId: string): number | null {
    if (this.#startedAt === null) return null;
    const intervalMs = this.deps.settings().syncIntervalMinutes * 60_000;
    if (intervalMs <= 0) return null;
    const earliest = this.#startedAt + this.#startupDelayMs;
    const last = Math.max(this.deps.lastStartedAt(integrationId) ?? Number.NEGATIVE_INFINITY, this.#lastAttempt.get(integrationId) ?? Number.NEGATIVE_INFINITY);
    return Math.max(earliest, last + intervalMs);
  }

  /** Syncs every enabled integration that is due, one after the other. The timer calls it; tests may too. */
  tick(): Promise<void> {
    this.#ticking ??= this.#runDue().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #runDue(): Promise<void> {
    for (const integration of await this.deps.enabledIntegrations()) {
      if (this.#startedAt === null) return;
      const due = this.nextRunAt(integration.id);
      if (due === null || due > this.#clock.now() || this.deps.engine.isRunning(integration.id)) continue;
      this.#lastAttempt.set(integration.id, this.#clock.now());
      try {
        const started = await this.deps.engine.start(integration.id, 'scheduled');
        const run = await started.finished;
        if (run.status === 'failed' || run.status === 'interrupted') {
          const error = run.errors[run.errors.length - 1];
          this.deps.events.emit('app.notice', {
            level: 'warning',
            message: `Scheduled sync of "${integration.name}" did not finish: ${error?.message ?? run.status}`,
            code: error?.code,
          });
        }
      } catch (error) {
        const payload = toErrorPayload(error);
        if (payload.code === 'SYNC_ALREADY_RUNNING') continue;
        this.deps.events.emit('app.notice', { level: 'warning', message: `Scheduled sync of "${integration.name}" could not start: ${payload.message}`, code: payload.code });
      }
    }
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => {
      void this.tick().finally(() => {
        if (this.#startedAt !== null) this.#arm();
      });
    }, this.#checkEveryMs);
  }
}
