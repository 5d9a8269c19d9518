import { useState, type FormEvent } from 'react';
import type { DevicePlatform } from '../../../../src-shared/domain/trust';
import { useFormErrors } from '../../shared/use-form-errors';
import { ErrorText } from '../../shared/ui/ErrorText';
import { TrustVerdictView } from '../trust/TrustVerdictView';
import { useVerify } from '../trust/verify-store';
import { DuoUserViewPanel } from '../duo/DuoUserViewPanel';
import { Field } from '../../shared/ui/Field';
import { ChoiceField } from '../../shared/ui/ChoiceField';

const PLATFORM_CHOICES: { value: DevicePlatform; label: string }[] = [
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
  const { verdict, verify } = useVerify();
  const { errors, failure, setFailure, fail, clear } = useFormErrors();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await verify({ user, identifier, ...(platform ? { platform } : {}) });
      clear();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="verify-title">
      <h2 id="verify-title">Verify your setup</h2>
      <p className="small">
        Would the trusted-endpoints policy trust this user on this device? The answer comes from the synced devices on this
        computer: it leads with the one reason that decides and what to do, then the checks of each integration.
      </p>
      <form className="form inline-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field id="verify-user" label="Username" error={errors.user}>
          {(control) => <input {...control} value={user} onChange={(e) => setUser(e.target.value)} />}
        </Field>
        <Field id="verify-identifier" label="Device Client ID" error={errors.identifier}>
          {(control) => <input {...control} className="mono wide" value={identifier} onChange={(e) => setIdentifier(e.target.value)} />}
        </Field>
        <ChoiceField
          id="verify-platform"
          label="Platform"
          anyLabel="Any (learn it from the synced device)"
          value={platform}
          choices={PLATFORM_CHOICES}
          onChange={(chosen) => setPlatform(PLATFORM_CHOICES.find((p) => p.value === chosen)?.value ?? '')}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Verify
          </button>
        </div>
      </form>
      <ErrorText error={failure} />
      {verdict ? <TrustVerdictView verdict={verdict} /> : null}
      {verdict ? <DuoUserViewPanel user={verdict.user} /> : null}
    </section>
  );
}
