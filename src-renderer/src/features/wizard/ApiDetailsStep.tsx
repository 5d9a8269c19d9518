import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { ApiDetailsInputs } from '../integrations/ApiDetailsInputs';
import { useWizard } from './wizard-store';

export function ApiDetailsStep({ draft }: { draft: WizardDraft }) {
  const { edit, errors, passwordInput, setPasswordInput, commitPassword } = useWizard();
  return (
    <>
      <p>The Ivanti API user you created for Duo. The console uses it read-only, to sync devices.</p>
      <ApiDetailsInputs
        idPrefix="wizard-api"
        domain={draft.domain}
        email={draft.email}
        password={passwordInput}
        passwordStored={draft.passwordStored}
        onDomain={(domain) => edit({ domain })}
        onEmail={(email) => edit({ email })}
        onPassword={setPasswordInput}
        onPasswordCommit={() => void commitPassword()}
        errors={errors}
      />
      {draft.passwordStored ? (
        <p role="status" className="ok-text small">
          Password stored in the keychain.
        </p>
      ) : null}
    </>
  );
}
