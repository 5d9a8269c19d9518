import { useEffect, useState, type FormEvent } from 'react';
import { STATUS_LABELS, type Integration, type IntegrationStatus } from '../../../../src-shared/domain/integration';
import { useToasts } from '../../shared/ui/toast-store';
import { chosenDuoGroup, testGroupFromDuo } from '../../../../src-shared/domain/test-group';
import type { DuoGroup } from '../../../../src-shared/domain/duo';
import { useDuoGroups } from './DuoTestGroupPicker';
import { parseUsernames, TestGroupField } from './TestGroupField';
import { useFormErrors } from '../../shared/use-form-errors';
import { FormActions } from '../../shared/FormActions';
import { useIntegrations } from './integrations-store';

export const STATUS_CHOICES: { value: IntegrationStatus; hint: string }[] = [
  { value: 'disabled', hint: 'Applies to no one. Nothing changes for users.' },
  { value: 'test-group', hint: 'Only the usernames listed below get device trust checks. Start here.' },
  { value: 'all-users', hint: 'Every user is checked. Do this once the test group works.' },
];

/** Disabled / test group (members editable) / all users. Every change is recorded in the audit log by the core. */
export function StatusEditor({ integration }: { integration: Integration }) {
  const { setStatus: saveStatus } = useIntegrations();
  const [status, setStatus] = useState<IntegrationStatus>(integration.status);
  const [group, setGroup] = useState(integration.testGroup.join('\n'));
  const { errors, failure, fail, clear } = useFormErrors();
  const duo = useDuoGroups();
  const [duoGroup, setDuoGroup] = useState<DuoGroup | null>(null);

  // The form starts again from what is saved only when that changes (a save, here or elsewhere). Every reload of the
  // list (the page's own as it opens, a sync's end) hands a new object with the same values, and an admin's unsaved
  // choice must outlive it.
  const savedGroup = integration.testGroup.join('\n');
  const savedDuoGroupId = integration.testGroupDuo?.groupId ?? null;
  useEffect(() => {
    setStatus(integration.status);
    setGroup(savedGroup);
  }, [integration.id, integration.status, savedGroup]);

  useEffect(() => {
    const testGroup = savedGroup === '' ? [] : savedGroup.split('\n');
    setDuoGroup(chosenDuoGroup(duo.groups, { testGroup, duoGroup: savedDuoGroupId === null ? null : { groupId: savedDuoGroupId } }));
  }, [duo.groups, integration.id, savedGroup, savedDuoGroupId]);

  const members = duoGroup ? testGroupFromDuo(duoGroup).members : parseUsernames(group);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await saveStatus({
        id: integration.id,
        status,
        ...(status === 'test-group' ? { testGroup: members, ...(duoGroup ? { duoGroup: { groupId: duoGroup.groupId, name: duoGroup.name } } : {}) } : {}),
      });
      clear();
      useToasts.getState().confirm(`“${integration.name}” is now: ${STATUS_LABELS[status]}${status === 'test-group' && duoGroup ? ` (Duo group “${duoGroup.name}”, ${members.length} ${members.length === 1 ? 'user' : 'users'})` : ''}.`);
    } catch (error) {
      fail(error);
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
        <TestGroupField
          id="test-group"
          duo={duo}
          duoGroup={duoGroup}
          onPickDuoGroup={setDuoGroup}
          recorded={integration.testGroupDuo}
          savedMembers={integration.testGroup}
          text={group}
          onText={setGroup}
          members={members}
          error={errors.testGroup}
        />
      ) : null}
      <p className="small">
        The status is set in Duo (Admin Panel → Trusted Endpoints → this integration) and recorded here so that the console's
        predictions match. Apply the trusted-endpoints policy to your applications in Duo before enabling, so trust is actually checked.
      </p>
      <FormActions submit="Save status" error={failure} />
    </form>
  );
}
