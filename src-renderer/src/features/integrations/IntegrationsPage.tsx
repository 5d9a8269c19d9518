import { useEffect, useState } from 'react';
import { PLATFORM_LABELS, STATUS_LABELS } from '../../../../src-shared/domain/integration';
import { errorText } from '../../shared/error-text';
import { AddIntegrationForm } from './AddIntegrationForm';
import { useIntegrations } from './integrations-store';

export function IntegrationsPage() {
  const { integrations, loaded, error, load } = useIntegrations();
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

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
        {integrations.length > 0 && !adding ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add integration
          </button>
        ) : null}
      </div>
      {adding ? <AddIntegrationForm onDone={() => setAdding(false)} /> : null}
      {loaded && integrations.length === 0 && !adding ? (
        <div className="empty-state">
          <h2>Connect your first Ivanti Neurons tenant</h2>
          <p>
            The console links Duo Trusted Endpoints to Ivanti Neurons for MDM (formerly MobileIron Cloud). Start by adding an
            integration for Android or iOS. Have these ready:
          </p>
          <ul>
            <li>An Ivanti API user with the System Read Only and Device Read Only roles in every device space to sync.</li>
            <li>Your Ivanti Neurons domain, for example acmecorp.mobileiron.com.</li>
          </ul>
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add your first integration
          </button>
        </div>
      ) : null}
      {integrations.length > 0 ? (
        <table className="data-table">
          <caption className="visually-hidden">Integrations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Platform</th>
              <th scope="col">Status</th>
              <th scope="col">Domain</th>
              <th scope="col">Credentials</th>
            </tr>
          </thead>
          <tbody>
            {integrations.map((integration) => (
              <tr key={integration.id}>
                <td>{integration.name}</td>
                <td>{PLATFORM_LABELS[integration.platform]}</td>
                <td>{STATUS_LABELS[integration.status]}</td>
                <td>{integration.domain ?? '—'}</td>
                <td>{integration.hasPassword ? 'Stored in keychain' : <span className="warning-text">Missing</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
