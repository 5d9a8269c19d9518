import { useEffect, useId, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import {
  CA_TYPE_LABELS,
  CaProfileName,
  CaUsername,
  CertificateSubject,
  ChallengeUrl,
  IDENTITY_KEY_SIZE,
  ScepUrl,
  type CaProfile,
} from '../../../../src-shared/domain/ca-profile';
import { useToasts } from '../../shared/ui/toast-store';
import { errorText } from '../../shared/error-text';
import { useCaProfiles } from './ca-profile-store';
import { LegacyTestPanel } from './LegacyTestPanel';
import { Field, useTypedProblem } from '../../shared/ui/Field';
import './certificates.css';
import { useFormErrors } from '../../shared/use-form-errors';
import { FormActions } from '../../shared/FormActions';

/**
 * The CA profile of one legacy certificate integration: the "Duo CA" entry and the identity certificate configuration
 * as Ivanti holds them, with Test Configuration. Shown on the integration's page and on the Certificates page.
 */
export function CaProfilePanel({ integrationId, title = 'Certificate authority (Duo CA)' }: { integrationId: string; title?: string }) {
  const { profiles, loadErrors, load } = useCaProfiles();
  const headingId = useId();
  useEffect(() => {
    void load(integrationId);
  }, [integrationId, load]);
  const profile = profiles[integrationId];
  const loadError = loadErrors[integrationId];

  return (
    <section className="panel certificates-ca-profile" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <p className="small muted">
        The values from the “Add an External Certificate Authority (CA)” and “Add a Configuration” sections of the iOS
        instructions in the Duo Admin Panel, as Ivanti’s CA entry and identity certificate configuration hold them.
      </p>
      {loadError ? (
        <p role="alert" className="error-text">
          {errorText(loadError)}
        </p>
      ) : profile === undefined ? (
        <p className="muted">Loading the CA profile…</p>
      ) : (
        <>
          <CaProfileForm key={profile?.updatedAt ?? 'new'} integrationId={integrationId} profile={profile} />
          {profile ? <LegacyTestPanel profile={profile} /> : <p className="muted">Save the CA profile to test it.</p>}
        </>
      )}
    </section>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  /** The contract's own rule for this field; omitted for the password. */
  schema?: z.ZodType;
  serverError?: string;
  hint?: string;
  type?: 'text' | 'password' | 'url';
  placeholder?: string;
  mono?: boolean;
}

function TextField(props: TextFieldProps) {
  const typed = useTypedProblem(props.schema, props.value);
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={typed.problem ?? props.serverError}>
      {(control) => (
        <input
          {...control}
          type={props.type ?? 'text'}
          className={props.mono ? 'mono' : undefined}
          autoComplete={props.type === 'password' ? 'new-password' : 'off'}
          spellCheck={false}
          value={props.value}
          placeholder={props.placeholder}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={typed.onBlur}
        />
      )}
    </Field>
  );
}

function CaProfileForm({ integrationId, profile }: { integrationId: string; profile: CaProfile | null }) {
  const save = useCaProfiles((s) => s.save);
  const [name, setName] = useState(profile?.name ?? 'Duo CA');
  const [scepUrl, setScepUrl] = useState(profile?.scepUrl ?? '');
  const [username, setUsername] = useState(profile?.username ?? '');
  const [password, setPassword] = useState('');
  const [challengeUrl, setChallengeUrl] = useState(profile?.challengeUrl ?? '');
  const [subject, setSubject] = useState(profile?.identity.subject ?? '');
  const [busy, setBusy] = useState(false);
  const { errors, failure, fail, clear } = useFormErrors();
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await save({ integrationId, name, caType: 'microsoft', scepUrl, username, challengeUrl, subject, ...(password ? { password } : {}) });
      setPassword('');
      clear();
      useToasts.getState().confirm('CA profile saved. Run Test Configuration to check it against the CA.');
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="CA profile">
      <h3>Certificate authority</h3>
      <TextField id={`${id}-name`} label="Name" value={name} onChange={setName} schema={CaProfileName} serverError={errors.name} />
      <Field id={`${id}-type`} label="Certificate authority type" hint="Duo’s CA is reached the way Ivanti reaches a Microsoft CA: SCEP through NDES.">
        {(control) => (
          <select {...control} value="microsoft" disabled>
            <option value="microsoft">{CA_TYPE_LABELS.microsoft}</option>
          </select>
        )}
      </Field>
      <TextField
        id={`${id}-scep`}
        label="SCEP URL"
        type="url"
        mono
        value={scepUrl}
        onChange={setScepUrl}
        schema={ScepUrl}
        serverError={errors.scepUrl}
        placeholder="https://…/certsrv/mscep/mscep.dll"
      />
      <TextField id={`${id}-user`} label="Username" value={username} onChange={setUsername} schema={CaUsername} serverError={errors.username} />
      <TextField
        id={`${id}-password`}
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        serverError={errors.password}
        placeholder={profile?.hasPassword ? 'Stored in the keychain: type a new one to replace it' : ''}
        hint={
          profile?.hasPassword
            ? 'A password is stored in the keychain. It is never shown; leave this empty to keep it.'
            : 'Kept in the operating system keychain only, never in the console’s files.'
        }
      />
      <TextField
        id={`${id}-challenge`}
        label="Challenge URL"
        type="url"
        mono
        value={challengeUrl}
        onChange={setChallengeUrl}
        schema={challengeUrl === '' ? undefined : ChallengeUrl}
        serverError={errors.challengeUrl}
        placeholder="https://…/certsrv/mscep_admin/"
        hint="Where a fresh single-use challenge password is fetched for every enrollment. Leave empty to type one for each test."
      />

      <h3>Identity certificate configuration</h3>
      <TextField
        id={`${id}-subject`}
        label="Subject"
        mono
        value={subject}
        onChange={setSubject}
        schema={CertificateSubject}
        serverError={errors.subject}
        hint="As given in the Duo Admin Panel, most specific part first (CN=…,O=…)."
      />
      <dl className="facts certificates-identity-facts" aria-label="Fixed identity certificate settings">
        <dt>Signature algorithm</dt>
        <dd>SHA256 with RSA</dd>
        <dt>Key size</dt>
        <dd>{IDENTITY_KEY_SIZE}</dd>
        <dt>Key usage</dt>
        <dd>
          <label className="radio">
            <input type="checkbox" checked disabled /> Use as digital signature
          </label>
        </dd>
      </dl>
      <FormActions submit={profile ? 'Save CA profile' : 'Create CA profile'} disabled={busy} error={failure} />
    </form>
  );
}
