import { useId } from 'react';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { PLATFORM_LABELS, type Platform } from '../../../../src-shared/domain/integration';
import { LEGACY_END_OF_LIFE_NOTICE } from '../../../../src-shared/domain/ivanti-setup';
import { useWizard } from './wizard-store';
import { StatusBadge } from '../../shared/ui/StatusBadge';
import { Field } from '../../shared/ui/Field';

const RECOMMENDED: { value: Platform; hint: string }[] = [
  { value: 'android', hint: 'Duo Mobile on Android Enterprise devices reads its trust values from a managed configuration.' },
  { value: 'ios-appconfig', hint: 'Duo Mobile, installed as a managed app, reads its trust values from an Apple Managed App Configuration.' },
];

export function PlatformStep({ draft }: { draft: WizardDraft }) {
  const { edit, errors } = useWizard();
  const created = draft.integrationId !== null;
  const nameError = errors.name;
  const legacyHint = useId();

  return (
    <>
      {draft.migratedFrom ? (
        <p className="note">
          This setup replaces a legacy iOS certificate integration, so its platform is iOS (App Config).{' '}
          {draft.domain && draft.email
            ? `Its domain (${draft.domain}) and API user (${draft.email}) are carried over; the password is copied inside the console when you create the integration.`
            : 'It had no API details recorded: you enter them in the API details step.'}
        </p>
      ) : null}
      {created ? <p className="note">The integration exists already, so its name and platform can no longer change.</p> : null}
      <Field
        id="wizard-name"
        label="Integration name"
        error={nameError}
        hint="For example “Acme Android”. You can have several integrations, for several tenants or platforms."
      >
        {(control) => <input {...control} value={draft.name} disabled={created} onChange={(e) => edit({ name: e.target.value })} />}
      </Field>
      <fieldset disabled={created}>
        <legend>Platform: recommended</legend>
        {RECOMMENDED.filter((p) => draft.migratedFrom === null || p.value === 'ios-appconfig').map((p) => (
          <label key={p.value} className="radio choice">
            <input type="radio" name="platform" value={p.value} checked={draft.platform === p.value} onChange={() => edit({ platform: p.value })} />
            <span>
              <strong>{PLATFORM_LABELS[p.value]}</strong> <StatusBadge tone="ok">Recommended</StatusBadge>
              <span className="block small muted">{p.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset disabled={created || draft.migratedFrom !== null}>
        <legend>Platform: legacy</legend>
        <label className="radio choice">
          <input
            type="radio"
            name="platform"
            value="ios-certs"
            checked={draft.platform === 'ios-certs'}
            onChange={() => edit({ platform: 'ios-certs' })}
            aria-describedby={legacyHint}
          />
          <span>
            <strong>Certificates for iOS</strong> <StatusBadge tone="warning">Legacy · end of life</StatusBadge>
            <span id={legacyHint} className="block small muted">
              {LEGACY_END_OF_LIFE_NOTICE}
            </span>
          </span>
        </label>
      </fieldset>
      {draft.platform === 'ios-certs' && !created ? (
        <div className="confirm-box" role="group" aria-label="Legacy platform">
          <p>
            For iOS devices, choose iOS (App Config): it needs no certificate authority or on-premises connector, and it is what
            Duo supports going forward.
          </p>
          <button type="button" onClick={() => edit({ platform: 'ios-appconfig', acknowledgeLegacy: false })}>
            Use iOS (App Config) instead
          </button>
          <label className="radio">
            <input type="checkbox" checked={draft.acknowledgeLegacy} onChange={(e) => edit({ acknowledgeLegacy: e.target.checked })} />
            I am recording an existing certificate integration, to manage it or migrate it
          </label>
        </div>
      ) : null}
      {errors.platform ? <p className="field-error">{errors.platform}</p> : null}
    </>
  );
}
