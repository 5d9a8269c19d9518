import { useEffect, useState } from 'react';
import type { CoverageComparison } from '../../../../src-shared/contract/integrations';
import type { Integration } from '../../../../src-shared/domain/integration';
import { MIGRATION_CHECKLIST } from '../../../../src-shared/domain/ivanti-setup';
import { call } from '../../shared/api';
import { errorText } from '../../shared/error-text';
import { useIntegrations } from './integrations-store';

/**
 * Legacy certificate → App Config: start the replacement, list what changes in Ivanti, and compare which devices each
 * one can trust, so the legacy integration is deleted only when nobody loses trust.
 */
export function LegacyMigrationPanel({ integration }: { integration: Integration }) {
  const { overviews, startSetup } = useIntegrations();
  const pair =
    integration.platform === 'ios-certs'
      ? { legacyId: integration.id, replacement: overviews.find((o) => o.integration.migratedFrom === integration.id)?.integration ?? null }
      : { legacyId: integration.migratedFrom!, replacement: integration };
  const [coverage, setCoverage] = useState<CoverageComparison | null>(null);
  const [error, setError] = useState<unknown>(null);
  const replacementId = pair.replacement?.id ?? null;

  useEffect(() => {
    if (!replacementId) return;
    call('integrations.compareCoverage', { legacyId: pair.legacyId, replacementId }).then(setCoverage, setError);
  }, [pair.legacyId, replacementId]);

  return (
    <section className="panel" aria-labelledby="migration-title">
      <h2 id="migration-title">Migration to iOS (App Config)</h2>
      {!pair.replacement ? (
        <>
          <p>
            Set up an iOS (App Config) integration for the same tenant: the API details are carried over, and the legacy
            integration keeps working until you delete it.
          </p>
          <button type="button" className="primary" onClick={() => void startSetup(integration.id)}>
            Migrate to App Config
          </button>
        </>
      ) : (
        <>
          <h3>What changes in Ivanti</h3>
          <ol>
            <li>Give Duo Mobile an Apple Managed App Configuration with the two items of “{pair.replacement.name}”, and make it a managed app.</li>
            {MIGRATION_CHECKLIST.map((item) => (
              <li key={item.id}>
                <strong>{item.title}.</strong> {item.detail}
              </li>
            ))}
          </ol>
          <h3>Device coverage</h3>
          {error ? <p role="alert">{errorText(error)}</p> : null}
          {coverage ? (
            <>
              <table className="data-table" aria-label="Device coverage of the two integrations">
                <thead>
                  <tr>
                    <th scope="col">Integration</th>
                    <th scope="col">Active devices</th>
                    <th scope="col">Trustable</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td>{coverage.legacy.name} (certificates)</td>
                    <td>{coverage.legacy.activeDevices}</td>
                    <td>{coverage.legacy.withValidCertificate} with a valid certificate</td>
                  </tr>
                  <tr>
                    <td>{coverage.replacement.name} (App Config)</td>
                    <td>{coverage.replacement.activeDevices}</td>
                    <td>{coverage.replacement.withIdentifier} reporting their Device Client ID</td>
                  </tr>
                </tbody>
              </table>
              <p role="status">
                {coverage.onlyLegacy === 0
                  ? 'Every device of the legacy integration is covered by App Config: the legacy integration can go.'
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
          ) : null}
        </>
      )}
    </section>
  );
}
