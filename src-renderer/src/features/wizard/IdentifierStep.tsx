import { useState, type KeyboardEvent } from 'react';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { useWizard } from './wizard-store';
import { Field } from '../../shared/ui/Field';

export function IdentifierStep({ draft }: { draft: WizardDraft }) {
  const { checkIdentifier, errors, busy } = useWizard();
  const [identifier, setIdentifier] = useState(draft.identifierCheck?.identifier ?? '');
  const check = draft.identifierCheck;

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    // Enter checks the identifier here rather than moving to the next step.
    if (event.key === 'Enter') {
      event.preventDefault();
      void checkIdentifier(identifier);
    }
  }

  return (
    <>
      <p>
        Check that a device you expect to be trusted has synced with its identifier. In Ivanti, open Devices, select the device, and
        copy the <strong>Device Client ID</strong> under Overview → Settings.
      </p>
      <Field id="wizard-identifier" label="Device Client ID" error={errors.identifier}>
        {(control) => (
          <div className="inline">
            <input {...control} className="mono wide" value={identifier} onChange={(e) => setIdentifier(e.target.value)} onKeyDown={onKeyDown} />
            <button type="button" onClick={() => void checkIdentifier(identifier)} disabled={busy}>
              Check
            </button>
          </div>
        )}
      </Field>
      {check ? (
        <p role="status" className={check.found ? 'ok-text' : 'warning-text'}>
          {check.found
            ? `Found: the device ${check.identifier} has synced into this integration.`
            : `Not found: no active device with ${check.identifier} has synced. Check that Duo Mobile received the managed configuration and that the API user can read the device's space, then sync again; a device can take up to a day to report it.`}
        </p>
      ) : null}
      <p className="small muted">This check is optional: you can continue and check later with “Verify your setup”.</p>
    </>
  );
}
