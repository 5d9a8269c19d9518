import { useEffect, useState } from 'react';
import { errorText } from '../../shared/error-text';
import { AdminActionLog } from './AdminActionLog';
import { useAudit } from './audit-store';
import { SyncRunAudit } from './SyncRunAudit';
import './audit.css';

const TABS = [
  { id: 'actions', label: 'Admin actions' },
  { id: 'syncs', label: 'Sync runs' },
] as const;

/** The audit trail, offline: who changed what (hash-chained, verifiable) and what each sync changed, with exports. */
export function AuditPage() {
  const audit = useAudit();
  const [tab, setTab] = useState<(typeof TABS)[number]['id']>('actions');
  const { load } = audit;
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="audit-title">
      <div className="page-header">
        <h1 id="audit-title">Audit log</h1>
      </div>
      <div role="tablist" aria-label="Audit" className="audit-tabs">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`audit-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`audit-panel-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {audit.error ? <p role="alert">{errorText(audit.error)}</p> : null}
      <div role="tabpanel" id={`audit-panel-${tab}`} aria-labelledby={`audit-tab-${tab}`}>
        {tab === 'actions' ? (
          <AdminActionLog
            entries={audit.entries}
            hasOlder={audit.hasOlder}
            verification={audit.verification}
            verifying={audit.verifying}
            filter={audit.filter}
            choices={audit.choices}
            integrations={audit.integrations}
            onFilter={(patch) => void audit.setFilter(patch)}
            onVerify={() => void audit.verify()}
            onOlder={() => void audit.loadOlder()}
          />
        ) : (
          <SyncRunAudit integrations={audit.integrations} />
        )}
      </div>
    </section>
  );
}
