import { create } from 'zustand';
import type { AppInfo, Settings } from '../../../../src-shared/contract/app';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

interface SettingsState {
  settings: Settings | null;
  info: AppInfo | null;
  error: unknown;
  load(): Promise<void>;
  save(patch: Partial<Settings>): Promise<void>;
}

const answers = new LatestAnswers();

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  info: null,
  error: null,
  load: () =>
    answers.load('settings', () => Promise.all([call('settings.get'), call('app.info')]), {
      value: ([settings, info]) => set({ settings, info, error: null }),
      error: (error) => set({ error }),
    }),
  async save(patch) {
    // A load still on its way would put the old values back over the saved ones: the save's answer is the newest.
    const current = answers.begin('settings');
    const settings = await call('settings.update', patch);
    if (current()) set({ settings });
  },
}));
