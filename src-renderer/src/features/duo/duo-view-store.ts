import { create } from 'zustand';
import type { DuoDisagreements, DuoUserView } from '../../../../src-shared/domain/duo';
import { call } from '../../shared/api';

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

export const useDuoView = create<DuoViewState>((set) => ({
  views: {},
  disagreements: null,
  disagreementsError: null,
  exported: null,
  async loadView(user) {
    try {
      const view = await call('duo.userView', { user });
      set((s) => ({ views: { ...s.views, [user]: { view, error: null } } }));
    } catch (error) {
      set((s) => ({ views: { ...s.views, [user]: { view: null, error } } }));
    }
  },
  async loadDisagreements() {
    try {
      set({ disagreements: await call('duo.disagreements'), disagreementsError: null });
    } catch (disagreementsError) {
      set({ disagreementsError });
    }
  },
  async exportDisagreements(format) {
    set({ exported: await call('duo.exportDisagreements', { format }) });
  },
}));
