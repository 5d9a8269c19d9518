import { create } from 'zustand';
import type { DeviceFacets } from '../../../../src-shared/domain/device';
import type { Integration } from '../../../../src-shared/domain/integration';
import type { SyncRun } from '../../../../src-shared/domain/sync';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

/** Runs per integration the sync history chart shows. */
const HISTORY_RUNS = 30;

interface OverviewState {
  facets: DeviceFacets | null;
  trust: { trusted: number; notTrusted: number; cantTell: number } | null;
  integrations: Integration[];
  runs: SyncRun[];
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
}

/** What the overview charts count, all from the local database (offline, no credentials needed). */
const answers = new LatestAnswers();

export const useOverview = create<OverviewState>((set) => ({
  facets: null,
  trust: null,
  integrations: [],
  runs: [],
  loading: false,
  error: null,
  load: () =>
    answers.load('overview', readOverview, {
      start: () => set({ loading: true, error: null }),
      value: (overview) => set(overview),
      error: (error) => set({ error }),
      done: () => set({ loading: false }),
    }),
}));

async function readOverview(): Promise<Pick<OverviewState, 'facets' | 'integrations' | 'runs' | 'trust'>> {
  const [facets, integrations, trusted, notTrusted, cantTell] = await Promise.all([
    call('devices.facets', { query: {} }),
    call('integrations.list'),
    call('devices.count', { query: { trust: 'trusted' } }),
    call('devices.count', { query: { trust: 'not-trusted' } }),
    call('devices.count', { query: { trust: 'cant-tell' } }),
  ]);
  const runs = (await Promise.all(integrations.map((i) => call('sync.runs', { integrationId: i.id, limit: HISTORY_RUNS })))).flat();
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { facets, integrations, runs, trust: { trusted: trusted.total, notTrusted: notTrusted.total, cantTell: cantTell.total } };
}
