import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { STATUS_LABELS } from '../../../../src-shared/domain/integration';
import { useIntegrations } from '../integrations/integrations-store';

export function DoneStep({ draft }: { draft: WizardDraft }) {
  const show = useIntegrations((s) => s.show);
  return (
    <>
      <p role="status" className="ok-text">
        “{draft.name}” is set up and {STATUS_LABELS[draft.activation.status].toLowerCase()}.
      </p>
      <p>Use “Verify your setup” on the integration&apos;s page to check a user and a device the way Duo will.</p>
      <div className="actions">
        {draft.integrationId ? (
          <button type="button" className="primary" onClick={() => show({ kind: 'detail', id: draft.integrationId! })}>
            Open the integration
          </button>
        ) : null}
        <button type="button" onClick={() => show({ kind: 'list' })}>
          Back to integrations
        </button>
      </div>
    </>
  );
}
