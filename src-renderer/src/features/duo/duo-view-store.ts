import { create } from 'zustand';
import type { DuoDisagreements, DuoUserView } from '../../../../src-shared/domain/duo';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

interface DuoViewState {
  /** Duo's view per asked user, from the last read (no network: it reads the local copy). */
  views: Record<string, { view: DuoUserView | null; error: unknown }>;
  disagreements: DuoDisagreements | null;
  disagreementsError: unknown;
  exported: { file: string; count: number } | null;
  loadView(user: string): Promise<void>;
  loadDisagreements(): Promise<void>;
  exportDisagreements(format: 'csv' | 'json'): Promise<void>;
}

const answers = new LatestAnswers();

export const useDuoView = create<DuoViewState>((set) => ({
  views: {},
  disagreements: null,
  disagreementsError: null,
  exported: null,
  loadView: (user) =>
    answers.load(`view:${user}`, () => call('duo.userView', { user }), {
      value: (view) => set((s) => ({ views: { ...s.views, [user]: { view, error: null } } })),
      error: (error) => set((s) => ({ views: { ...s.views, [user]: { view: null, error } } })),
    }),
  loadDisagreements: () =>
    answers.load('disagreements', () => call('duo.disagreements'), {
      value: (disagreements) => set({ disagreements, disagreementsError: null }),
      error: (disagreementsError) => set({ disagreementsError }),
    }),
  async exportDisagreements(format) {
    set({ exported: await call('duo.exportDisagreements', { format }) });
  },
}));
