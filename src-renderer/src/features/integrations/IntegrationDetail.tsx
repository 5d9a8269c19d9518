import { useEffect, useRef } from 'react';
import { PLATFORM_LABELS, STATUS_LABELS } from '../../../../src-shared/domain/integration';
import { LEGACY_END_OF_LIFE_NOTICE } from '../../../../src-shared/domain/ivanti-setup';
import { DeviceSyncCheck } from '../devices/DeviceSyncCheck';
import { SyncPanel } from '../sync/SyncPanel';
import { CaProfilePanel } from '../certificates/CaProfilePanel';
import { ApiDetailsEditor } from './ApiDetailsEditor';
import { AppConfigValues } from './AppConfigValues';
import { DeleteIntegrationPanel } from './DeleteIntegrationPanel';
import { useIntegrations } from './integrations-store';
import { LegacyMigrationPanel } from './LegacyMigrationPanel';
import { RotateKeyPanel } from './RotateKeyPanel';
import { StatusEditor } from './StatusEditor';
import { TestConfigurationPanel } from './TestConfigurationPanel';
import { TimeAgo } from '../../shared/ui/TimeAgo';
import { VerifySetupPanel } from './VerifySetupPanel';
import { StatusBadge, type Tone } from '../../shared/ui/StatusBadge';
import type { IntegrationStatus } from '../../../../src-shared/domain/integration';

/** Disabled is neutral (applies to no one), a test group is a stage to move on from, all users is the goal. */
const STATUS_TONES: Record<IntegrationStatus, Tone> = { disabled: 'neutral', 'test-group': 'warning', 'all-users': 'ok' };

/** One integration: what it is, its values for Ivanti, status, sync, API details, migration and deletion. */
export function IntegrationDetail({ id, focus }: { id: string; focus?: 'delete' }) {
  const { overviews, show, load } = useIntegrations();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const overview = overviews.find((o) => o.integration.id === id);

  useEffect(() => {
    if (focus !== 'delete') headingRef.current?.focus();
  }, [id, focus]);

  if (!overview) {
    return (
      <section aria-labelledby="detail-missing">
        <h1 id="detail-missing">Integration not found</h1>
        <button type="button" onClick={() => show({ kind: 'list' })}>
          Back to integrations
        </button>
      </section>
    );
  }
  const { integration, warnings, deviceCount, lastCompletedSyncAt } = overview;

  return (
    <section aria-labelledby="detail-title">
      <button type="button" className="link-button" onClick={() => show({ kind: 'list' })}>
        ← All integrations
      </button>
      <div className="page-header">
        <h1 id="detail-title" ref={headingRef} tabIndex={-1}>
          {integration.name}
        </h1>
        <StatusBadge tone={STATUS_TONES[integration.status]}>{STATUS_LABELS[integration.status]}</StatusBadge>
      </div>

      {warnings.length > 0 ? (
        <div className="panel warning-panel" role="region" aria-label="Needs attention">
          <ul className="warning-list">
            {warnings.map((w) => (
              <li key={w.code} className="warning-text">
                {w.message}
              </li>
            ))}
          </ul>
          {overview.openDraftId ? (
            <button type="button" className="primary" onClick={() => show({ kind: 'wizard', draftId: overview.openDraftId! })}>
              Resume setup
            </button>
          ) : null}
        </div>
      ) : null}

      <section className="panel" aria-labelledby="facts-title">
        <h2 id="facts-title">Overview</h2>
        <dl className="facts">
          <dt>Device management</dt>
          <dd>Ivanti Neurons for MDM (formerly MobileIron Cloud)</dd>
          <dt>Platform</dt>
          <dd>{PLATFORM_LABELS[integration.platform]}</dd>
          <dt>Domain</dt>
          <dd>{integration.domain ?? 'Not set'}</dd>
          <dt>API user</dt>
          <dd>{integration.email ?? 'Not set'}</dd>
          <dt>Password</dt>
          <dd>{integration.hasPassword ? 'Stored in the keychain' : <span className="warning-text">Missing</span>}</dd>
          <dt>Synced devices</dt>
          <dd>{deviceCount.toLocaleString()}</dd>
          <dt>Last completed sync</dt>
          <dd>{lastCompletedSyncAt ? <TimeAgo iso={lastCompletedSyncAt} withDate /> : 'Never'}</dd>
        </dl>
      </section>

      {integration.platform === 'ios-certs' ? (
        <section className="panel" aria-labelledby="legacy-title">
          <h2 id="legacy-title">Legacy certificate integration</h2>
          <p>{LEGACY_END_OF_LIFE_NOTICE}</p>
        </section>
      ) : null}
      {integration.platform === 'ios-certs' ? <CaProfilePanel integrationId={integration.id} /> : null}
      {integration.platform === 'ios-certs' || integration.migratedFrom ? <LegacyMigrationPanel integration={integration} /> : null}

      {integration.platform !== 'ios-certs' ? (
        <section className="panel" aria-labelledby="values-title">
          <h2 id="values-title">Values for Ivanti</h2>
          {integration.configurationKey ? (
            <AppConfigValues platform={integration.platform} configurationKey={integration.configurationKey} />
          ) : (
            <p className="warning-text">No configuration key yet: Duo issues it. Enter the key Duo shows for this integration, then put these values in Ivanti.</p>
          )}
          <RotateKeyPanel integration={integration} />
        </section>
      ) : null}

      <StatusEditor integration={integration} />

      <section className="panel" aria-labelledby="sync-title">
        <h2 id="sync-title">Sync</h2>
        <SyncPanel integrationId={integration.id} onFinished={() => void load()} />
      </section>

      <DeviceSyncCheck integrationId={integration.id} />

      <VerifySetupPanel />
      <TestConfigurationPanel integration={integration} />
      <ApiDetailsEditor integration={integration} />
      <DeleteIntegrationPanel integration={integration} initiallyOpen={focus === 'delete'} />
    </section>
  );
}
