import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { checklistFor } from '../../../../src-shared/domain/ivanti-setup';
import { ApiDetailsInputs } from '../integrations/ApiDetailsInputs';
import { useWizard } from './wizard-store';

/** The Ivanti checklist is guidance, not a gate: what is still open stays in sight while the API details are typed. */
export function ChecklistState({ draft }: { draft: WizardDraft }) {
  if (!draft.platform) return null;
  const items = checklistFor(draft.platform, draft.migratedFrom !== null);
  const open = items.filter((item) => draft.checklist[item.id] !== true);
  if (open.length === 0) {
    return (
      <p role="status" className="ok-text small">
        Ivanti checklist: all {items.length} items ticked.
      </p>
    );
  }
  return (
    <div role="status" className="note small">
      <p>
        Ivanti checklist: {items.length - open.length} of {items.length} ticked. Still open (Back to tick them once done):
      </p>
      <ul aria-label="Checklist items still open">
        {open.map((item) => (
          <li key={item.id}>{item.title}</li>
        ))}
      </ul>
    </div>
  );
}

export function ApiDetailsStep({ draft }: { draft: WizardDraft }) {
  const { edit, errors, passwordInput, setPasswordInput, commitPassword } = useWizard();
  return (
    <>
      <p>The Ivanti API user you created for Duo. The console uses it read-only, to sync devices.</p>
      <ChecklistState draft={draft} />
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
