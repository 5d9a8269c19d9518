import { create } from 'zustand';
import type { InputOf, OutputOf } from '../../../../src-shared/contract';
import type { LegacyTestProgress, LegacyTestResult } from '../../../../src-shared/contract/certificates';
import type { CaProfile } from '../../../../src-shared/domain/ca-profile';
import { call, subscribe } from '../../shared/api';
import { errorCode } from '../../shared/error-text';
import { LatestAnswers } from '../../shared/latest-answer';
import { useCertificates } from './certificates-store';

/** One legacy integration's Test Configuration, as the panel shows it. */
export type LegacyTest =
  | { state: 'running'; testRunId: string; progress: LegacyTestProgress | null }
  | { state: 'passed'; result: LegacyTestResult }
  | { state: 'failed'; error: unknown }
  | { state: 'cancelled' };

interface CaProfileState {
  /** undefined: not loaded yet; null: the integration has no CA profile. */
  profiles: Record<string, CaProfile | null | undefined>;
  loadErrors: Record<string, unknown>;
  tests: Record<string, LegacyTest | undefined>;
  load(integrationId: string): Promise<void>;
  /** Throws the contract's error (the form maps it to its fields). */
  save(input: InputOf<'certificates.saveProfile'>): Promise<CaProfile>;
  test(integrationId: string, challengePassword?: string): Promise<void>;
  cancel(integrationId: string): Promise<void>;
  /** The admin's explicit export of the test key: the PEM (shown once) or the path written. Throws on failure. */
  exportKey(keyHandle: string, path?: string): Promise<OutputOf<'certificates.exportTestKey'>>;
}

let nextRun = 1;
const answers = new LatestAnswers();

export const useCaProfiles = create<CaProfileState>((set, get) => {
  const setTest = (integrationId: string, test: LegacyTest) => set({ tests: { ...get().tests, [integrationId]: test } });
  return {
    profiles: {},
    loadErrors: {},
    tests: {},
    load: (integrationId) =>
      answers.load(integrationId, () => call('certificates.getProfile', { integrationId }), {
        value: (profile) => set({ profiles: { ...get().profiles, [integrationId]: profile }, loadErrors: { ...get().loadErrors, [integrationId]: null } }),
        error: (error) => set({ loadErrors: { ...get().loadErrors, [integrationId]: error } }),
      }),
    async save(input) {
      // A load still on its way would put the old profile back over the saved one.
      answers.begin(input.integrationId);
      const profile = await call('certificates.saveProfile', input);
      set({ profiles: { ...get().profiles, [input.integrationId]: profile } });
      return profile;
    },
    async test(integrationId, challengePassword) {
      const testRunId = `ui-${Date.now().toString(36)}-${nextRun++}`;
      setTest(integrationId, { state: 'running', testRunId, progress: null });
      const unsubscribe = subscribe('certificates.testProgress', (progress) => {
        const current = get().tests[integrationId];
        if (progress.testRunId === testRunId && current?.state === 'running') setTest(integrationId, { ...current, progress });
      });
      try {
        const result = await call('certificates.testConfiguration', {
          integrationId,
          testRunId,
          ...(challengePassword ? { challengePassword } : {}),
        });
        setTest(integrationId, { state: 'passed', result });
        void useCertificates.getState().load();
      } catch (error) {
        setTest(integrationId, errorCode(error) === 'CANCELLED' ? { state: 'cancelled' } : { state: 'failed', error });
      } finally {
        unsubscribe();
      }
    },
    async cancel(integrationId) {
      const current = get().tests[integrationId];
      if (current?.state === 'running') await call('certificates.cancelTest', { testRunId: current.testRunId });
    },
    exportKey(keyHandle, path) {
      return call('certificates.exportTestKey', { keyHandle, ...(path ? { path } : {}) });
    },
  };
});
