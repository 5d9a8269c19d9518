import { create } from 'zustand';
import type { TestConfigurationResult, TestConfigurationStep } from '../../../../src-shared/domain/test-configuration';
import { call, subscribe } from '../../shared/api';

/** The checks of the run in progress, as its `integrations.testStep` events arrive; null when none runs. */
export interface LiveTest {
  runId: string;
  steps: Record<string, TestConfigurationStep>;
}

interface TestConfigurationState {
  live: LiveTest | null;
  /** The last Test Configuration of each saved integration (its page), for this session. */
  results: Record<string, { result: TestConfigurationResult | null; error: unknown; at: string }>;
  /** Starts following a run's events (the wizard runs its test through `wizard.testConfiguration`). */
  track(runId: string): void;
  untrack(runId: string): void;
  /** Tests a saved integration with its stored domain, email and keychain password. */
  runForIntegration(integrationId: string): Promise<void>;
  listen(): () => void;
}

function newTestRunId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

export const useTestConfiguration = create<TestConfigurationState>((set, get) => ({
  live: null,
  results: {},
  track(runId) {
    set({ live: { runId, steps: {} } });
  },
  untrack(runId) {
    if (get().live?.runId === runId) set({ live: null });
  },
  async runForIntegration(integrationId) {
    const runId = newTestRunId();
    get().track(runId);
    try {
      const result = await call('integrations.testConfiguration', { id: integrationId, testRunId: runId });
      set((s) => ({ results: { ...s.results, [integrationId]: { result, error: null, at: new Date().toISOString() } } }));
    } catch (error) {
      set((s) => ({ results: { ...s.results, [integrationId]: { result: null, error, at: new Date().toISOString() } } }));
    } finally {
      get().untrack(runId);
    }
  },
  listen() {
    return subscribe('integrations.testStep', (event) => {
      // An event of another run (an earlier click, another window) is not this one's.
      const live = get().live;
      if (live && event.testRunId === live.runId) set({ live: { ...live, steps: { ...live.steps, [event.step.check]: event.step } } });
    });
  },
}));

export { newTestRunId };
