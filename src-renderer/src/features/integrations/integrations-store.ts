import { create } from 'zustand';
import type { InputOf } from '../../../../src-shared/contract';
import type { CoverageComparison, IntegrationOverview } from '../../../../src-shared/contract/integrations';
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
  /**
   * The device coverage of a legacy integration and its App Config replacement, by `coverageKey`: absent or both
   * null while it is being compared.
   */
  coverage: Record<string, { comparison: CoverageComparison | null; error: unknown }>;
  load(): Promise<void>;
  show(view: IntegrationsView): void;
  /** Starts a setup (with `migrateFrom`, the App Config replacement of a legacy integration) and opens it. */
  startSetup(migrateFrom?: string): Promise<void>;
  compareCoverage(legacyId: string, replacementId: string): Promise<void>;
  // The changes an integration's page makes: each throws a refusal for its form to show, and once done reloads the list.
  /** Records the configuration key Duo issued (an unusual shape is refused until confirmed). */
  enterConfigurationKey(input: InputOf<'integrations.enterConfigurationKey'>): Promise<void>;
  updateApiDetails(input: InputOf<'integrations.updateApiDetails'>): Promise<void>;
  setStatus(input: InputOf<'integrations.setStatus'>): Promise<void>;
  /** Deletes the integration and goes back to the list. */
  remove(input: InputOf<'integrations.delete'>): Promise<void>;
  /** Forgets an unfinished setup (an integration it already created stays). */
  discardDraft(id: string): Promise<void>;
}

export function coverageKey(legacyId: string, replacementId: string): string {
  return `${legacyId}→${replacementId}`;
}

const answers = new LatestAnswers();

/** A change made on an integration's page, then the list read again (warnings included) for every panel to show. */
async function thenReload(change: Promise<unknown>): Promise<void> {
  await change;
  await useIntegrations.getState().load();
}

export const useIntegrations = create<IntegrationsState>((set, get) => ({
  overviews: [],
  drafts: [],
  loaded: false,
  error: null,
  setupError: null,
  view: { kind: 'list' },
  coverage: {},
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
  compareCoverage(legacyId, replacementId) {
    const key = coverageKey(legacyId, replacementId);
    const settle = (comparison: CoverageComparison | null, error: unknown) => set({ coverage: { ...get().coverage, [key]: { comparison, error } } });
    return answers.load(key, () => call('integrations.compareCoverage', { legacyId, replacementId }), {
      start: () => settle(null, null),
      value: (comparison) => settle(comparison, null),
      error: (error) => settle(null, error),
    });
  },
  enterConfigurationKey: (input) => thenReload(call('integrations.enterConfigurationKey', input)),
  updateApiDetails: (input) => thenReload(call('integrations.updateApiDetails', input)),
  setStatus: (input) => thenReload(call('integrations.setStatus', input)),
  remove: (input) => thenReload(call('integrations.delete', input).then(() => set({ view: { kind: 'list' } }))),
  discardDraft: (id) => thenReload(call('wizard.discard', { id })),
}));
