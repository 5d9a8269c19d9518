import type { AuditChoices, AuditEntry, AuditFilter, AuditVerification } from '../../../../src-shared/domain/audit';
import type { Integration } from '../../../../src-shared/domain/integration';
import { ExportControl } from './ExportControl';
import { EmptyState } from '../../shared/ui/EmptyState';
import { Table } from '../../shared/ui/Table';
import { ChoiceField, type Choice } from '../../shared/ui/ChoiceField';

/** The tamper-evident log of admin actions, newest first, with the chain check and exports. */
export function AdminActionLog({
  entries,
  hasOlder,
  verification,
  verifying,
  filter,
  choices,
  integrations,
  onFilter,
  onVerify,
  onOlder,
}: {
  entries: AuditEntry[];
  hasOlder: boolean;
  filter: AuditFilter;
  choices: AuditChoices | null;
  integrations: Integration[];
  onFilter(patch: Partial<AuditFilter>): void;
  verification: AuditVerification | null;
  verifying: boolean;
  onVerify(): void;
  onOlder(): void;
}) {
  // Targets by name: the integration's current name, else the last name the log recorded (a deleted integration).
  const names = new Map<string, string>();
  for (const t of choices?.targets ?? []) if (t.name) names.set(t.target, t.name);
  for (const i of integrations) names.set(i.id, i.name);
  const filtered = Object.keys(filter).length > 0;
  return (
    <>
      <div className="audit-tools">
        <button type="button" onClick={onVerify} disabled={verifying}>
          Verify log integrity
        </button>
        <ExportControl what="audit log" request={(format) => ({ kind: 'audit', format })} />
      </div>
      {verification ? (
        <p role="status" className={verification.ok ? 'ok-text' : 'warning-text'} data-testid="audit-verification">
          {verification.ok
            ? `All ${verification.checked} entries are intact: each one's hash matches its content and links to the entry before it.${verification.signature?.note ? ` ${verification.signature.note}` : ''}`
            : verification.brokenAt === null
              ? `The log was altered: ${verification.reason}.`
              : `The log was altered at entry #${verification.brokenAt}: ${verification.reason}. The ${verification.checked} entries before it are intact.`}
        </p>
      ) : null}
      <AuditFilters filter={filter} choices={choices} names={names} onFilter={onFilter} />
      {entries.length === 0 && filtered ? (
        <p className="muted" role="status">
          No recorded action matches these filters.
        </p>
      ) : entries.length === 0 ? (
        <EmptyState title="No admin actions recorded yet">
          <p>Every change made in the console (integrations created, enabled or deleted, settings changed, exports) is recorded here in a tamper-evident log.</p>
        </EmptyState>
      ) : (
        <Table label="Audit log entries" caption className="audit-entries" columns={['#', 'When', 'Who', 'Action', 'About', 'Details']}>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} className={verification && !verification.ok && e.seq === verification.brokenAt ? 'audit-altered' : undefined}>
                <td>{e.seq}</td>
                <td className="audit-when">{new Date(e.at).toLocaleString()}</td>
                <td>{e.actor}</td>
                <td>{actionText(e.action)}</td>
                <td>{e.target === null ? '—' : <span title={e.target}>{names.get(e.target) ?? e.target}</span>}</td>
                <td>
                  <AuditDetails details={e.details} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {hasOlder ? (
        <button type="button" onClick={onOlder}>
          Show older entries
        </button>
      ) : null}
    </>
  );
}

/** "integration.status-changed" → "Integration status changed". */
export function actionText(action: string): string {
  const words = action.replace(/[.-]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "syncIntervalMinutes" → "Sync interval minutes". */
function keyText(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** An entry's details as labelled values that wrap within their cell, not one line of raw JSON. */
function AuditDetails({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="audit-details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{keyText(key)}</dt>
          <dd className={typeof value === 'object' && value !== null ? 'mono small' : undefined}>{valueText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Local midnight of a yyyy-mm-dd day as an instant; with `next`, the midnight after it (so "to" includes the day). */
function dayStart(day: string, next = false): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + (next ? 1 : 0)).toISOString();
}

function dayOf(iso: string | undefined, before = false): string {
  if (!iso) return '';
  const at = new Date(Date.parse(iso) - (before ? 1 : 0));
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
}

/** Who, what, about which integration, and when: each narrows the log in the database, not just on screen. */
function AuditFilters({
  filter,
  choices,
  names,
  onFilter,
}: {
  filter: AuditFilter;
  choices: AuditChoices | null;
  names: Map<string, string>;
  onFilter(patch: Partial<AuditFilter>): void;
}) {
  const targets = (choices?.targets ?? []).filter((t) => names.has(t.target));
  const select = (id: string, label: string, value: string | undefined, options: Choice[], key: 'actor' | 'action' | 'target') => (
    <ChoiceField id={id} label={label} value={value} choices={options} onChange={(v) => onFilter({ [key]: v })} />
  );
  return (
    <div className="audit-filters" role="group" aria-label="Filter the audit log">
      {select('audit-filter-actor', 'Who', filter.actor, (choices?.actors ?? []).map((a) => ({ value: a, label: a })), 'actor')}
      {select('audit-filter-action', 'Action', filter.action, (choices?.actions ?? []).map((a) => ({ value: a, label: actionText(a) })), 'action')}
      {select('audit-filter-target', 'Integration', filter.target, targets.map((t) => ({ value: t.target, label: names.get(t.target)! })), 'target')}
      <div className="field">
        <label htmlFor="audit-filter-from">From</label>
        <input id="audit-filter-from" type="date" value={dayOf(filter.from)} onChange={(e) => onFilter({ from: e.target.value ? dayStart(e.target.value) : undefined })} />
      </div>
      <div className="field">
        <label htmlFor="audit-filter-to">To</label>
        <input id="audit-filter-to" type="date" value={dayOf(filter.to, true)} onChange={(e) => onFilter({ to: e.target.value ? dayStart(e.target.value, true) : undefined })} />
      </div>
      {Object.keys(filter).length > 0 ? (
        <button type="button" onClick={() => onFilter({ actor: undefined, action: undefined, target: undefined, from: undefined, to: undefined })}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
