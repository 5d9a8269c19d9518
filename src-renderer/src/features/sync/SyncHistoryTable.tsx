import { Fragment } from 'react';
import type { SyncRun } from '../../../../src-shared/domain/sync';
import { count, dateTime, duration, runStatusLabel, TRIGGER_LABELS } from './sync-text';
import { Table } from '../../shared/ui/Table';

/** The run's columns; its errors, when it has some, span them all on the line under it. */
const COLUMNS = 9;
import './sync.css';

/** Past runs, newest first: what each added, changed and removed, how long it took and what went wrong. */
export function SyncHistoryTable({ runs, onShowChanges }: { runs: SyncRun[]; onShowChanges(run: SyncRun): void }) {
  if (runs.length === 0) return <p className="muted">No sync has run yet.</p>;
  return (
    <Table
      label="Sync history"
      caption
      className="sync-history"
      columns={['Started', 'How', 'Result', 'Devices', 'Added', 'Changed', 'Removed', 'Duration', <span key="changes" className="visually-hidden">Changes</span>]}
    >
      <tbody>
        {runs.map((run) => (
          <Fragment key={run.id}>
            <tr className={run.errors.length > 0 ? 'sync-has-errors' : undefined}>
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
                {run.added + run.changed + run.removed + run.restored > 0 ? (
                  <button type="button" className="link" onClick={() => onShowChanges(run)} aria-label={`Show the changes of the sync started ${dateTime(run.startedAt)}`}>
                    Changes
                  </button>
                ) : null}
              </td>
            </tr>
            {run.errors.length > 0 ? (
              // What went wrong gets the table's whole width on a line of its own, under the run it belongs to.
              <tr className="sync-errors-row">
                <td colSpan={COLUMNS}>
                  <span className="visually-hidden">What went wrong in the sync started {dateTime(run.startedAt)}: </span>
                  <ul className="sync-errors">
                    {run.errors.map((e, i) => (
                      <li key={i}>
                        {e.space ? <strong>{e.space}: </strong> : null}
                        {e.message} <span className="mono small muted">{e.code}</span>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ) : null}
          </Fragment>
        ))}
      </tbody>
    </Table>
  );
}
