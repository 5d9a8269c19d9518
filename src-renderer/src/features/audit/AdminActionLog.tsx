import type { AuditEntry, AuditVerification } from '../../../../src-shared/domain/audit';
import { ExportControl } from './ExportControl';
import { EmptyState } from '../../shared/ui/EmptyState';

/** The tamper-evident log of admin actions, newest first, with the chain check and exports. */
export function AdminActionLog({
  entries,
  hasOlder,
  verification,
  verifying,
  onVerify,
  onOlder,
}: {
  entries: AuditEntry[];
  hasOlder: boolean;
  verification: AuditVerification | null;
  verifying: boolean;
  onVerify(): void;
  onOlder(): void;
}) {
  return (
    <>
      <div className="audit-tools">
        <button type="button" onClick={onVerify} disabled={verifying}>
          Verify log integrity
        </button>
        <ExportControl what="audit log" request={(format) => ({ kind: 'audit', format })} />
      </div>
      {verification ? (
        <p role="status" className={verification.ok ? 'ok-text' : 'warning-text'} data-testid="audit-verification">
          {verification.ok
            ? `All ${verification.checked} entries are intact: each one's hash matches its content and links to the entry before it.${verification.signature?.note ? ` ${verification.signature.note}` : ''}`
            : verification.brokenAt === null
              ? `The log was altered: ${verification.reason}.`
              : `The log was altered at entry #${verification.brokenAt}: ${verification.reason}. The ${verification.checked} entries before it are intact.`}
        </p>
      ) : null}
      {entries.length === 0 ? (
        <EmptyState title="No admin actions recorded yet">
          <p>Every change made in the console (integrations created, enabled or deleted, settings changed, exports) is recorded here in a tamper-evident log.</p>
        </EmptyState>
      ) : (
        <table className="data-table">
          <caption className="visually-hidden">Audit log entries</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} className={verification && !verification.ok && e.seq === verification.brokenAt ? 'audit-altered' : undefined}>
                <td>{e.seq}</td>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td className="mono small">{e.target ?? '—'}</td>
                <td className="mono small">{JSON.stringify(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasOlder ? (
        <button type="button" onClick={onOlder}>
          Show older entries
        </button>
      ) : null}
    </>
  );
}
