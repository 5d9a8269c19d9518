import { useEffect, useRef, useState } from 'react';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { PLATFORM_LABELS, STATUS_LABELS } from '../../../../src-shared/domain/integration';
import { WIZARD_STEP_TITLES } from '../../../../src-shared/contract/wizard';
import { ErrorText } from '../../shared/ui/ErrorText';
import { useToasts } from '../../shared/ui/toast-store';
import { errorText } from '../../shared/error-text';
import { SetupWizard } from '../wizard/SetupWizard';
import { IntegrationDetail } from './IntegrationDetail';
import { useIntegrations } from './integrations-store';
import { TimeAgo } from '../../shared/ui/TimeAgo';
import { VerifySetupPanel } from './VerifySetupPanel';
import { Table } from '../../shared/ui/Table';
import './integrations.css';
import { EmptyState } from '../../shared/ui/EmptyState';

export function IntegrationsPage() {
  const { view, load } = useIntegrations();
  useEffect(() => {
    void load();
  }, [load, view]);
  if (view.kind === 'wizard') return <SetupWizard draftId={view.draftId} />;
  if (view.kind === 'detail') return <IntegrationDetail key={view.id} id={view.id} focus={view.focus} />;
  return <IntegrationList />;
}

function IntegrationList() {
  const { overviews, drafts, loaded, error, setupError, load, show, startSetup } = useIntegrations();

  if (error && !loaded) {
    return (
      <section className="panel" role="alert">
        <h1>Integrations</h1>
        <p>{errorText(error)}</p>
        <button type="button" onClick={() => void load()}>
          Try again
        </button>
      </section>
    );
  }


  return (
    <section aria-labelledby="integrations-title">
      <div className="page-header">
        <h1 id="integrations-title">Integrations</h1>
        {overviews.length > 0 ? (
          <button type="button" className="primary" onClick={() => void startSetup()}>
            Add integration
          </button>
        ) : null}
      </div>

      {drafts.length > 0 ? (
        <section className="panel" aria-labelledby="drafts-title">
          <h2 id="drafts-title">Unfinished setups</h2>
          <ul className="plain-list">
            {drafts.map((d) => (
              <li key={d.id} className="integrations-draft-row">
                <span>
                  <strong>{d.name || 'New integration'}</strong>
                  {d.platform ? ` · ${PLATFORM_LABELS[d.platform]}` : ''} · stopped at “{WIZARD_STEP_TITLES[d.step]}”
                </span>
                <DraftActions draft={d} onResume={() => show({ kind: 'wizard', draftId: d.id })} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ErrorText error={setupError} />

      {loaded && overviews.length === 0 ? (
        <EmptyState
          title="Connect your first Ivanti Neurons tenant"
          action={
            <button type="button" className="primary" onClick={() => void startSetup()}>
              Add your first integration
            </button>
          }
        >
          <p>
            The console links Duo Trusted Endpoints to Ivanti Neurons for MDM (formerly MobileIron Cloud). A guided setup creates
            the integration, gives you the values to paste into Ivanti, tests the API access and runs the first sync. Have these
            ready:
          </p>
          <ul>
            <li>Admin access to the Ivanti Neurons portal, to create an API user and configure Duo Mobile.</li>
            <li>Your Ivanti Neurons domain, for example acmecorp.mobileiron.com.</li>
          </ul>
        </EmptyState>
      ) : null}

      {overviews.length > 0 ? (
        <Table label="Integrations" caption columns={['Name', 'MDM', 'Platform', 'Status', 'Last sync', 'Devices', 'Needs attention']}>
          <tbody>
            {overviews.map(({ integration, deviceCount, lastRun, lastCompletedSyncAt, warnings }) => (
              <tr key={integration.id}>
                <td>
                  <button type="button" className="link-button" onClick={() => show({ kind: 'detail', id: integration.id })}>
                    {integration.name}
                  </button>
                </td>
                <td>Ivanti Neurons for MDM</td>
                <td>{PLATFORM_LABELS[integration.platform]}</td>
                <td>{STATUS_LABELS[integration.status]}</td>
                <td>
                  {lastCompletedSyncAt ? (
                    <TimeAgo iso={lastCompletedSyncAt} />
                  ) : (
                    'Never'
                  )}
                  {lastRun && lastRun.status !== 'completed' ? <span className="small block">Last run: {lastRun.status}</span> : null}
                </td>
                <td>{deviceCount.toLocaleString()}</td>
                <td>
                  {warnings.length === 0 ? (
                    <span className="ok-text">Nothing</span>
                  ) : (
                    <ul className="warning-list" aria-label={`Warnings for ${integration.name}`}>
                      {warnings.map((w) => (
                        <li key={w.code} className="warning-text">
                          {w.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}

      {overviews.length > 0 ? <VerifySetupPanel /> : null}
    </section>
  );
}

/**
 * Resume, or discard after a confirmation: Discard only asks, with focus on "Keep the setup", so no single click or
 * Enter loses a draft. An integration the setup already created stays (it is deleted from its own page).
 */
function DraftActions({ draft, onResume }: { draft: WizardDraft; onResume(): void }) {
  const { discardDraft } = useIntegrations();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const discardRef = useRef<HTMLButtonElement>(null);
  const label = draft.name || 'new integration';
  useEffect(() => {
    if (confirming) keepRef.current?.focus();
  }, [confirming]);

  async function discard() {
    setBusy(true);
    setFailure(null);
    try {
      await discardDraft(draft.id);
      useToasts.getState().confirm(`Discarded the setup of “${label}”.`);
    } catch (e) {
      setFailure(e);
      setBusy(false);
    }
  }

  if (!confirming) {
    return (
      <>
        <button type="button" className="primary" onClick={onResume} aria-label={`Resume setup of ${label}`}>
          Resume
        </button>
        <button type="button" ref={discardRef} onClick={() => setConfirming(true)} aria-label={`Discard setup of ${label}`}>
          Discard…
        </button>
      </>
    );
  }
  return (
    <div role="group" aria-label={`Discard setup of ${label}?`} className="confirm-box">
      <p>
        Discard the setup of “{label}”? Its values and ticks are lost.
        {draft.integrationId ? ' The integration it created stays; delete it from its own page if it should go.' : ''}
      </p>
      <ErrorText error={failure} />
      <div className="actions">
        <button
          type="button"
          ref={keepRef}
          onClick={() => {
            setConfirming(false);
            setTimeout(() => discardRef.current?.focus());
          }}
        >
          Keep the setup
        </button>
        <button type="button" className="danger" onClick={() => void discard()} disabled={busy}>
          Discard setup
        </button>
      </div>
    </div>
  );
}
