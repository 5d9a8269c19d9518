import { useEffect, useState } from 'react';
import type { Integration } from '../../../../src-shared/domain/integration';
import { errorText } from '../../shared/error-text';
import { selectIntegrationSync, useSync } from '../sync/sync-store';
import { SyncChanges } from '../sync/SyncChanges';
import { SyncHistoryTable } from '../sync/SyncHistoryTable';
import { ExportControl } from './ExportControl';

/**
 * What each sync run of an integration did, and its per-device diff (added, changed fields, removed), read from the
 * local database; each run's diff, or the integration's whole history of changes, exports as CSV or JSON.
 */
export function SyncRunAudit({ integrations }: { integrations: Integration[] }) {
  const [integrationId, setIntegrationId] = useState<string>(integrations[0]?.id ?? '');
  useEffect(() => {
    if (!integrations.some((i) => i.id === integrationId)) setIntegrationId(integrations[0]?.id ?? '');
  }, [integrations, integrationId]);
  const sync = useSync(selectIntegrationSync(integrationId));
  const { load, showChanges, moreChanges, hideChanges } = useSync.getState();
  useEffect(() => {
    if (integrationId) void load(integrationId);
  }, [integrationId, load]);

  if (integrations.length === 0) return <p className="muted">No integration yet: sync runs appear here once an integration has synced.</p>;
  const open = sync.changes;
  return (
    <>
      <div className="audit-tools">
        <label htmlFor="audit-integration">Integration</label>
        <select id="audit-integration" value={integrationId} onChange={(e) => setIntegrationId(e.target.value)}>
          {integrations.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
        <ExportControl what="all changes of this integration" request={(format) => ({ kind: 'changes', format, integrationId })} />
      </div>
      {sync.error ? <p role="alert">{errorText(sync.error)}</p> : null}
      <SyncHistoryTable runs={sync.runs} onShowChanges={(run) => void showChanges(integrationId, run.id, null)} />
      {open ? (
        <>
          <ExportControl
            what={`the changes of run ${open.runId}`}
            request={(format) => ({ kind: 'changes', format, runId: open.runId, ...(open.kind ? { change: open.kind } : {}) })}
          />
          <SyncChanges
            runId={open.runId}
            kind={open.kind}
            items={open.items}
            total={open.total}
            hasMore={open.nextAfterId !== null}
            onKind={(kind) => void showChanges(integrationId, open.runId, kind)}
            onMore={() => void moreChanges(integrationId)}
            onClose={() => hideChanges(integrationId)}
          />
        </>
      ) : null}
    </>
  );
}
