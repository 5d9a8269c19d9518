import { useEffect } from 'react';
import type { Integration } from '../../../../src-shared/domain/integration';
import { errorText } from '../../shared/error-text';
import { TestConfigurationChecks } from './TestConfigurationChecks';
import { useTestConfiguration } from './test-configuration-store';
import { TimeAgo } from '../../shared/ui/TimeAgo';

/** Test Configuration of a saved integration, with its stored API details: the wizard's checks, on the integration's page. */
export function TestConfigurationPanel({ integration }: { integration: Integration }) {
  const { live, results, runForIntegration, listen } = useTestConfiguration();
  useEffect(() => listen(), [listen]);
  const last = results[integration.id] ?? null;
  const running = live !== null;
  const ready = integration.domain !== null && integration.email !== null && integration.hasPassword;

  return (
    <section className="panel" aria-labelledby="test-config-title">
      <h2 id="test-config-title">Test Configuration</h2>
      <p>
        Checks, in order, that the console reaches <strong>{integration.domain ?? 'the domain'}</strong>, that the API user&apos;s email
        and password are accepted, and that it can read devices in every space. It stops at the first problem and says what to fix.
      </p>
      {!ready ? (
        <p className="warning-text">
          Enter the domain, the API user&apos;s email and its password under API details first: Test Configuration uses the saved
          details.
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => void runForIntegration(integration.id)} disabled={running || !ready}>
          {last ? 'Test again' : 'Run Test Configuration'}
        </button>
        {last && !running ? <span className="small muted">Last run <TimeAgo iso={last.at} /></span> : null}
      </div>
      {last?.error ? (
        <p role="alert" className="error-text">
          {errorText(last.error)}
        </p>
      ) : null}
      <TestConfigurationChecks
        live={live}
        result={last?.result ?? null}
        successText="Every check passed with the saved API details."
        onChangeDetails={() => focusApiDetails()}
      />
    </section>
  );
}

/** The API details panel further down the page: its first control takes focus (and scrolls into view). */
function focusApiDetails(): void {
  document.getElementById('api-edit-title')?.closest('section')?.querySelector<HTMLElement>('input, button')?.focus();
}
