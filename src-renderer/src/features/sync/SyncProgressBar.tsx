import type { SyncProgress } from '../../../../src-shared/domain/sync';
import { count, duration } from './sync-text';

/**
 * The running sync: an ARIA progressbar (determinate once the tenant's counts are known) with what is being read,
 * the rate and the time left. Presentational: it only draws the progress it is given.
 */
export function SyncProgressBar({ progress }: { progress: SyncProgress | null }) {
  const percent =
    progress && progress.devicesExpected ? Math.min(100, Math.floor((progress.devicesSoFar / Math.max(1, progress.devicesExpected)) * 100)) : null;
  const where =
    progress === null || progress.phase === 'listing-spaces'
      ? 'Listing device spaces…'
      : progress.phase === 'finalizing'
        ? 'Finishing: marking devices no longer in the tenant…'
        : `${progress.phase === 'reconciling' ? 'Re-checking' : 'Reading'} space “${progress.space ?? ''}” (${progress.spaceIndex + 1} of ${progress.spacesTotal})`;
  const devices = progress ? `${count(progress.devicesSoFar)}${progress.devicesExpected ? ` of ${count(progress.devicesExpected)}` : ''} devices` : '';
  return (
    <div className="sync-progress">
      <div
        className="sync-progress-track"
        role="progressbar"
        aria-label="Sync progress"
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent === null ? {} : { 'aria-valuenow': percent })}
        aria-valuetext={percent === null ? 'Starting' : `${percent}%, ${devices}`}
      >
        <div className={`sync-progress-fill${percent === null ? ' sync-progress-indeterminate' : ''}`} style={{ width: `${percent ?? 100}%` }} />
      </div>
      <p className="small">
        {where}
        {devices ? ` · ${devices}` : ''}
      </p>
      <p className="small muted" aria-live="polite">
        {progress && progress.devicesPerSecond > 0 ? `${count(Math.round(progress.devicesPerSecond))} devices/s` : 'Measuring speed…'}
        {progress?.etaSeconds != null ? ` · about ${duration(progress.etaSeconds * 1000)} left` : ''}
        {progress?.resumed ? ' · resumed from its checkpoint' : ''}
      </p>
      {progress?.notice ? (
        <p className="small warning-text" role="status">
          {progress.notice}
        </p>
      ) : null}
    </div>
  );
}
