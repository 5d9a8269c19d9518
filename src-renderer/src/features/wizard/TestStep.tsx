import { useEffect } from 'react';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { TestConfigurationChecks } from '../integrations/TestConfigurationChecks';
import { newTestRunId, useTestConfiguration } from '../integrations/test-configuration-store';
import { useWizard } from './wizard-store';

export function TestStep({ draft }: { draft: WizardDraft }) {
  const { runTest, back, busy } = useWizard();
  const { live, track, untrack, listen } = useTestConfiguration();
  useEffect(() => listen(), [listen]);

  async function run() {
    const runId = newTestRunId();
    track(runId);
    await runTest(runId);
    untrack(runId);
  }

  const result = draft.testResult;

  return (
    <>
      <p>
        The console checks, in order, that it can reach <strong>{draft.domain}</strong>, that the API user&apos;s email and password
        are accepted, and that it can read devices in every space. It stops at the first problem and says what to fix.
      </p>
      <div className="actions">
        <button type="button" className={result?.ok ? undefined : 'primary'} onClick={() => void run()} disabled={busy}>
          {result ? 'Test again' : 'Run Test Configuration'}
        </button>
      </div>
      <TestConfigurationChecks
        live={live}
        result={result}
        successText="Every check passed. Save & Configure stores these API details and starts the first sync."
        onChangeDetails={() => void back()}
      />
    </>
  );
}
