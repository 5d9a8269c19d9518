import type { TestConfigurationResult, TestConfigurationStep } from '../../../../src-shared/domain/test-configuration';
import type { LiveTest } from './test-configuration-store';
import './integrations.css';
import { Table } from '../../shared/ui/Table';

const STATUS_TEXT: Record<TestConfigurationStep['status'], string> = {
  pending: 'Not tried',
  running: 'Running',
  passed: 'Passed',
  failed: 'Failed',
  skipped: 'Not needed',
};

/**
 * Test Configuration's per-check view, the same in the setup wizard and on an integration's page: each check with its
 * state as it runs, then the outcome (the failed check, its code and what to fix) and the spaces the API user reads.
 */
export function TestConfigurationChecks({
  live,
  result,
  successText,
  onChangeDetails,
}: {
  live: LiveTest | null;
  result: TestConfigurationResult | null;
  /** What passing means where the view is shown (the wizard: Save & Configure is open). */
  successText: string;
  /** Where the API details are changed (the wizard's previous step, the page's API details panel). */
  onChangeDetails(): void;
}) {
  const steps = live ? Object.values(live.steps) : (result?.steps ?? []);
  return (
    <>
      {steps.length > 0 ? (
        <ol className="integrations-test-steps" aria-label="Test Configuration checks" aria-live="polite">
          {steps.map((step) => (
            <li key={step.check} className={`integrations-test-step integrations-test-${step.status}`}>
              <span className="integrations-test-status">{STATUS_TEXT[step.status]}</span>
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
            <strong>Configuration successful.</strong> {successText}
          </p>
        ) : result.failure ? (
          <div role="alert" className="error-box">
            <p>
              <strong>{result.steps.find((s) => s.check === result.failure!.check)?.title ?? 'A check'}: failed.</strong> {result.failure.error.message}
            </p>
            <p className="small">
              Error code <code>{result.failure.error.code}</code>. Fix it in Ivanti or in the API details, then test again.
            </p>
            <button type="button" onClick={onChangeDetails}>
              Change the API details
            </button>
          </div>
        ) : null
      ) : null}
      {!live && result?.ok && result.spaces.length > 0 ? (
        <Table label="Device spaces the API user can read" columns={['Space', 'Readable', 'Devices']}>
          <tbody>
            {result.spaces.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.readable ? 'Yes' : 'No'}</td>
                <td>{s.deviceCount ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </>
  );
}
