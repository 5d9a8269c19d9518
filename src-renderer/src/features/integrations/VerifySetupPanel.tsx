import { useState, type FormEvent } from 'react';
import type { OutputOf } from '../../../../src-shared/contract';
import { DevicePlatform, TRUST_REASON_TITLES } from '../../../../src-shared/domain/trust';
import { call } from '../../shared/api';
import { errorText, fieldErrors } from '../../shared/error-text';

const PLATFORM_CHOICES: { value: '' | DevicePlatform; label: string }[] = [
  { value: '', label: 'Any (learn it from the synced device)' },
  { value: 'android', label: 'Android' },
  { value: 'ios', label: 'iOS (either integration type)' },
  { value: 'ios-appconfig', label: 'iOS (App Config) only' },
  { value: 'ios-certs', label: 'iOS certificates (legacy) only' },
];

/**
 * "Verify your setup": would Duo trust this user on this device? Same handler as `tec verify`, so the answers match.
 */
export function VerifySetupPanel() {
  const [user, setUser] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [platform, setPlatform] = useState<'' | DevicePlatform>('');
  const [verdict, setVerdict] = useState<OutputOf<'trust.verify'> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      setVerdict(await call('trust.verify', { user, identifier, ...(platform ? { platform } : {}) }));
      setErrors({});
    } catch (error) {
      setVerdict(null);
      const fields = fieldErrors(error);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="verify-title">
      <h2 id="verify-title">Verify your setup</h2>
      <p className="small">
        Would the trusted-endpoints policy trust this user on this device? The answer comes from the synced devices on this
        computer, and lists everything that stands in the way.
      </p>
      <form className="form inline-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="verify-user">Username</label>
          <input id="verify-user" value={user} onChange={(e) => setUser(e.target.value)} aria-invalid={errors.user ? true : undefined} aria-describedby={errors.user ? 'verify-user-error' : undefined} />
          {errors.user ? <p id="verify-user-error" className="field-error">{errors.user}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="verify-identifier">Device Client ID</label>
          <input
            id="verify-identifier"
            className="mono wide"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
            aria-invalid={errors.identifier ? true : undefined}
            aria-describedby={errors.identifier ? 'verify-identifier-error' : undefined}
          />
          {errors.identifier ? <p id="verify-identifier-error" className="field-error">{errors.identifier}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="verify-platform">Platform</label>
          <select id="verify-platform" value={platform} onChange={(e) => setPlatform(e.target.value as '' | DevicePlatform)}>
            {PLATFORM_CHOICES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Verify
          </button>
        </div>
      </form>
      {failure ? <p role="alert">{failure}</p> : null}
      {verdict ? (
        <div role="status" aria-live="polite" className={`verdict ${verdict.trusted ? 'verdict-trusted' : 'verdict-untrusted'}`}>
          {verdict.trusted ? (
            <p>
              <strong>Trusted.</strong> {verdict.user} on this device passes every check of “{verdict.trustedBy?.integrationName}”.
            </p>
          ) : (
            <>
              <p>
                <strong>Not trusted.</strong> {verdict.reasons.length === 1 ? 'One reason' : `${verdict.reasons.length} reasons`}:
              </p>
              <ul aria-label="Reasons the device is not trusted">
                {verdict.reasons.map((r, i) => (
                  <li key={`${r.code}-${r.integrationId}-${i}`}>
                    <strong>{TRUST_REASON_TITLES[r.code]}</strong>
                    {r.integrationName ? ` (${r.integrationName})` : ''}: {r.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}
