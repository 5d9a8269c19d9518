import { useState, type FormEvent } from 'react';
import type { SyncedDevice } from '../../../../src-shared/domain/sync';
import { errorText, fieldErrors } from '../../shared/error-text';
import { timeAgo } from '../../shared/ui/time-ago';
import { TimeAgo } from '../../shared/ui/TimeAgo';
import { useDeviceSyncCheck, type SyncCheck } from './device-sync-check-store';

/**
 * "Check if devices have synced", for one integration: the admin pastes a Device Client ID and learns whether it
 * synced (with the device and when it was last synced), or, when not, what to do about it. Answers from the local
 * database, so it works offline and without credentials. Mounted on the integrations page.
 */
export function DeviceSyncCheck({ integrationId }: { integrationId: string }) {
  const state = useDeviceSyncCheck((s) => s.byIntegration[integrationId]);
  const check = useDeviceSyncCheck((s) => s.check);
  const [identifier, setIdentifier] = useState('');
  const inputId = `sync-check-${integrationId}`;
  const invalid = fieldErrors(state?.error).identifier;

  function submit(event: FormEvent) {
    event.preventDefault();
    void check(integrationId, identifier);
  }

  return (
    <section className="panel devices-sync-check" aria-labelledby={`${inputId}-title`} data-feature="device-sync-check">
      <h3 id={`${inputId}-title`}>Check if devices have synced</h3>
      <form className="inline" onSubmit={submit}>
        <label htmlFor={inputId}>Device Client ID</label>
        <input
          id={inputId}
          className="mono wide"
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={invalid ? `${inputId}-error` : undefined}
        />
        <button type="submit" disabled={state?.busy || identifier.trim() === ''}>
          Check
        </button>
      </form>
      {invalid ? (
        <p id={`${inputId}-error`} className="field-error">
          {invalid}
        </p>
      ) : state?.error ? (
        <p role="alert">{errorText(state.error)}</p>
      ) : null}
      {state?.check ? <Answer check={state.check} /> : null}
    </section>
  );
}

function Answer({ check }: { check: SyncCheck }) {
  const active = check.here.filter((d) => d.removedAt === null);
  if (active.length > 0) {
    return (
      <div role="status" className="devices-sync-check-answer found">
        <p className="ok-text">
          Found: {check.identifier} has synced{active.some((d) => d.registrationState !== 'ACTIVE') ? ', but see its registration state' : ''}.
        </p>
        {active.map((d) => (
          <DeviceSummary key={d.guid} device={d} />
        ))}
      </div>
    );
  }
  const lastRun = check.status?.lastRun ?? null;
  return (
    <div role="status" className="devices-sync-check-answer not-found">
      <p className="warning-text">
        {check.here.length > 0
          ? `Not in the tenant any more: ${check.identifier} synced before, but the complete sync of ${new Date(check.here[0].removedAt!).toLocaleString()} no longer found it.`
          : `Not found: no device with Device Client ID ${check.identifier} has synced into this integration.`}
      </p>
      {check.elsewhere.length > 0 ? (
        <p>
          It has synced into another integration: {check.elsewhere.map((d) => `“${d.integrationName}” (${d.platformType ?? 'unknown platform'})`).join(', ')}. Check that
          this is the integration for the device's platform.
        </p>
      ) : null}
      <p>What to do:</p>
      <ol className="devices-sync-check-steps">
        <li>
          <strong>Check the API configuration.</strong> The API user needs the System Read Only and Device Read Only roles in the device's space; run Test
          Configuration to see what it can read.
        </li>
        <li>
          <strong>Wait for the next sync.</strong>{' '}
          {lastRun
            ? `The last sync ${lastRun.status === 'completed' ? 'finished' : `ended (${lastRun.status})`} ${lastRun.finishedAt ? timeAgo(lastRun.finishedAt) : 'just now'}`
            : 'This integration has not synced yet'}
          {check.status?.nextScheduledAt ? `; the next one is scheduled for ${new Date(check.status.nextScheduledAt).toLocaleString()}` : ''}. A newly enrolled device can
          take up to 24 hours to appear; you can also run a sync now.
        </li>
        <li>
          <strong>Check the identifier.</strong> In the Ivanti Neurons for MDM portal, open <em>Devices</em>, select the device, and copy the <em>Device Client ID</em>{' '}
          under <em>Overview → Settings</em>. Android ids are 64 hexadecimal characters; paste the value exactly as shown.
        </li>
      </ol>
    </div>
  );
}

function DeviceSummary({ device: d }: { device: SyncedDevice }) {
  return (
    <dl className="facts small">
      <dt>Device</dt>
      <dd>
        {d.deviceName ?? d.guid} {d.model ? `(${d.model})` : ''}
      </dd>
      <dt>Platform · state</dt>
      <dd>
        {d.platformType ?? '—'} · {d.registrationState ?? '—'}
        {d.registrationState !== 'ACTIVE' ? ' (only ACTIVE devices are trusted)' : ''}
      </dd>
      <dt>User</dt>
      <dd>{d.uid ?? '—'}</dd>
      <dt>Space</dt>
      <dd>{d.spaceName ?? '—'}</dd>
      <dt>Last check-in</dt>
      <dd>{d.lastCheckin ? new Date(d.lastCheckin).toLocaleString() : 'never'}</dd>
      <dt>Last synced</dt>
      <dd>
        <TimeAgo iso={d.lastSeenAt} withDate />
      </dd>
      <dt>First synced</dt>
      <dd>{new Date(d.firstSeenAt).toLocaleString()}</dd>
    </dl>
  );
}
