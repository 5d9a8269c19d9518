import { unreadableSpaceNames, type DeviceChangeKind, type SyncRun, type SyncRunStatus, type SyncTrigger } from '../../../../src-shared/domain/sync';

export const RUN_STATUS_LABELS: Record<SyncRunStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled (resumes on next start)',
  interrupted: 'Interrupted (resumes on next start)',
};

/** A run's status; a run that completed without reading every space says how many it could not read. */
export function runStatusLabel(run: Pick<SyncRun, 'status' | 'complete' | 'errors'>): string {
  if (run.status !== 'completed' || run.complete) return RUN_STATUS_LABELS[run.status];
  const spaces = unreadableSpaceNames(run.errors).length;
  return `Completed with ${spaces} unreadable space${spaces === 1 ? '' : 's'}`;
}

export const TRIGGER_LABELS: Record<SyncTrigger, string> = { manual: 'Run now', scheduled: 'Scheduled', cli: 'tec sync', wizard: 'Setup wizard' };

export const CHANGE_LABELS: Record<DeviceChangeKind, string> = { added: 'Added', changed: 'Changed', removed: 'Removed', restored: 'Back in the tenant' };

export function count(n: number): string {
  return n.toLocaleString();
}

/** "4.2 s", "3 min 10 s", "1 h 5 min". */
export function duration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
