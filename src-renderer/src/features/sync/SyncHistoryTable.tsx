import type { SyncRun } from '../../../../src-shared/domain/sync';
import { count, dateTime, duration, runStatusLabel, TRIGGER_LABELS } from './sync-text';
import './sync.css';

/** Past runs, newest first: what each added, changed and removed, how long it took and what went wrong. */
export function SyncHistoryTable({ runs, onShowChanges }: { runs: SyncRun[]; onShowChanges(run: SyncRun): void }) {
  if (runs.length === 0) return <p className="muted">No sync has run yet.</p>;
  return (
    <table className="data-table sync-history">
      <caption className="visually-hidden">Sync history</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">How</th>
          <th scope="col">Result</th>
          <th scope="col">Devices</th>
          <th scope="col">Added</th>
          <th scope="col">Changed</th>
          <th scope="col">Removed</th>
          <th scope="col">Duration</th>
          <th scope="col">Errors</th>
          <th scope="col">
            <span className="visually-hidden">Changes</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id}>
            <td>{dateTime(run.startedAt)}</td>
            <td>{TRIGGER_LABELS[run.trigger]}</td>
            <td className={run.status === 'completed' ? 'ok-text' : run.status === 'running' ? '' : 'warning-text'}>
              {runStatusLabel(run)}
              {run.status === 'completed' && !run.complete ? ' (incomplete)' : ''}
            </td>
            <td>{count(run.devicesSeen)}</td>
            <td>{count(run.added)}</td>
            <td>{count(run.changed)}</td>
            <td>
              {count(run.removed)}
              {run.restored > 0 ? <span className="small muted"> ({count(run.restored)} back)</span> : null}
            </td>
            <td>{duration(run.durationMs)}</td>
            <td>
              {run.errors.length === 0 ? (
                '—'
              ) : (
                <ul className="sync-errors">
                  {run.errors.map((e, i) => (
                    <li key={i}>
                      <span className="mono small">{e.code}</span>
                      {e.space ? ` [${e.space}]` : ''}: {e.message}
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td>
              {run.added + run.changed + run.removed + run.restored > 0 ? (
                <button type="button" className="link" onClick={() => onShowChanges(run)} aria-label={`Show the changes of the sync started ${dateTime(run.startedAt)}`}>
                  Changes
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
