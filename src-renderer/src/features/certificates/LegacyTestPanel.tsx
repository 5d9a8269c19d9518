import { useId, useState, type FormEvent } from 'react';
import type { LegacyTestResult } from '../../../../src-shared/contract/certificates';
import type { CaProfile } from '../../../../src-shared/domain/ca-profile';
import { fileCapabilities } from '../../shared/api';
import { errorCode, errorText, fieldErrors } from '../../shared/error-text';
import { useCaProfiles } from './ca-profile-store';
import { CertificateDetails } from './CertificateDetails';
import { dateTimeText } from './certificate-text';
import { Field } from '../../shared/ui/Field';

/**
 * Test Configuration as Ivanti runs it for the identity certificate configuration: enrolls one test certificate and
 * shows it. A failure points at the CA details or the connector, as the seed's procedure does.
 */
export function LegacyTestPanel({ profile }: { profile: CaProfile }) {
  const { tests, test, cancel } = useCaProfiles();
  const current = tests[profile.integrationId];
  const [challenge, setChallenge] = useState('');
  const [challengeError, setChallengeError] = useState<string | null>(null);
  const id = useId();
  const running = current?.state === 'running';

  async function start(event: FormEvent) {
    event.preventDefault();
    if (!profile.challengeUrl && challenge.trim() === '') {
      setChallengeError('Enter a challenge password from the CA: this profile has no challenge URL.');
      return;
    }
    setChallengeError(null);
    await test(profile.integrationId, profile.challengeUrl ? undefined : challenge.trim());
    setChallenge('');
  }

  const failure = current?.state === 'failed' ? current.error : null;
  const challengeFieldError = challengeError ?? (failure ? (fieldErrors(failure).challengePassword ?? null) : null);

  return (
    <div className="certificates-legacy-test" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Test Configuration</h3>
      <p className="small">
        Enrolls one test certificate with the identity certificate configuration, exactly as Ivanti would for a device
        {profile.challengeUrl ? ', with a fresh challenge password from the challenge URL' : ''}. The certificate is recorded in
        the inventory as a test certificate; its private key stays in memory unless you export it.
      </p>
      <form className="form inline-form" onSubmit={(event) => void start(event)} noValidate>
        {profile.challengeUrl ? null : (
          <Field id={`${id}-challenge`} label="Challenge password" hint="Used for this test only; never stored." error={challengeFieldError}>
            {(control) => (
              <input {...control} type="password" autoComplete="off" value={challenge} onChange={(e) => setChallenge(e.target.value)} disabled={running} />
            )}
          </Field>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={running}>
            Test Configuration
          </button>
          {running ? (
            <button type="button" onClick={() => void cancel(profile.integrationId)}>
              Cancel test
            </button>
          ) : null}
        </div>
      </form>

      {running ? (
        <div className="certificates-test-progress" role="status" aria-live="polite">
          <progress aria-label="Test Configuration in progress" />
          <span>{current.progress?.message ?? 'Starting…'}</span>
        </div>
      ) : null}
      {current?.state === 'cancelled' ? (
        <p role="status" className="note">
          Test cancelled. Nothing was recorded.
        </p>
      ) : null}
      {failure && !challengeFieldError ? (
        <div className="error-box" role="alert">
          <p>
            <strong>Configuration test failed.</strong> {errorText(failure)} <span className="toast-code">{errorCode(failure)}</span>
          </p>
          <p className="small">
            Check the CA details above (SCEP URL, username, password, challenge URL) against the Duo Admin Panel, and that the
            connector is registered and online in Ivanti.
          </p>
        </div>
      ) : null}
      {current?.state === 'passed' ? <TestResult result={current.result} /> : null}
    </div>
  );
}

function TestResult({ result }: { result: LegacyTestResult }) {
  return (
    <div className="certificates-test-result">
      <p role="status" className="note">
        Configuration test successful: the CA issued a test certificate
        {result.challengeSource === 'challenge-url' ? ' with a challenge fetched from the challenge URL' : ''}.
      </p>
      <CertificateDetails certificate={result.certificate} label="Test certificate" />
      <details className="certificates-pem">
        <summary>Certificate (PEM)</summary>
        <pre className="mono small">{result.certificatePem}</pre>
      </details>
      <TestKeyExport result={result} />
    </div>
  );
}

type Exported = { kind: 'pem'; pem: string } | { kind: 'file'; path: string };

/** The one way a test key leaves memory: the admin asks, once, before the handle expires. */
function TestKeyExport({ result }: { result: LegacyTestResult }) {
  const exportKey = useCaProfiles((s) => s.exportKey);
  const [path, setPath] = useState('');
  const [exported, setExported] = useState<Exported | null>(null);
  const [error, setError] = useState<unknown>(null);
  const id = useId();
  // The app asks where with the OS save dialog; the web test rig keeps the path field.
  const files = fileCapabilities();

  async function saveWithDialog() {
    const chosen = await files?.chooseSavePath({ title: 'Save the test private key', defaultName: 'duo-test-key.pem', extension: 'pem' });
    if (chosen) await run(chosen);
  }

  async function run(destination?: string) {
    setError(null);
    try {
      const answer = await exportKey(result.keyHandle, destination);
      setExported(answer.pem !== null ? { kind: 'pem', pem: answer.pem } : { kind: 'file', path: answer.path! });
    } catch (e) {
      setError(e);
    }
  }

  if (exported?.kind === 'pem') {
    return (
      <div className="field certificates-key-export">
        <label htmlFor={`${id}-pem`}>Private key of the test certificate (PEM)</label>
        <textarea id={`${id}-pem`} className="mono small certificates-key-pem" readOnly rows={8} value={exported.pem} />
        <p className="small warning-text">Shown this once. Copy it now; the console has forgotten it.</p>
      </div>
    );
  }
  if (exported?.kind === 'file') {
    return (
      <p role="status" className="note">
        Private key written to <span className="mono">{exported.path}</span> (readable by you only). The console has forgotten it.
        {files ? (
          <button type="button" onClick={() => void files.showInFolder(exported.path)}>
            Show in folder
          </button>
        ) : null}
      </p>
    );
  }
  const pathError = fieldErrors(error).path ?? null;
  const showKey = (
    <button type="button" onClick={() => void run()}>
      Show private key
    </button>
  );
  return (
    <div className="certificates-key-export" role="group" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Private key</h4>
      <p className="small">
        Held in memory only, until {dateTimeText(result.keyExpiresAt)}. Export it only if you need it, for example to try the
        certificate with another tool; it can be exported once.
      </p>
      {files ? (
        <div className="actions">
          <button type="button" onClick={() => void saveWithDialog()}>
            Save private key…
          </button>
          {showKey}
        </div>
      ) : (
        <form
          className="form inline-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run(path.trim());
          }}
        >
          <Field id={`${id}-path`} label="Save to file (full path)" error={pathError}>
            {(control) => <input {...control} className="mono wide" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/duo-test-key.pem" />}
          </Field>
          <div className="actions">
            <button type="submit" disabled={path.trim() === ''}>
              Save private key
            </button>
            {showKey}
          </div>
        </form>
      )}
      {error && !pathError ? (
        <p role="alert" className="error-text">
          {errorText(error)}
        </p>
      ) : null}
    </div>
  );
}
