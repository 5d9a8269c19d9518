import { create } from 'zustand';
import type { InputOf } from '../../../../src-shared/contract';
import type { Integration } from '../../../../src-shared/domain/integration';
import { call } from '../../shared/api';

interface IntegrationsState {
  integrations: Integration[];
  loaded: boolean;
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
  create(input: InputOf<'integrations.create'>): Promise<Integration>;
}

export const useIntegrations = create<IntegrationsState>((set, get) => ({
  integrations: [],
  loaded: false,
  loading: false,
  error: null,
  async load() {
    set({ loading: true, error: null });
    try {
      set({ integrations: await call('integrations.list'), loaded: true });
    } catch (error) {
      set({ error });
    } finally {
      set({ loading: false });
    }
  },
  async create(input) {
    const created = await call('integrations.create', input);
    await get().load();
    return created;
  },
}));
