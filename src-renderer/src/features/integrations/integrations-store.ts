import { create } from 'zustand';
import type { IntegrationOverview } from '../../../../src-shared/contract/integrations';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { useToasts } from '../../app/toast-store';
import { call } from '../../shared/api';

/** Which part of the Integrations section is showing. */
export type IntegrationsView =
  | { kind: 'list' }
  /** `focus: 'delete'` opens the page on its delete panel (the migration's last step links there). */
  | { kind: 'detail'; id: string; focus?: 'delete' }
  | { kind: 'wizard'; draftId: string };

interface IntegrationsState {
  overviews: IntegrationOverview[];
  drafts: WizardDraft[];
  loaded: boolean;
  error: unknown;
  view: IntegrationsView;
  load(): Promise<void>;
  show(view: IntegrationsView): void;
  /** Starts a setup (with `migrateFrom`, the App Config replacement of a legacy integration) and opens it. */
  startSetup(migrateFrom?: string): Promise<void>;
}

export const useIntegrations = create<IntegrationsState>((set) => ({
  overviews: [],
  drafts: [],
  loaded: false,
  error: null,
  view: { kind: 'list' },
  async load() {
    set({ error: null });
    try {
      const [overviews, drafts] = await Promise.all([call('integrations.overview'), call('wizard.list')]);
      set({ overviews, drafts, loaded: true });
    } catch (error) {
      set({ error });
    }
  },
  show(view) {
    set({ view });
  },
  async startSetup(migrateFrom) {
    try {
      const draft = await call('wizard.start', migrateFrom ? { migrateFrom } : {});
      set({ view: { kind: 'wizard', draftId: draft.id } });
    } catch (error) {
      useToasts.getState().pushError(error);
    }
  },
}));
