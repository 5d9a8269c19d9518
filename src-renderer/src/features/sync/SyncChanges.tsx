import type { DeviceChange, DeviceChangeKind } from '../../../../src-shared/domain/sync';
import { CHANGE_LABELS, count } from './sync-text';
import { Table } from '../../shared/ui/Table';
import './sync.css';

const KINDS: (DeviceChangeKind | null)[] = [null, 'added', 'changed', 'removed', 'restored'];

/** One run's per-device changes, a page at a time, filterable by kind. */
export function SyncChanges({
  runId,
  kind,
  items,
  total,
  hasMore,
  onKind,
  onMore,
  onClose,
}: {
  runId: number;
  kind: DeviceChangeKind | null;
  items: DeviceChange[];
  total: number;
  hasMore: boolean;
  onKind(kind: DeviceChangeKind | null): void;
  onMore(): void;
  onClose(): void;
}) {
  return (
    <section className="sync-changes" aria-labelledby={`sync-changes-${runId}`}>
      <div className="page-header">
        <h3 id={`sync-changes-${runId}`}>
          Changes of run {runId} ({count(total)})
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="inline" role="group" aria-label="Show">
        {KINDS.map((k) => (
          <button key={k ?? 'all'} type="button" aria-pressed={kind === k} onClick={() => onKind(k)}>
            {k === null ? 'All' : CHANGE_LABELS[k]}
          </button>
        ))}
      </div>
      <Table label="Device changes" caption columns={['Change', 'Device', 'Device Client ID', 'What changed']}>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>{CHANGE_LABELS[c.kind]}</td>
              <td>{c.deviceName ?? <span className="mono small">{c.guid}</span>}</td>
              <td className="mono small">{c.clientDeviceIdentifier ?? '—'}</td>
              <td>
                {c.fields
                  ? Object.entries(c.fields).map(([field, [before, after]]) => (
                      <div key={field} className="small">
                        <span className="mono">{field}</span>: {show(before)} → {show(after)}
                      </div>
                    ))
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {hasMore ? (
        <button type="button" onClick={onMore}>
          Show more
        </button>
      ) : null}
    </section>
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
