import { create } from 'zustand';
import type { AppInfo, Settings } from '../../../../src-shared/contract/app';
import { call } from '../../shared/api';

interface SettingsState {
  settings: Settings | null;
  info: AppInfo | null;
  error: unknown;
  load(): Promise<void>;
  save(patch: Partial<Settings>): Promise<void>;
}

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  info: null,
  error: null,
  async load() {
    try {
      const [settings, info] = await Promise.all([call('settings.get'), call('app.info')]);
      set({ settings, info, error: null });
    } catch (error) {
      set({ error });
    }
  },
  async save(patch) {
    set({ settings: await call('settings.update', patch) });
  },
}));
