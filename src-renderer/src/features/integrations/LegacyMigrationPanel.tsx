import { useEffect, useState } from 'react';
import type { CoverageComparison } from '../../../../src-shared/contract/integrations';
import type { Integration } from '../../../../src-shared/domain/integration';
import { STATUS_LABELS } from '../../../../src-shared/domain/integration';
import { MIGRATION_CHECKLIST } from '../../../../src-shared/domain/ivanti-setup';
import { useToasts } from '../../shared/ui/toast-store';
import { ErrorText } from '../../shared/ui/ErrorText';
import { errorText } from '../../shared/error-text';
import { coverageKey, useIntegrations } from './integrations-store';
import { Table } from '../../shared/ui/Table';

type StepState = 'done' | 'current' | 'later';

const STATE_TEXT: Record<StepState, string> = { done: 'Done', current: 'Next', later: 'Later' };

function MigrationStep({ title, state, children }: { title: string; state: StepState; children: React.ReactNode }) {
  return (
    <li className={`migration-step migration-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
      <h3>
        {title} <span className={`badge${state === 'done' ? ' badge-ok' : ''}`}>{STATE_TEXT[state]}</span>
      </h3>
      {children}
    </li>
  );
}

/**
 * Legacy certificate → App Config as a guided path, shown on both integrations' pages: set up the replacement, change
 * Ivanti, compare which devices each one covers, then disable and delete the legacy integration once nobody would
 * lose trust. Each step says whether it is done, and links to the action that does it.
 */
export function LegacyMigrationPanel({ integration }: { integration: Integration }) {
  const { overviews, drafts, coverage: coverages, startSetup, show, compareCoverage, setStatus } = useIntegrations();
  const legacyId = integration.platform === 'ios-certs' ? integration.id : integration.migratedFrom!;
  const legacy = overviews.find((o) => o.integration.id === legacyId)?.integration ?? null;
  const replacement =
    integration.platform === 'ios-certs' ? (overviews.find((o) => o.integration.migratedFrom === legacyId)?.integration ?? null) : integration;
  const draft = drafts.find((d) => d.migratedFrom === legacyId && d.integrationId === null) ?? null;
  const [disableError, setDisableError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const replacementId = replacement?.id ?? null;
  const legacyPresent = legacy !== null;

  const compared = replacementId ? coverages[coverageKey(legacyId, replacementId)] : undefined;
  const coverage = compared?.comparison ?? null;
  const error = compared?.error ?? null;

  useEffect(() => {
    if (replacementId && legacyPresent) void compareCoverage(legacyId, replacementId);
  }, [compareCoverage, legacyId, replacementId, legacyPresent, legacy?.status]);

  if (!legacy) {
    return (
      <section className="panel" aria-labelledby="migration-title">
        <h2 id="migration-title">Migration from the legacy certificate integration</h2>
        <p role="status" className="ok-text">
          Migration complete: the legacy certificate integration this one replaces is deleted.
        </p>
      </section>
    );
  }

  const covered = coverage !== null && coverage.onlyLegacy === 0 && coverage.replacement.activeDevices > 0;
  const disabled = legacy.status === 'disabled';
  const state = (done: boolean, ready: boolean): StepState => (done ? 'done' : ready ? 'current' : 'later');

  async function disableLegacy() {
    setBusy(true);
    setDisableError(null);
    try {
      await setStatus({ id: legacyId, status: 'disabled' });
      useToasts.getState().confirm(`“${legacy!.name}” is now recorded as Disabled. Disable it in the Duo Admin Panel too.`);
    } catch (e) {
      setDisableError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="migration-title">
      <h2 id="migration-title">Migration to iOS (App Config)</h2>
      <p>
        An iOS (App Config) integration for the same tenant replaces “{legacy.name}”. The legacy integration keeps working until you
        disable it, so devices keep their trust while they move.
      </p>
      <ol className="migration-steps" aria-label="Migration steps">
        <MigrationStep title="Set up the App Config integration" state={state(replacement !== null, true)}>
          {replacement ? (
            <p>
              “{replacement.name}” replaces it.{' '}
              {replacement.id !== integration.id ? (
                <button type="button" className="link-button" onClick={() => show({ kind: 'detail', id: replacement.id })}>
                  Open “{replacement.name}”
                </button>
              ) : null}
            </p>
          ) : draft ? (
            <button type="button" className="primary" onClick={() => show({ kind: 'wizard', draftId: draft.id })}>
              Resume the App Config setup
            </button>
          ) : (
            <>
              <p className="small">
                {legacy.domain && legacy.email
                  ? `The setup starts with this integration's domain (${legacy.domain}) and API user (${legacy.email}); its password is copied inside the console.`
                  : 'This integration has no API details recorded, so the setup asks for the Ivanti domain and API user.'}
              </p>
              <button type="button" className="primary" onClick={() => void startSetup(legacyId)}>
                Migrate to App Config
              </button>
            </>
          )}
        </MigrationStep>
        <MigrationStep title="Change Ivanti" state={state(covered, replacement !== null)}>
          <ol>
            <li>
              Give Duo Mobile an Apple Managed App Configuration with the two items of {replacement ? `“${replacement.name}”` : 'the new integration'}, and make it a
              managed app.
            </li>
            {MIGRATION_CHECKLIST.map((item) => (
              <li key={item.id}>
                <strong>{item.title}.</strong> {item.detail}
              </li>
            ))}
          </ol>
        </MigrationStep>
        <MigrationStep title="Check that App Config covers every device" state={state(covered, replacement !== null)}>
          {!replacement ? <p className="small muted">Shown once the App Config integration exists and has synced.</p> : null}
          {error ? <p role="alert">{errorText(error)}</p> : null}
          {replacement && !coverage && !error ? <p role="status">Comparing the devices of both integrations…</p> : null}
          {coverage ? <CoverageTable coverage={coverage} /> : null}
        </MigrationStep>
        <MigrationStep title="Disable the legacy integration" state={state(disabled, covered)}>
          {disabled ? (
            <p>“{legacy.name}” is Disabled: it applies to no one.</p>
          ) : (
            <>
              <p>
                Set it to Disabled in the Duo Admin Panel, and record it here. It is {STATUS_LABELS[legacy.status]} now.
                {!covered ? ' Wait until every device is covered: a device only the legacy integration covers would lose its trust.' : ''}
              </p>
              <button type="button" onClick={() => void disableLegacy()} disabled={busy || !covered}>
                Record “{legacy.name}” as Disabled
              </button>
              <ErrorText error={disableError} />
            </>
          )}
        </MigrationStep>
        <MigrationStep title="Delete the legacy integration" state={state(false, disabled && covered)}>
          <p>
            Once it has been disabled for a while without complaints, remove the Duo certificate authority and the identity certificate
            configuration in Ivanti, then delete “{legacy.name}” here. Deleting it invalidates every certificate it issued.
          </p>
          <button type="button" className="danger" disabled={!(disabled && covered)} onClick={() => show({ kind: 'detail', id: legacyId, focus: 'delete' })}>
            Open the deletion of “{legacy.name}”
          </button>
        </MigrationStep>
      </ol>
    </section>
  );
}

function CoverageTable({ coverage }: { coverage: CoverageComparison }) {
  return (
    <>
      <Table label="Device coverage of the two integrations" columns={['Integration', 'Active devices', 'Trustable']}>
        <tbody>
          <tr>
            <td>{coverage.legacy.name} (legacy, certificates)</td>
            <td>{coverage.legacy.activeDevices}</td>
            <td>{coverage.legacy.withValidCertificate} with a valid certificate</td>
          </tr>
          <tr>
            <td>{coverage.replacement.name} (replacement)</td>
            <td>{coverage.replacement.activeDevices}</td>
            <td>{coverage.replacement.withIdentifier} reporting their Device Client ID</td>
          </tr>
        </tbody>
      </Table>
      <p role="status">
        {coverage.replacement.activeDevices === 0
          ? 'The App Config integration has no synced device yet: run its first sync.'
          : coverage.onlyLegacy === 0
            ? `Every device of the legacy integration is covered by App Config (${coverage.coveredByBoth} by both).`
            : `${coverage.onlyLegacy} device(s) would lose trust if the legacy integration were deleted now; ${coverage.coveredByBoth} are covered by both.`}
      </p>
      {coverage.onlyLegacySample.length > 0 ? (
        <ul aria-label="Devices covered only by the legacy integration" className="small">
          {coverage.onlyLegacySample.map((d) => (
            <li key={d.guid}>
              {d.deviceName ?? 'Unnamed device'} <span className="mono">{d.identifier ?? d.guid}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
