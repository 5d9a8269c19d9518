import { DuoDisagreementsPanel } from '../duo/DuoDisagreementsPanel';
import { useEffect } from 'react';
import { useNavigation } from '../../app/navigation-store';
import { CHECKIN_AGE_LABELS, ivantiValueLabel, type CheckinAge, type Compliance, type DeviceQuery, type TrustFilter } from '../../../../src-shared/domain/device';
import { errorText } from '../../shared/error-text';
import { useDevices } from '../devices/devices-store';
import { FacetChart, type ChartBar } from './FacetChart';
import { useOverview } from './overview-store';
import { SyncHistoryChart } from './SyncHistoryChart';
import type { ChartTone } from './chart-tones';
import './overview.css';

const COMPLIANCE_LABELS = { compliant: 'Compliant', 'non-compliant': 'Not compliant', unknown: 'Unknown' } as const;
const COMPLIANCE_TONES: Record<Compliance, ChartTone> = { compliant: 'good', 'non-compliant': 'bad', unknown: 'neutral' };
const CHECKIN_TONES: Record<CheckinAge, ChartTone> = { day: 'good', week: 'good', month: 'warn', older: 'bad', never: 'neutral' };
/** Only ACTIVE devices are managed (and can be trusted); a pending retirement is on its way out. */
const STATE_TONES: Record<string, ChartTone> = { ACTIVE: 'good', RETIRE_PENDING: 'warn' };

/** The synced fleet at a glance; every bar opens the explorer filtered on what it counts. */
export function OverviewPage() {
  const { facets, trust, integrations, runs, error, loading, load } = useOverview();
  const go = useNavigation((s) => s.go);
  useEffect(() => {
    void load();
  }, [load]);

  const explore = (query: DeviceQuery) => {
    useDevices.getState().applyQuery(query);
    go('devices');
  };
  const bars = (counts: { value: string | null; count: number }[], tones?: Record<string, ChartTone>): ChartBar[] =>
    counts.map((c) => ({
      key: c.value ?? '',
      label: ivantiValueLabel(c.value),
      count: c.count,
      ...(tones ? { tone: (c.value !== null && tones[c.value]) || 'neutral' } : {}),
    }));
  const empty = facets !== null && facets.total === 0;
  const none = 'No device counts here yet.';

  return (
    <section aria-labelledby="overview-title" className="overview-page">
      <div className="page-header">
        <h1 id="overview-title">Overview</h1>
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>
      {error ? <p role="alert">{errorText(error)}</p> : null}
      {facets ? (
        <p className="overview-total" role="status">
          {facets.total.toLocaleString()} devices in {integrations.length} integration{integrations.length === 1 ? '' : 's'}
          {trust ? ` · ${trust.trusted.toLocaleString()} trusted` : ''}
        </p>
      ) : (
        <p role="status">Loading…</p>
      )}
      {empty ? (
        <div className="empty-state">
          <h2>No devices synced yet</h2>
          <p>The charts count the devices your integrations sync from Ivanti Neurons: platforms, registration states, compliance, check-ins and trust.</p>
          <button type="button" onClick={() => go('integrations')}>
            Go to integrations
          </button>
        </div>
      ) : null}
      {facets ? (
        <div className="overview-grid">
          {empty ? null : (
            <>
              <FacetChart id="chart-platforms" title="Platforms" emptyText={none} bars={bars(facets.platforms)} onPick={(b) => explore({ platformType: b.key })} />
              <FacetChart
                id="chart-states"
                title="Registration states"
                emptyText={none}
                bars={bars(facets.registrationStates, STATE_TONES)}
                onPick={(b) => explore({ registrationState: b.key })}
              />
              <FacetChart
                id="chart-compliance"
                title="Compliance"
                emptyText={none}
                bars={facets.compliance.map((c) => ({ key: c.value, label: COMPLIANCE_LABELS[c.value], count: c.count, tone: COMPLIANCE_TONES[c.value] }))}
                onPick={(b) => explore({ compliance: b.key as Compliance })}
              />
              <FacetChart
                id="chart-checkin"
                title="Last check-in"
                emptyText={none}
                bars={facets.checkinAges.map((c) => ({ key: c.value, label: CHECKIN_AGE_LABELS[c.value], count: c.count, tone: CHECKIN_TONES[c.value] }))}
                onPick={(b) => explore({ checkinAge: b.key as CheckinAge })}
              />
              {trust ? (
                <FacetChart
                  id="chart-trust"
                  title="Trust"
                  emptyText="No device is judged yet: trust needs an enabled integration and a completed sync."
                  bars={[
                    { key: 'trusted', label: 'Trusted', count: trust.trusted, tone: 'good' },
                    { key: 'not-trusted', label: 'Not trusted', count: trust.notTrusted, tone: 'bad' },
                    { key: 'cant-tell', label: "Can't tell", count: trust.cantTell, tone: 'warn' },
                  ]}
                  onPick={(b) => explore({ trust: b.key as TrustFilter })}
                />
              ) : null}
              <FacetChart
                id="chart-integrations"
                title="Integrations"
                emptyText={none}
                bars={facets.integrations.map((i) => ({ key: i.id, label: i.name, count: i.count }))}
                onPick={(b) => explore({ integrationId: b.key })}
              />
            </>
          )}
          <SyncHistoryChart runs={runs} integrations={integrations} onPick={(run) => explore({ integrationId: run.integrationId })} />
        </div>
      ) : null}
      <DuoDisagreementsPanel />
    </section>
  );
}
