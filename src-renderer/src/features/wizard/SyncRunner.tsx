import { useEffect, useState } from 'react';
import type { SyncProgress, SyncRun } from '../../../../src-shared/domain/sync';
import { call, subscribe } from '../../shared/api';
import { errorText } from '../../shared/error-text';

/**
 * Runs one integration's sync through the sync feature's channels (sync.start / sync.cancel, sync.progress and
 * sync.finished events) and shows its progress. The wizard's first sync uses it.
 */
export function SyncRunner({ integrationId, onFinished, startLabel = 'Sync now' }: { integrationId: string; onFinished?: (run: SyncRun) => void; startLabel?: string }) {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [lastRun, setLastRun] = useState<SyncRun | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let alive = true;
    call('sync.status', { integrationId }).then(
      (status) => {
        if (!alive) return;
        setRunning(status.running !== null);
        setProgress(status.running?.progress ?? null);
        setLastRun(status.lastRun);
      },
      (e) => alive && setError(e),
    );
    const offProgress = subscribe('sync.progress', (p) => {
      if (p.integrationId !== integrationId) return;
      setRunning(true);
      setProgress(p);
    });
    const offFinished = subscribe('sync.finished', (f) => {
      if (f.integrationId !== integrationId) return;
      setRunning(false);
      setLastRun(f.run);
      onFinished?.(f.run);
    });
    return () => {
      alive = false;
      offProgress();
      offFinished();
    };
    // onFinished is a callback from the parent; re-subscribing on each render would drop events in between.
  }, [integrationId]);

  async function start() {
    setError(null);
    setProgress(null);
    try {
      await call('sync.start', { integrationId });
      setRunning(true);
    } catch (e) {
      setError(e);
    }
  }

  async function cancel() {
    try {
      await call('sync.cancel', { integrationId });
    } catch (e) {
      setError(e);
    }
  }

  const percent =
    progress && progress.devicesExpected ? Math.min(100, Math.round((progress.devicesSoFar / Math.max(1, progress.devicesExpected)) * 100)) : null;

  return (
    <div className="sync-runner">
      {running ? (
        <div>
          <label htmlFor={`sync-progress-${integrationId}`}>
            Syncing{progress?.space ? ` space “${progress.space}”` : ''}: {progress?.devicesSoFar.toLocaleString() ?? 0}
            {progress?.devicesExpected ? ` of ${progress.devicesExpected.toLocaleString()}` : ''} devices
          </label>
          <progress id={`sync-progress-${integrationId}`} max={100} value={percent ?? undefined} aria-valuetext={percent === null ? 'Starting' : `${percent}%`} />
          <p className="small muted" aria-live="polite">
            {progress ? `${Math.round(progress.devicesPerSecond)} devices/s` : 'Starting…'}
            {progress?.etaSeconds != null ? ` · about ${Math.ceil(progress.etaSeconds)} s left` : ''}
            {progress?.notice ? ` · ${progress.notice}` : ''}
          </p>
          <button type="button" onClick={() => void cancel()}>
            Cancel sync
          </button>
        </div>
      ) : (
        <button type="button" className="primary" onClick={() => void start()}>
          {lastRun ? 'Sync again' : startLabel}
        </button>
      )}
      {lastRun && !running ? (
        <p role="status" className={lastRun.status === 'completed' ? 'ok-text' : 'warning-text'}>
          Last sync {lastRun.status}
          {lastRun.finishedAt ? ` at ${new Date(lastRun.finishedAt).toLocaleString()}` : ''}: {lastRun.devicesSeen.toLocaleString()} devices seen,{' '}
          {lastRun.added} added, {lastRun.changed} changed, {lastRun.removed} removed.
          {lastRun.errors[0] ? ` ${lastRun.errors[0].message}` : ''}
        </p>
      ) : null}
      {error ? <p role="alert">{errorText(error)}</p> : null}
    </div>
  );
}
