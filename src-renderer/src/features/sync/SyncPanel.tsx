import { useEffect, useRef } from 'react';
import type { SyncRun } from '../../../../src-shared/domain/sync';
import { errorText } from '../../shared/error-text';
import { selectIntegrationSync, useSync } from './sync-store';
import { SyncChanges } from './SyncChanges';
import { SyncHistoryTable } from './SyncHistoryTable';
import { SyncProgressBar } from './SyncProgressBar';
import { dateTime, duration } from './sync-text';
import './sync.css';

/**
 * Sync of one integration: run now, live progress with rate and ETA, cancel, the next scheduled run and the history
 * of runs with their per-device changes. Mount it on an integration's page; `onFinished` tells the host a run ended
 * (to refresh its own figures). `history={false}` shows only the controls and progress (the setup wizard's first sync).
 */
export function SyncPanel({
  integrationId,
  onFinished,
  history = true,
  startLabel = 'Run sync now',
}: {
  integrationId: string;
  onFinished?: (run: SyncRun) => void;
  history?: boolean;
  /** The start button's label before any run exists (the wizard says "Start the first sync"). */
  startLabel?: string;
}) {
  const sync = useSync(selectIntegrationSync(integrationId));
  const { load, start, cancel, showChanges, moreChanges, hideChanges, listen } = useSync.getState();
  const sawRunning = useRef(false);

  useEffect(() => listen(), [listen]);
  useEffect(() => {
    void load(integrationId);
  }, [integrationId, load]);

  // The newest run becomes known when it ends (the store reloads history on sync.finished).
  const newest = sync.runs[0] ?? sync.status?.lastRun ?? null;
  // Tell the host once per run that ended while this panel was watching (the first run included).
  useEffect(() => {
    if (sync.running || newest?.status === 'running') {
      sawRunning.current = true;
      return;
    }
    if (newest && sawRunning.current) {
      sawRunning.current = false;
      onFinished?.(newest);
    }
  }, [newest, sync.running, onFinished]);

  const status = sync.status;
  return (
    <section className="sync-panel" data-feature="sync-panel" aria-label="Device sync">
      {sync.running ? (
        <>
          <SyncProgressBar progress={sync.progress} />
          <div className="actions">
            <button type="button" onClick={() => void cancel(integrationId)} disabled={sync.busy}>
              Cancel sync
            </button>
          </div>
        </>
      ) : status === null && !sync.error ? (
        // Until the state is read, a start button could offer a run that is already going (the wizard starts one).
        <p role="status" className="small muted">
          Reading the sync state…
        </p>
      ) : (
        <div className="actions">
          <button type="button" className="primary" onClick={() => void start(integrationId)} disabled={sync.busy}>
            {newest?.status === 'cancelled' || newest?.status === 'interrupted' ? 'Resume sync' : newest ? 'Run sync now' : startLabel}
          </button>
        </div>
      )}
      {sync.error ? (
        <p role="alert" className="error-text">
          {errorText(sync.error)}
        </p>
      ) : null}
      {status ? <p className="small muted">{scheduleText(status.nextScheduledAt, status.syncIntervalMinutes)}</p> : null}
      {newest && !sync.running ? (
        <p role="status" className={newest.status === 'completed' ? 'ok-text' : 'warning-text'}>
          Last sync {newest.status}
          {newest.finishedAt ? ` ${dateTime(newest.finishedAt)}` : ''} in {duration(newest.durationMs)}: {newest.devicesSeen.toLocaleString()} devices,{' '}
          {newest.added.toLocaleString()} added, {newest.changed.toLocaleString()} changed, {newest.removed.toLocaleString()} removed.
        </p>
      ) : null}
      {history ? (
        <>
          <h3>History</h3>
          <SyncHistoryTable runs={sync.runs} onShowChanges={(run) => void showChanges(integrationId, run.id, null)} />
          {sync.changes ? (
            <SyncChanges
              runId={sync.changes.runId}
              kind={sync.changes.kind}
              items={sync.changes.items}
              total={sync.changes.total}
              hasMore={sync.changes.nextAfterId !== null}
              onKind={(kind) => void showChanges(integrationId, sync.changes!.runId, kind)}
              onMore={() => void moreChanges(integrationId)}
              onClose={() => hideChanges(integrationId)}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function scheduleText(nextScheduledAt: string | null, intervalMinutes: number): string {
  if (intervalMinutes === 0) return 'Scheduled sync is off (Settings → sync interval).';
  if (nextScheduledAt === null) return `Not scheduled: background sync runs every ${intervalMinutes} min for enabled integrations while the app is open.`;
  const due = Date.parse(nextScheduledAt) <= Date.now();
  return due ? `Next scheduled sync: due now (every ${intervalMinutes} min).` : `Next scheduled sync: ${dateTime(nextScheduledAt)} (every ${intervalMinutes} min).`;
}
