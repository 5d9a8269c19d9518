import { create } from 'zustand';
import type { IntegrationOverview } from '../../../../src-shared/contract/integrations';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

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
  /** Why the last "Add integration" / "Migrate" could not start a setup; shown beside the button. */
  setupError: unknown;
  view: IntegrationsView;
  load(): Promise<void>;
  show(view: IntegrationsView): void;
  /** Starts a setup (with `migrateFrom`, the App Config replacement of a legacy integration) and opens it. */
  startSetup(migrateFrom?: string): Promise<void>;
}

const answers = new LatestAnswers();

export const useIntegrations = create<IntegrationsState>((set) => ({
  overviews: [],
  drafts: [],
  loaded: false,
  error: null,
  setupError: null,
  view: { kind: 'list' },
  load: () =>
    answers.load('overview', () => Promise.all([call('integrations.overview'), call('wizard.list')]), {
      start: () => set({ error: null }),
      value: ([overviews, drafts]) => set({ overviews, drafts, loaded: true }),
      error: (error) => set({ error }),
    }),
  show(view) {
    set({ view });
  },
  async startSetup(migrateFrom) {
    try {
      set({ setupError: null });
      const draft = await call('wizard.start', migrateFrom ? { migrateFrom } : {});
      set({ view: { kind: 'wizard', draftId: draft.id } });
    } catch (setupError) {
      set({ setupError });
    }
  },
}));
