import { DuoDisagreementsPanel } from '../duo/DuoDisagreementsPanel';
import { useEffect } from 'react';
import { useNavigation } from '../../app/navigation-store';
import { CHECKIN_AGE_LABELS, type DeviceQuery, type TrustFilter } from '../../../../src-shared/domain/device';
import { errorText } from '../../shared/error-text';
import { useDevices } from '../devices/devices-store';
import { FacetChart, type ChartBar } from './FacetChart';
import { useOverview } from './overview-store';
import { SyncHistoryChart } from './SyncHistoryChart';
import './overview.css';

const COMPLIANCE_LABELS = { compliant: 'Compliant', 'non-compliant': 'Not compliant', unknown: 'Unknown' } as const;

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
  const bars = (counts: { value: string | null; count: number }[]): ChartBar[] =>
    counts.map((c) => ({ key: c.value ?? '', label: c.value ?? 'not reported', count: c.count }));

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
      {facets ? (
        <div className="overview-grid">
          <FacetChart id="chart-platforms" title="Platforms" bars={bars(facets.platforms)} onPick={(b) => explore({ platformType: b.key })} />
          <FacetChart
            id="chart-states"
            title="Registration states"
            bars={bars(facets.registrationStates)}
            onPick={(b) => explore({ registrationState: b.key })}
          />
          <FacetChart
            id="chart-compliance"
            title="Compliance"
            bars={facets.compliance.map((c) => ({ key: c.value, label: COMPLIANCE_LABELS[c.value], count: c.count }))}
            onPick={(b) => explore({ compliance: b.key as keyof typeof COMPLIANCE_LABELS })}
          />
          <FacetChart
            id="chart-checkin"
            title="Last check-in"
            bars={facets.checkinAges.map((c) => ({ key: c.value, label: CHECKIN_AGE_LABELS[c.value], count: c.count }))}
            onPick={(b) => explore({ checkinAge: b.key as keyof typeof CHECKIN_AGE_LABELS })}
          />
          {trust ? (
            <FacetChart
              id="chart-trust"
              title="Trust"
              bars={[
                { key: 'trusted', label: 'Trusted', count: trust.trusted },
                { key: 'not-trusted', label: 'Not trusted', count: trust.notTrusted },
                { key: 'cant-tell', label: "Can't tell", count: trust.cantTell },
              ]}
              onPick={(b) => explore({ trust: b.key as TrustFilter })}
            />
          ) : null}
          <FacetChart
            id="chart-integrations"
            title="Integrations"
            bars={facets.integrations.map((i) => ({ key: i.id, label: i.name, count: i.count }))}
            onPick={(b) => explore({ integrationId: b.key })}
          />
          <SyncHistoryChart runs={runs} integrations={integrations} onPick={(run) => explore({ integrationId: run.integrationId })} />
        </div>
      ) : null}
      <DuoDisagreementsPanel />
    </section>
  );
}
