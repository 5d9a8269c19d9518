import { useEffect } from 'react';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { SyncPanel } from '../sync/SyncPanel';
import { useSync } from '../sync/sync-store';
import { useWizard } from './wizard-store';

export function FirstSyncStep({ draft }: { draft: WizardDraft }) {
  const reload = useWizard((s) => s.reload);
  const integrationId = draft.integrationId;
  // Save & Configure started the run: it may have ended before this step showed, with no finish seen by the panel.
  const newestCompleted = useSync((s) => {
    const sync = integrationId ? s.byIntegration[integrationId] : undefined;
    return (sync?.runs[0] ?? sync?.status?.lastRun ?? null)?.status === 'completed';
  });
  useEffect(() => {
    if (newestCompleted && draft.lastCompletedSyncAt === null) void reload();
  }, [newestCompleted, draft.lastCompletedSyncAt, reload]);

  if (!integrationId) return <p>Create the integration first.</p>;
  return (
    <>
      <p>
        The API details are saved and Save &amp; Configure started the first sync. It copies the tenant&apos;s devices to this
        computer, so you can check that a device has synced and why it is or is not trusted.
      </p>
      <SyncPanel integrationId={integrationId} history={false} startLabel="Start the first sync" onFinished={() => void reload()} />
      {draft.lastCompletedSyncAt ? (
        <p className="ok-text">First sync completed at {new Date(draft.lastCompletedSyncAt).toLocaleString()}.</p>
      ) : null}
    </>
  );
}
