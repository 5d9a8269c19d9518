import { useEffect, useState, type FormEvent } from 'react';
import { STATUS_LABELS, type Integration, type IntegrationStatus } from '../../../../src-shared/domain/integration';
import { useToasts } from '../../shared/ui/toast-store';
import { ErrorText } from '../../shared/ui/ErrorText';
import { call } from '../../shared/api';
import { fieldErrors } from '../../shared/error-text';
import { chosenDuoGroup, parseTestGroup, testGroupFromDuo } from '../../../../src-shared/domain/test-group';
import type { DuoGroup } from '../../../../src-shared/domain/duo';
import { DuoTestGroupPicker, useDuoGroups } from './DuoTestGroupPicker';
import { TestGroupMatches } from './TestGroupMatches';

/** Test group text: one username per line, never split further (see parseTestGroup). */
export function parseUsernames(text: string): string[] {
  return parseTestGroup(text).members;
}

/** What the admin should check in the typed test group: names kept whole despite inner spaces, repeated names. */
export function TestGroupNotes({ text, id }: { text: string; id: string }) {
  const { withInnerSpaces, duplicates } = parseTestGroup(text);
  if (withInnerSpaces.length === 0 && duplicates.length === 0) return null;
  return (
    <ul id={id} className="small warning-text" aria-label="Check these test group names">
      {withInnerSpaces.map((name) => (
        <li key={`space-${name}`}>“{name}” has a space inside; it is kept as one username. Put each username on its own line.</li>
      ))}
      {duplicates.map((name) => (
        <li key={`dup-${name}`}>“{name}” is listed more than once; it is kept once.</li>
      ))}
    </ul>
  );
}

export const STATUS_CHOICES: { value: IntegrationStatus; hint: string }[] = [
  { value: 'disabled', hint: 'Applies to no one. Nothing changes for users.' },
  { value: 'test-group', hint: 'Only the usernames listed below get device trust checks. Start here.' },
  { value: 'all-users', hint: 'Every user is checked. Do this once the test group works.' },
];

/** Disabled / test group (members editable) / all users. Every change is recorded in the audit log by the core. */
export function StatusEditor({ integration, onChanged }: { integration: Integration; onChanged: () => void }) {
  const [status, setStatus] = useState<IntegrationStatus>(integration.status);
  const [group, setGroup] = useState(integration.testGroup.join('\n'));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const duo = useDuoGroups();
  const [duoGroup, setDuoGroup] = useState<DuoGroup | null>(null);

  useEffect(() => {
    setStatus(integration.status);
    setGroup(integration.testGroup.join('\n'));
  }, [integration]);

  useEffect(() => {
    setDuoGroup(chosenDuoGroup(duo.groups, { testGroup: integration.testGroup, duoGroup: integration.testGroupDuo }));
  }, [duo.groups, integration]);

  const members = duoGroup ? testGroupFromDuo(duoGroup).members : parseUsernames(group);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await call('integrations.setStatus', {
        id: integration.id,
        status,
        ...(status === 'test-group' ? { testGroup: members, ...(duoGroup ? { duoGroup: { groupId: duoGroup.groupId, name: duoGroup.name } } : {}) } : {}),
      });
      setErrors({});
      setFailure(null);
      useToasts.getState().confirm(`“${integration.name}” is now: ${STATUS_LABELS[status]}${status === 'test-group' && duoGroup ? ` (Duo group “${duoGroup.name}”, ${members.length} ${members.length === 1 ? 'user' : 'users'})` : ''}.`);
      onChanged();
    } catch (error) {
      const fields = fieldErrors(error);
      setErrors(fields);
      setFailure(Object.keys(fields).length === 0 ? error : null);
    }
  }

  return (
    <form className="panel form" onSubmit={(event) => void submit(event)} aria-labelledby="status-title" noValidate>
      <h2 id="status-title">Integration status</h2>
      <fieldset>
        <legend>Who gets device trust checks</legend>
        {STATUS_CHOICES.map((choice) => (
          <label key={choice.value} className="radio">
            <input type="radio" name="status" value={choice.value} checked={status === choice.value} onChange={() => setStatus(choice.value)} />
            <span>
              {STATUS_LABELS[choice.value]} <span className="small muted">{choice.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {status === 'test-group' ? (
        <>
          {duo.groups.length > 0 ? (
            <DuoTestGroupPicker
              id="test-group-duo"
              groups={duo.groups}
              readAt={duo.readAt}
              selected={duoGroup}
              onSelect={setDuoGroup}
              recorded={integration.testGroupDuo}
              savedMembers={integration.testGroup}
            />
          ) : duo.connected ? (
            <p className="small muted">Read from Duo (Settings) to choose the test group from Duo&apos;s groups.</p>
          ) : null}
          {errors.testGroup && duoGroup ? (
            <p id="test-group-error" className="field-error">
              {errors.testGroup}
            </p>
          ) : null}
        </>
      ) : null}
      {status === 'test-group' && !duoGroup ? (
        <>
          <label htmlFor="test-group-members">Test group usernames (one per line)</label>
          <textarea
            id="test-group-members"
            rows={4}
            value={group}
            onChange={(e) => setGroup(e.target.value)}
            aria-invalid={errors.testGroup ? true : undefined}
            aria-describedby={errors.testGroup ? 'test-group-error' : undefined}
          />
          {errors.testGroup ? (
            <p id="test-group-error" className="field-error">
              {errors.testGroup}
            </p>
          ) : null}
          <TestGroupNotes text={group} id="test-group-notes" />
        </>
      ) : null}
      {status === 'test-group' ? <TestGroupMatches members={members} id="test-group-matches" /> : null}
      <p className="small">
        The status is set in Duo (Admin Panel → Trusted Endpoints → this integration) and recorded here so that the console's
        predictions match. Apply the trusted-endpoints policy to your applications in Duo before enabling, so trust is actually checked.
      </p>
      <ErrorText error={failure} />
      <div className="actions">
        <button type="submit" className="primary">
          Save status
        </button>
      </div>
    </form>
  );
}
