import { useEffect, useState, type FormEvent } from 'react';
import { useToasts } from '../../shared/ui/toast-store';
import { ErrorText } from '../../shared/ui/ErrorText';
import { errorText } from '../../shared/error-text';
import type { DuoRead, DuoTestStep } from '../../../../src-shared/domain/duo';
import { useDuoConnection } from './duo-connection-store';
import { Field } from '../../shared/ui/Field';
import { Table } from '../../shared/ui/Table';
import { useFormErrors } from '../../shared/use-form-errors';

const STEP_MARK: Record<DuoTestStep['status'], string> = { pending: 'Not run', running: 'Running', passed: 'Passed', failed: 'Failed', skipped: 'Not applicable' };

/**
 * Settings → Duo Admin API: the optional, read-only connection. The secret key field is write-only: it is sent to
 * main once, stored in the keychain there, and never shown again.
 */
export function DuoConnectionPanel() {
  const { connection, loaded, error, testSteps, testResult, testing, reading, progress, lastRead, load, save, test, read, cancelRead, disconnect } = useDuoConnection();
  const [apiHostname, setApiHostname] = useState('');
  const [integrationKey, setIntegrationKey] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [saving, setSaving] = useState(false);
  /** Why the last save, test, read or disconnect failed, shown under the connection's buttons. */
  const { errors, failure, setFailure, fail, clear } = useFormErrors();

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (connection) {
      setApiHostname(connection.apiHostname);
      setIntegrationKey(connection.integrationKey);
    }
  }, [connection]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setFailure(null);
    try {
      await save({ apiHostname, integrationKey, ...(secretKey ? { secretKey } : {}) });
      setSecretKey('');
      clear();
      useToasts.getState().confirm('Duo Admin API connection saved. The secret key is in the keychain.');
    } catch (e) {
      fail(e);
    } finally {
      setSaving(false);
    }
  }

  async function run(action: () => Promise<void>) {
    setFailure(null);
    try {
      await action();
    } catch (e) {
      setFailure(e);
    }
  }

  return (
    <section className="panel" aria-labelledby="duo-connection-title">
      <h2 id="duo-connection-title">Duo Admin API (optional, read-only)</h2>
      <p>
        Connecting lets the console read Duo's groups, users and its own record of each device, and show Duo's view beside its
        predictions. Everything else works without it. The console never writes to Duo.
      </p>
      {!loaded ? <p role="status">Loading the Duo connection…</p> : null}
      {error ? <p role="alert">{errorText(error)}</p> : null}
      {loaded && !connection ? <p>Not connected.</p> : null}
      <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Duo Admin API connection">
        <p className="hint">
          In the Duo Admin Panel: Applications → Protect an Application → Admin API (Owner role), tick "Grant read resource", then copy
          the three values below.
        </p>
        <Field id="duo-api-hostname" label="API hostname" error={errors.apiHostname}>
          {(control) => (
            <input {...control} value={apiHostname} onChange={(e) => setApiHostname(e.target.value)} placeholder="api-1a2b3c4d.duosecurity.com" autoComplete="off" spellCheck={false} />
          )}
        </Field>
        <Field id="duo-integration-key" label="Integration key" error={errors.integrationKey}>
          {(control) => <input {...control} value={integrationKey} onChange={(e) => setIntegrationKey(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field id="duo-secret-key" label="Secret key" error={errors.secretKey} hint="Kept in the operating system's keychain only; it is never shown again.">
          {(control) => (
            <input
              {...control}
              type="password"
              value={secretKey}
              onChange={(e) => setSecretKey(e.target.value)}
              autoComplete="off"
              placeholder={connection?.hasSecretKey ? 'Stored in the keychain (type to replace)' : ''}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={saving}>
            Save connection
          </button>
          {connection ? (
            <>
              <button type="button" onClick={() => void run(test)} disabled={testing || reading}>
                {testing ? 'Testing…' : 'Test connection'}
              </button>
              <button type="button" onClick={() => void run(read)} disabled={reading || testing}>
                Read from Duo now
              </button>
              {reading ? (
                <button type="button" onClick={() => void run(cancelRead)}>
                  Cancel read
                </button>
              ) : null}
              <button type="button" onClick={() => void run(disconnect)} disabled={reading}>
                Disconnect
              </button>
            </>
          ) : null}
        </div>
      </form>
      <ErrorText error={failure} />
      {testSteps ? (
        <ol className="checks" aria-label="Duo connection checks">
          {testSteps.map((step) => (
            <li key={step.check} data-status={step.status}>
              <strong>{STEP_MARK[step.status]}</strong>: {step.title}
              {step.status === 'failed' && step.error ? <p role="alert">{step.error.message}</p> : step.detail ? <span>: {step.detail}</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {testResult?.ok ? <p role="status">The connection to {testResult.apiHostname} works.</p> : null}
      {reading ? (
        <p role="status" aria-live="polite">
          {progress ? progress.waiting ?? `Reading ${progress.kind} from Duo: ${progress.fetched}${progress.total === null ? '' : ` of ${progress.total}`}` : 'Reading from Duo…'}
        </p>
      ) : null}
      {connection && connection.reads.length > 0 ? (
        <Table label="Reads from Duo" columns={['List', 'Last read', 'Result']}>
          <tbody>
            {connection.reads.map((r) => (
              <tr key={r.kind}>
                <td>{r.kind}</td>
                <td>{new Date(r.finishedAt).toLocaleString()}</td>
                <td>{describeRead(r)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {lastRead && !lastRead.ok ? <p role="alert">The read did not finish; lists not read keep their previous copy.</p> : null}
    </section>
  );
}

function describeRead(read: DuoRead): string {
  if (read.status === 'completed') return `${read.count?.toLocaleString() ?? 0} read`;
  return `${read.status === 'cancelled' ? 'Cancelled' : 'Failed'}${read.error ? `: ${read.error.message}` : ''} (previous copy kept)`;
}
