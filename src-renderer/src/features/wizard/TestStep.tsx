import { useEffect, useState } from 'react';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import type { TestConfigurationStep } from '../../../../src-shared/domain/test-configuration';
import { subscribe } from '../../shared/api';
import { useWizard } from './wizard-store';

const STATUS_TEXT: Record<TestConfigurationStep['status'], string> = {
  pending: 'Not tried',
  running: 'Running',
  passed: 'Passed',
  failed: 'Failed',
  skipped: 'Not needed',
};

function newTestRunId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

export function TestStep({ draft }: { draft: WizardDraft }) {
  const { runTest, back, busy } = useWizard();
  const [live, setLive] = useState<{ runId: string; steps: Record<string, TestConfigurationStep> } | null>(null);

  useEffect(
    () =>
      subscribe('integrations.testStep', (event) => {
        setLive((current) =>
          current && event.testRunId === current.runId ? { ...current, steps: { ...current.steps, [event.step.check]: event.step } } : current,
        );
      }),
    [],
  );

  async function run() {
    const runId = newTestRunId();
    setLive({ runId, steps: {} });
    await runTest(runId);
    setLive(null);
  }

  const result = draft.testResult;
  const steps = live ? Object.values(live.steps) : (result?.steps ?? []);

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
      {steps.length > 0 ? (
        <ol className="test-steps" aria-label="Test Configuration checks" aria-live="polite">
          {steps.map((step) => (
            <li key={step.check} className={`test-step test-${step.status}`}>
              <span className="test-status">{STATUS_TEXT[step.status]}</span>
              <span>
                <strong>{step.title}</strong>
                {step.detail ? <span className="block small">{step.detail}</span> : null}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {!live && result ? (
        result.ok ? (
          <p role="status" className="ok-text">
            <strong>Configuration successful.</strong> Every check passed. Save &amp; Configure stores these API details and starts the
            first sync.
          </p>
        ) : result.failure ? (
          <div role="alert" className="error-box">
            <p>
              <strong>{result.steps.find((s) => s.check === result.failure!.check)?.title ?? 'A check'}: failed.</strong> {result.failure.error.message}
            </p>
            <p className="small">
              Error code <code>{result.failure.error.code}</code>. Fix it in Ivanti or in the API details, then test again.
            </p>
            <button type="button" onClick={() => void back()}>
              Change the API details
            </button>
          </div>
        ) : null
      ) : null}
      {result?.ok && result.spaces.length > 0 ? (
        <table className="data-table" aria-label="Device spaces the API user can read">
          <thead>
            <tr>
              <th scope="col">Space</th>
              <th scope="col">Readable</th>
              <th scope="col">Devices</th>
            </tr>
          </thead>
          <tbody>
            {result.spaces.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.readable ? 'Yes' : 'No'}</td>
                <td>{s.deviceCount ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
