import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { SyncPanel } from '../sync/SyncPanel';
import { useWizard } from './wizard-store';

export function FirstSyncStep({ draft }: { draft: WizardDraft }) {
  const reload = useWizard((s) => s.reload);
  if (!draft.integrationId) return <p>Create the integration first.</p>;
  return (
    <>
      <p>
        The API details are saved. The first sync copies the tenant&apos;s devices to this computer, so you can check that a device
        has synced and why it is or is not trusted.
      </p>
      <SyncPanel integrationId={draft.integrationId} history={false} startLabel="Start the first sync" onFinished={() => void reload()} />
      {draft.lastCompletedSyncAt ? (
        <p className="ok-text">First sync completed at {new Date(draft.lastCompletedSyncAt).toLocaleString()}.</p>
      ) : null}
    </>
  );
}
