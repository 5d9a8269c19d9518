import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { LEGACY_END_OF_LIFE_NOTICE } from '../../../../src-shared/domain/ivanti-setup';
import { AppConfigValues } from '../integrations/AppConfigValues';

export function ValuesStep({ draft }: { draft: WizardDraft }) {
  return (
    <>
      <p role="status" className="note">
        Created “{draft.name}”. It is <strong>Disabled</strong>: it applies to no one until you activate it in the last step.
      </p>
      {draft.platform === 'ios-certs' ? (
        <>
          <p>{LEGACY_END_OF_LIFE_NOTICE}</p>
          <p>
            The certificate authority details Ivanti needs (SCEP URL, username, password, challenge URL) belong to this
            integration&apos;s CA profile, under Certificates.
          </p>
        </>
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
