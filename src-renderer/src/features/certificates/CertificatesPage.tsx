import { useEffect } from 'react';
import { CertificateStatus, type CertificateRecord } from '../../../../src-shared/domain/ca-profile';
import { LEGACY_END_OF_LIFE_NOTICE } from '../../../../src-shared/domain/ivanti-setup';
import { useNavigation } from '../../app/navigation-store';
import { errorText } from '../../shared/error-text';
import { useIntegrations } from '../integrations/integrations-store';
import { CaProfilePanel } from './CaProfilePanel';
import { useCertificates } from './certificates-store';
import { STATUS_LABELS, dateTimeText, keyUsageText } from './certificate-text';
import './certificates.css';
import { StatusBadge, type Tone } from '../../shared/ui/StatusBadge';
import { EmptyState } from '../../shared/ui/EmptyState';
import { ChoiceField } from '../../shared/ui/ChoiceField';
import { Table } from '../../shared/ui/Table';

const STATUS_TONES: Record<CertificateStatus, Tone> = { active: 'ok', expired: 'warning', invalidated: 'danger' };

/**
 * The certificate inventory of the legacy iOS certificate integrations: every certificate with its status, validity
 * and fingerprint, expiry warnings, and each integration's CA profile with Test Configuration.
 */
export function CertificatesPage() {
  const { certificates, counts, nextBeforeId, warnings, warningDays, legacyIntegrations, filter, loading, error, load, setFilter, loadMore } =
    useCertificates();
  useEffect(() => {
    void load();
  }, [load]);

  async function migrate(integrationId: string) {
    await useIntegrations.getState().startSetup(integrationId);
    useNavigation.getState().go('integrations');
  }

  const total = counts ? counts.active + counts.expired + counts.invalidated : 0;

  return (
    <section aria-labelledby="certificates-title">
      <div className="page-header">
        <h1 id="certificates-title">Certificates</h1>
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>

      <div className="panel warning-panel" role="region" aria-label="Legacy end of life">
        <p>{LEGACY_END_OF_LIFE_NOTICE}</p>
        {legacyIntegrations.length > 0 ? (
          <div className="actions">
            {legacyIntegrations.map((i) => (
              <button key={i.id} type="button" onClick={() => void migrate(i.id)}>
                Migrate “{i.name}” to App Config
              </button>
            ))}
          </div>
        ) : null}
      </div>

      {warnings.length > 0 ? (
        <div className="panel warning-panel" role="region" aria-label="Expiry warnings">
          <h2>Certificates expiring within {warningDays} days</h2>
          <ul className="warning-list">
            {warnings.map((w) => (
              <li key={w.integrationId} className="warning-text">
                {w.count} device certificate{w.count === 1 ? '' : 's'} of “{w.integrationName}” expire{w.count === 1 ? 's' : ''} by{' '}
                {dateTimeText(w.soonestNotAfter)} at the earliest. They will not renew: move these devices to iOS (App Config).
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="inventory-title">
        <h2 id="inventory-title">Inventory</h2>
        <form className="form inline-form" aria-label="Filter certificates" onSubmit={(e) => e.preventDefault()}>
          <ChoiceField
            id="certificates-integration"
            label="Integration"
            anyLabel="All (deleted ones too)"
            value={filter.integrationId}
            choices={legacyIntegrations.map((i) => ({ value: i.id, label: i.name }))}
            onChange={(id) => void setFilter({ integrationId: id ?? null })}
          />
          <ChoiceField
            id="certificates-status"
            label="Status"
            anyLabel={`Any (${total})`}
            value={filter.status}
            choices={CertificateStatus.options.map((s) => ({ value: s, label: `${STATUS_LABELS[s]} (${counts?.[s] ?? 0})` }))}
            onChange={(status) => void setFilter({ status: status === undefined ? null : CertificateStatus.parse(status) })}
          />
        </form>
        {error ? (
          <p role="alert" className="error-text">
            {errorText(error)}
          </p>
        ) : null}
        {certificates.length === 0 && !loading ? (
          <EmptyState level={3} title={`No certificates ${filter.integrationId || filter.status ? 'match this filter' : 'recorded'}`}>
            <p>
              Certificates are recorded when Test Configuration enrolls one for a legacy certificate integration. New setups
              should use the iOS (App Config) integration, which needs no certificates.
            </p>
          </EmptyState>
        ) : (
          <CertificateTable certificates={certificates} />
        )}
        {nextBeforeId !== null ? (
          <div className="actions">
            <button type="button" onClick={() => void loadMore()} disabled={loading}>
              Show more
            </button>
          </div>
        ) : null}
      </section>

      {legacyIntegrations.map((i) => (
        <CaProfilePanel key={i.id} integrationId={i.id} title={`CA profile of “${i.name}”`} />
      ))}
    </section>
  );
}

function CertificateTable({ certificates }: { certificates: CertificateRecord[] }) {
  return (
    <Table label="Certificate inventory" className="certificates-table" columns={['Status', 'Subject', 'Integration', 'Held by', 'Valid', 'Serial', 'SHA-256 fingerprint']}>
      <tbody>
        {certificates.map((c) => (
          <tr key={c.id}>
            <td>
              <StatusBadge tone={STATUS_TONES[c.status]}>{STATUS_LABELS[c.status]}</StatusBadge>
              {c.invalidatedAt ? (
                <span className="block small muted">
                  {dateTimeText(c.invalidatedAt)}: {c.invalidatedReason}
                </span>
              ) : null}
            </td>
            <td className="mono small">
              {c.subject}
              <span className="block muted">{keyUsageText(c.keyUsage)}</span>
            </td>
            <td>
              {c.integrationName}
              {c.integrationDeleted ? <span className="block small muted">deleted</span> : null}
            </td>
            <td>{c.purpose === 'test' ? 'Test certificate' : <span className="mono small">{c.deviceIdentifier ?? c.deviceGuid ?? 'Unknown device'}</span>}</td>
            <td className="small">
              {dateTimeText(c.notBefore)}
              <span className="block">to {dateTimeText(c.notAfter)}</span>
            </td>
            <td className="mono small">{c.serialNumber}</td>
            <td className="mono small certificates-fingerprint">{c.sha256Fingerprint}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
