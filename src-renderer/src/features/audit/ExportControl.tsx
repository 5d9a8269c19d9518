import { useState } from 'react';
import type { ExportFormat, ExportRequest } from '../../../../src-shared/domain/export';
import { fileCapabilities } from '../../shared/api';
import { errorText } from '../../shared/error-text';
import { CopyValue } from '../../shared/ui/CopyValue';
import { useExports } from './export-store';
import './export-control.css';

/**
 * Export buttons (CSV for spreadsheets, JSON for tools) with live progress, cancel, and where the file went. The
 * request is built when clicked, so it carries the filters shown at that moment. CSV opens cleanly in Excel (UTF-8
 * with a byte-order mark) and cannot run formulas.
 */
export function ExportControl({ what, request, allowRaw = false }: { what: string; request(format: ExportFormat, includeRaw: boolean): ExportRequest; allowRaw?: boolean }) {
  const { byId, start, cancel, error } = useExports();
  const [exportId, setExportId] = useState<string | null>(null);
  const [includeRaw, setIncludeRaw] = useState(false);
  const [typedPath, setTypedPath] = useState('');
  const progress = exportId ? byId[exportId] : undefined;
  const running = progress?.state === 'running';
  // The app asks where to save with the OS dialog; the web test rig has no dialog and takes a typed path.
  const files = fileCapabilities();

  async function begin(format: ExportFormat) {
    let to: string | undefined = typedPath.trim() || undefined;
    if (files) {
      const chosen = await files.chooseSavePath({ title: `Export ${what}`, defaultName: `${what.replace(/[^a-z0-9]+/gi, '-')}.${format}`, extension: format });
      if (chosen === null) return;
      to = chosen;
    }
    setExportId(await start({ ...request(format, includeRaw), ...(to ? { to } : {}) }));
  }

  return (
    <div className="audit-export-control" role="group" aria-label={`Export ${what}`}>
      <button type="button" onClick={() => void begin('csv')} disabled={running}>
        Export {what} as CSV
      </button>
      <button type="button" onClick={() => void begin('json')} disabled={running}>
        Export {what} as JSON
      </button>
      {files ? null : (
        <label className="audit-inline-check">
          Save to{' '}
          <input
            value={typedPath}
            onChange={(e) => setTypedPath(e.target.value)}
            placeholder="Full path; empty: the exports folder"
            aria-label={`Save the ${what} export to (full path; empty: the data folder's exports folder)`}
          />
        </label>
      )}
      {allowRaw ? (
        <label className="audit-inline-check">
          <input type="checkbox" checked={includeRaw} onChange={(e) => setIncludeRaw(e.target.checked)} /> with the raw Ivanti record
        </label>
      ) : null}
      {progress ? (
        <div className="audit-export-progress" role="status" aria-live="polite">
          {progress.state === 'running' ? (
            <>
              <progress max={Math.max(1, progress.total)} value={progress.written} aria-label={`Exporting ${what}`} />
              <span className="small">
                {progress.written.toLocaleString()} of {progress.total.toLocaleString()}
              </span>
              <button type="button" onClick={() => void cancel(progress.exportId)}>
                Cancel export
              </button>
            </>
          ) : progress.state === 'completed' ? (
            <span className="ok-text">
              Exported {progress.written.toLocaleString()} to <CopyValue label="export file" value={progress.file} />
              {files ? (
                <button type="button" onClick={() => void files.showInFolder(progress.file)}>
                  Show in folder
                </button>
              ) : null}
            </span>
          ) : progress.state === 'cancelled' ? (
            <span className="muted">Export cancelled; no file was written.</span>
          ) : (
            <span className="warning-text">{progress.error?.message ?? 'The export failed.'}</span>
          )}
        </div>
      ) : null}
      {error ? <p role="alert">{errorText(error)}</p> : null}
    </div>
  );
}
