import { create } from 'zustand';
import type { DeviceChange, DeviceChangeKind, SyncProgress, SyncRun, SyncStatus } from '../../../../src-shared/domain/sync';
import { call, subscribe } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

/** What the sync panel shows for one integration. */
export interface IntegrationSync {
  status: SyncStatus | null;
  /** The running run's latest progress; null when idle. */
  progress: SyncProgress | null;
  running: boolean;
  runs: SyncRun[];
  /** The run whose changes are open, with the pages loaded so far. */
  changes: { runId: number; kind: DeviceChangeKind | null; items: DeviceChange[]; total: number; nextAfterId: number | null } | null;
  error: unknown;
  busy: boolean;
}

interface SyncState {
  byIntegration: Record<string, IntegrationSync>;
  load(integrationId: string): Promise<void>;
  start(integrationId: string): Promise<void>;
  cancel(integrationId: string): Promise<void>;
  showChanges(integrationId: string, runId: number, kind: DeviceChangeKind | null): Promise<void>;
  moreChanges(integrationId: string): Promise<void>;
  hideChanges(integrationId: string): void;
  /** Listens to sync.progress / sync.finished while at least one panel is mounted; returns the stop function. */
  listen(): () => void;
}

const HISTORY_ROWS = 20;
const CHANGES_PAGE = 100;

const EMPTY: IntegrationSync = { status: null, progress: null, running: false, runs: [], changes: null, error: null, busy: false };

let listeners = 0;
const answers = new LatestAnswers();
let unsubscribe: (() => void) | null = null;

export const useSync = create<SyncState>((set, get) => {
  const patch = (integrationId: string, change: Partial<IntegrationSync>) =>
    set((state) => ({ byIntegration: { ...state.byIntegration, [integrationId]: { ...(state.byIntegration[integrationId] ?? EMPTY), ...change } } }));
  const of = (integrationId: string) => get().byIntegration[integrationId] ?? EMPTY;

  return {
    byIntegration: {},

    load: (integrationId) =>
      answers.load(`runs:${integrationId}`, () => Promise.all([call('sync.status', { integrationId }), call('sync.runs', { integrationId, limit: HISTORY_ROWS })]), {
        value: ([status, runs]) => {
          const running = status.running !== null;
          patch(integrationId, { status, runs, running, progress: running ? (status.running?.progress ?? of(integrationId).progress) : null, error: null });
        },
        error: (error) => patch(integrationId, { error }),
      }),

    async start(integrationId) {
      patch(integrationId, { busy: true, error: null });
      try {
        await call('sync.start', { integrationId, trigger: 'manual' });
        patch(integrationId, { running: true, progress: null });
      } catch (error) {
        patch(integrationId, { error });
      } finally {
        patch(integrationId, { busy: false });
      }
    },

    async cancel(integrationId) {
      patch(integrationId, { busy: true });
      try {
        await call('sync.cancel', { integrationId });
      } catch (error) {
        patch(integrationId, { error });
      } finally {
        patch(integrationId, { busy: false });
      }
    },

    // A run's first page, its next pages and closing it share one key: a page for a run or kind no longer shown is dropped.
    showChanges: (integrationId, runId, kind) =>
      answers.load(`changes:${integrationId}`, () => call('sync.changes', { runId, limit: CHANGES_PAGE, ...(kind ? { kind } : {}) }), {
        value: (page) => patch(integrationId, { changes: { runId, kind, items: page.changes, total: page.total, nextAfterId: page.nextAfterId } }),
        error: (error) => patch(integrationId, { error }),
      }),

    async moreChanges(integrationId) {
      const open = of(integrationId).changes;
      if (!open || open.nextAfterId === null) return;
      const afterId = open.nextAfterId;
      await answers.load(`changes:${integrationId}`, () => call('sync.changes', { runId: open.runId, limit: CHANGES_PAGE, afterId, ...(open.kind ? { kind: open.kind } : {}) }), {
        value: (page) => patch(integrationId, { changes: { ...open, items: [...open.items, ...page.changes], nextAfterId: page.nextAfterId } }),
        error: (error) => patch(integrationId, { error }),
      });
    },

    hideChanges(integrationId) {
      answers.begin(`changes:${integrationId}`);
      patch(integrationId, { changes: null });
    },

    listen() {
      listeners += 1;
      unsubscribe ??= (() => {
        const offProgress = subscribe('sync.progress', (progress) => patch(progress.integrationId, { progress, running: true }));
        const offFinished = subscribe('sync.finished', ({ integrationId, run }) => {
          // The finished run heads the history at once, so whoever reacts to the end sees this run, not the one before.
          patch(integrationId, { running: false, progress: null, runs: [run, ...of(integrationId).runs.filter((r) => r.id !== run.id)] });
          // History, last run and the next scheduled time all moved: read them again.
          void get().load(integrationId);
        });
        return () => {
          offProgress();
          offFinished();
        };
      })();
      return () => {
        listeners -= 1;
        if (listeners === 0) {
          unsubscribe?.();
          unsubscribe = null;
        }
      };
    },
  };
});

export function selectIntegrationSync(integrationId: string) {
  return (state: SyncState): IntegrationSync => state.byIntegration[integrationId] ?? EMPTY;
}
