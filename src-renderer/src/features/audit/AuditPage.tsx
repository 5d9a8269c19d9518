import { useEffect } from 'react';
import { errorText } from '../../shared/error-text';
import { useAudit } from './audit-store';

export function AuditPage() {
  const { entries, verification, error, load, verify } = useAudit();
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="audit-title">
      <div className="page-header">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" onClick={() => void verify()}>
          Verify log integrity
        </button>
      </div>
      {verification ? (
        <p role="status" className={verification.ok ? 'ok-text' : 'warning-text'}>
          {verification.ok
            ? `All ${verification.checked} entries are intact.`
            : `The log was altered: ${verification.reason}. Entries before #${verification.brokenAt} are intact.`}
        </p>
      ) : null}
      {error ? <p role="alert">{errorText(error)}</p> : null}
      {entries.length === 0 ? (
        <div className="empty-state">
          <h2>No admin actions recorded yet</h2>
          <p>Every change made in the console (integrations created, enabled or deleted, settings changed) is recorded here in a tamper-evident log.</p>
        </div>
      ) : (
        <table className="data-table">
          <caption className="visually-hidden">Audit log entries</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td className="mono small">{JSON.stringify(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
