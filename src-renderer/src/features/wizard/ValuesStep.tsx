import { useEffect, useState } from 'react';
import { useNavigation } from '../../app/navigation-store';
import { useCaProfiles } from '../certificates/ca-profile-store';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { LEGACY_END_OF_LIFE_NOTICE } from '../../../../src-shared/domain/ivanti-setup';
import { AppConfigValues } from '../integrations/AppConfigValues';
import { ConfigurationKeyField } from '../integrations/ConfigurationKeyField';
import { useWizard } from './wizard-store';

/** Duo issues the configuration key: the admin pastes it from the Duo Admin Panel, and only then are the Ivanti values shown. */
function PasteKey({ draft }: { draft: WizardDraft }) {
  const { enterConfigurationKey, keyUnusual, errors, busy } = useWizard();
  const [pasted, setPasted] = useState('');
  const [confirmUnusual, setConfirmUnusual] = useState(false);
  const save = () => void enterConfigurationKey(pasted, confirmUnusual).then((saved) => saved && setPasted(''));
  const notFromDuo = draft.configurationKey !== null;
  return (
    <div className="confirm-box" role="group" aria-labelledby="wizard-key-title">
      <h3 id="wizard-key-title">Key issued by Duo</h3>
      <p>
        {notFromDuo
          ? 'The key recorded for this integration was not issued by Duo. '
          : 'Duo issues a configuration key for each Trusted Endpoints integration, and Ivanti hands it to Duo Mobile. '}
        Add the integration in Duo first if you have not (it starts Disabled there too), then paste its key here.
      </p>
      <ConfigurationKeyField
        id="wizard-configuration-key"
        value={pasted}
        onChange={(value) => {
          setPasted(value);
          setConfirmUnusual(false);
          // A new paste answers the last warning and the last refusal of Next.
          useWizard.setState((s) => ({ keyUnusual: false, errors: Object.fromEntries(Object.entries(s.errors).filter(([field]) => field !== 'configurationKey')) }));
        }}
        onEnter={save}
        unusual={keyUnusual}
        confirmUnusual={confirmUnusual}
        onConfirmUnusual={setConfirmUnusual}
        error={errors.configurationKey}
      />
      <div className="actions">
        <button type="button" onClick={save} disabled={busy || pasted.trim() === '' || (keyUnusual && !confirmUnusual)}>
          Save the key
        </button>
      </div>
    </div>
  );
}

/**
 * A legacy certificate integration's values are the Duo CA's (SCEP URL, username, password, challenge URL) and the
 * identity certificate's: they are recorded in its CA profile, on the Certificates page, where Test Configuration
 * checks them against the CA. The draft is kept while the admin goes there.
 */
function LegacyValues({ integrationId }: { integrationId: string }) {
  const { profiles, load } = useCaProfiles();
  const go = useNavigation((s) => s.go);
  const missing = useWizard((s) => s.errors.caProfile);
  useEffect(() => {
    void load(integrationId);
  }, [integrationId, load]);
  const profile = profiles[integrationId];
  return (
    <>
      <p>{LEGACY_END_OF_LIFE_NOTICE}</p>
      <p>Ivanti holds this integration&apos;s values in two places, both copied from the iOS instructions in the Duo Admin Panel:</p>
      <ul>
        <li>
          <strong>An external certificate authority</strong> of type Microsoft: the SCEP URL, username, password and challenge URL Duo
          shows.
        </li>
        <li>
          <strong>An identity certificate configuration</strong> generated from that CA: the subject Duo shows, RSA 2048, SHA256 with
          RSA, usable as a digital signature.
        </li>
      </ul>
      <p role="status" className={profile ? 'ok-text' : 'note'}>
        {profile === undefined
          ? 'Looking for this integration’s CA profile…'
          : profile
            ? `The CA profile is recorded (SCEP URL ${profile.scepUrl}).`
            : 'No CA profile is recorded for this integration yet. Record the values under Certificates to keep them with the integration and test them against the CA.'}
      </p>
      {missing && !profile ? (
        <p className="field-error" role="alert">
          {missing}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => go('certificates', { integrationId })}>
          Open Certificates (this setup is kept)
        </button>
      </div>
    </>
  );
}

export function ValuesStep({ draft }: { draft: WizardDraft }) {
  const keyFromDuo = draft.configurationKey !== null && draft.configurationKeyFromDuo === true;
  return (
    <>
      <p role="status" className="note">
        Created “{draft.name}”. It is <strong>Disabled</strong>: it applies to no one until you activate it in the last step.
      </p>
      {draft.platform === 'ios-certs' && draft.integrationId ? (
        <LegacyValues integrationId={draft.integrationId} />
      ) : draft.platform && !keyFromDuo ? (
        <PasteKey draft={draft} />
      ) : draft.configurationKey && draft.platform ? (
        <>
          <p>
            {draft.platform === 'android'
              ? 'Paste these into the two fields of the same name in Duo Mobile’s managed configuration for Android in Ivanti.'
              : 'Add these two items to Duo Mobile’s Apple Managed App Configuration in Ivanti, each with the type STRING.'}{' '}
            Ivanti replaces <code className="mono">{'${deviceClientDeviceIdentifier}'}</code> with each device&apos;s own Device
            Client ID; keep it exactly as shown.
          </p>
          <AppConfigValues platform={draft.platform} configurationKey={draft.configurationKey} />
        </>
      ) : null}
    </>
  );
}
