import { useEffect, useState } from 'react';
import { ErrorText } from '../../shared/ui/ErrorText';
import { errorText } from '../../shared/error-text';
import { DuoEndpointList } from './DuoEndpointList';
import { useDuoView } from './duo-view-store';

/** Overview: every endpoint where Duo's flag and the console's prediction differ, exportable. */
export function DuoDisagreementsPanel() {
  const { disagreements, disagreementsError, exported, loadDisagreements, exportDisagreements } = useDuoView();
  const [exportError, setExportError] = useState<unknown>(null);
  useEffect(() => {
    void loadDisagreements();
  }, [loadDisagreements]);

  async function exportAs(format: 'csv' | 'json') {
    setExportError(null);
    try {
      await exportDisagreements(format);
    } catch (e) {
      setExportError(e);
    }
  }

  return (
    <section className="panel" aria-labelledby="duo-disagreements-title">
      <h2 id="duo-disagreements-title">Duo and the console disagree</h2>
      {disagreementsError ? <p role="alert">{errorText(disagreementsError)}</p> : null}
      {!disagreements && !disagreementsError ? <p role="status">Loading…</p> : null}
      {disagreements && !disagreements.connected ? (
        <p className="muted">Not connected to the Duo Admin API. Connecting (Settings) shows here where Duo's own record differs from the console's prediction.</p>
      ) : null}
      {disagreements?.connected && !disagreements.trustedEndpointAvailable ? (
        <p className="muted">Duo sent no trusted_endpoint flag (it does on Premier accounts only, or nothing has been read yet): there is nothing to compare.</p>
      ) : null}
      {disagreements?.connected && disagreements.trustedEndpointAvailable ? (
        <>
          <p role="status">
            {disagreements.items.length.toLocaleString()} disagreement{disagreements.items.length === 1 ? '' : 's'} among {disagreements.compared.toLocaleString()} endpoints compared
            {disagreements.readAt ? `, read from Duo ${new Date(disagreements.readAt).toLocaleString()}` : ''}.
          </p>
          {disagreements.items.length > 0 ? (
            <>
              <div className="actions">
                <button type="button" onClick={() => void exportAs('csv')}>
                  Export CSV
                </button>
                <button type="button" onClick={() => void exportAs('json')}>
                  Export JSON
                </button>
              </div>
              <ErrorText error={exportError} />
              {exported ? (
                <p role="status" className="small">
                  Exported {exported.count} to <span className="mono">{exported.file}</span>
                </p>
              ) : null}
              <DuoEndpointList endpoints={disagreements.items} label="Disagreements between Duo and the console" showUser />
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
