import { useEffect, useRef } from 'react';
import type { DeviceDetail } from '../../../../src-shared/domain/device';
import { isMaskedValue, MASKED_VALUE_EXPLANATION, type TrustVerdict } from '../../../../src-shared/domain/trust';
import { TrustVerdictView } from '../trust/TrustVerdictView';
import { DuoUserViewPanel } from '../duo/DuoUserViewPanel';
import { integrationNames } from './device-columns';
import { errorText } from '../../shared/error-text';
import { useFocusTrap } from '../../shared/ui/use-focus-trap';

const CHANGE_LABELS = { added: 'Added', changed: 'Changed', removed: 'Removed from the tenant', restored: 'Back in the tenant' } as const;

/**
 * One device, everything known about it: every stored field, the trust verdict for its user with every reason, its
 * change history across syncs (newest first) and the raw record exactly as Ivanti sent it. Focus stays inside it
 * while it is open; Escape closes it and puts focus back on the row it was opened from.
 */
export function DeviceDrawer({
  detail,
  verdict,
  error,
  onClose,
}: {
  detail: DeviceDetail | null;
  verdict: TrustVerdict | null;
  error: unknown;
  onClose(): void;
}) {
  const drawerRef = useRef<HTMLElement>(null);
  // The virtual table may have replaced the opening row's element while the drawer was open: found again by its index.
  const keepFocusInside = useFocusTrap(drawerRef, {
    findOpenerAgain: (opener) =>
      opener.dataset.index === undefined ? null : document.querySelector<HTMLElement>(`[role="row"][data-index="${opener.dataset.index}"]`),
  });
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const title = detail ? (detail.deviceName ?? detail.guid) : 'Device';
  return (
    <aside ref={drawerRef} className="devices-drawer" role="dialog" aria-modal="true" aria-labelledby="device-drawer-title" data-testid="device-drawer" onKeyDown={keepFocusInside}>
      <div className="page-header">
        <h2 id="device-drawer-title">{title}</h2>
        <button type="button" onClick={onClose} aria-label="Close device details">
          Close
        </button>
      </div>
      {error ? <p role="alert">{errorText(error)}</p> : null}
      {!detail && !error ? <p role="status">Loading…</p> : null}
      {detail ? (
        <>
          {detail.removedAt ? (
            <p className="warning-text">Removed from the tenant: a complete sync on {new Date(detail.removedAt).toLocaleString()} no longer found it.</p>
          ) : null}
          <section aria-labelledby="drawer-trust">
            <h3 id="drawer-trust">Trust</h3>
            <TrustSummary detail={detail} verdict={verdict} />
          </section>
          <section aria-labelledby="drawer-fields">
            <h3 id="drawer-fields">Fields</h3>
            <dl className="facts devices-drawer-facts">
              {fields(detail).map(([label, value]) => (
                <div key={label} className="devices-fact">
                  <dt>{label}</dt>
                  <dd className={/ID|guid|IMEI|UDID|MAC|Serial/.test(label) ? 'mono' : undefined}>{value}</dd>
                </div>
              ))}
            </dl>
            {fields(detail).some(([, value]) => isMaskedValue(value)) ? (
              <p className="small muted" data-testid="masked-explanation">
                {MASKED_VALUE_EXPLANATION}
              </p>
            ) : null}
          </section>
          <section aria-labelledby="drawer-history">
            <h3 id="drawer-history">Change history</h3>
            {detail.history.length === 0 ? (
              <p className="muted">No change recorded since this device was first synced.</p>
            ) : (
              <ol className="devices-history">
                {detail.history.map((h) => (
                  <li key={h.id}>
                    <strong>{CHANGE_LABELS[h.kind]}</strong> {new Date(h.at).toLocaleString()} <span className="small muted">(sync run {h.runId}, {h.runTrigger})</span>
                    {h.fields ? (
                      <ul>
                        {Object.entries(h.fields).map(([field, [before, after]]) => (
                          <li key={field} className="small">
                            <span className="mono">{field}</span>: {show(before)} → {show(after)}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </li>
                ))}
              </ol>
            )}
            {detail.historyTruncated ? <p className="small muted">Older changes are in the audit's sync runs and exports.</p> : null}
          </section>
          <section aria-labelledby="drawer-raw">
            <h3 id="drawer-raw">Raw record</h3>
            <pre className="devices-raw-record mono small" tabIndex={0} aria-label="Raw record as Ivanti sent it">
              {JSON.stringify(detail.raw, null, 2)}
            </pre>
          </section>
        </>
      ) : null}
    </aside>
  );
}

function TrustSummary({ detail, verdict }: { detail: DeviceDetail; verdict: TrustVerdict | null }) {
  if (!detail.clientDeviceIdentifier) {
    return <p className="warning-text">Not trusted: the device reports no Device Client ID, so Duo cannot match it (Windows desktops report none).</p>;
  }
  if (!detail.uid) return <p className="muted">The record names no user, so there is no user to check trust for.</p>;
  if (isMaskedValue(detail.uid)) {
    return <p className="muted">The record's user is hidden (********), so there is no user to check trust for here; use Verify your setup with the username.</p>;
  }
  if (!verdict) return <p role="status">Checking trust…</p>;
  return (
    <>
      <TrustVerdictView verdict={verdict} />
      <DuoUserViewPanel user={detail.uid} />
    </>
  );
}

function fields(d: DeviceDetail): [string, string][] {
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
  const flag = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');
  const text = (v: string | number | null) => (v === null || v === '' ? '—' : String(v));
  return [
    ['Device Client ID', text(d.clientDeviceIdentifier)],
    [d.integrations.length > 1 ? 'Integrations' : 'Integration', integrationNames(d)],
    ['Space', `${text(d.spaceName)}${d.spaceId === null ? '' : ` (${d.spaceId})`}`],
    ['Platform', `${text(d.platformType)} ${d.platformVersion ?? ''}`.trim()],
    ['Registration state', text(d.registrationState)],
    ['Compliant', flag(d.compliant)],
    ['Quarantined', flag(d.quarantined)],
    ['Jailbroken / rooted', flag(d.jailbroken)],
    ['User', text(d.uid)],
    ['E-mail', text(d.email)],
    ['Owner', text(d.displayName)],
    ['Device name', text(d.deviceName)],
    ['Model', text(d.model)],
    ['Manufacturer', text(d.manufacturer)],
    ['Serial number', text(d.serialNumber)],
    ['IMEI', text(d.imei)],
    ['UDID', text(d.udid)],
    ['Wi-Fi MAC', text(d.wifiMac)],
    ['Last check-in', time(d.lastCheckin)],
    ['First synced', time(d.firstSeenAt)],
    ['Last synced', time(d.lastSeenAt)],
    ['Removed', time(d.removedAt)],
    ['guid', d.guid],
    ['Ivanti id', text(d.ivantiId)],
    ['Last seen in sync run', String(d.lastSeenRun)],
  ];
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
