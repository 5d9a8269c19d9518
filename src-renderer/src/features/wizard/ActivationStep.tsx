import { useEffect, useState } from 'react';
import type { DuoGroup } from '../../../../src-shared/domain/duo';
import { chosenDuoGroup, testGroupFromDuo } from '../../../../src-shared/domain/test-group';
import { useDuoGroups } from '../integrations/DuoTestGroupPicker';
import type { WizardDraft } from '../../../../src-shared/contract/wizard';
import { STATUS_LABELS, type IntegrationStatus } from '../../../../src-shared/domain/integration';
import { STATUS_CHOICES } from '../integrations/StatusEditor';
import { parseUsernames, TestGroupField } from '../integrations/TestGroupField';
import { useWizard } from './wizard-store';

export function ActivationStep({ draft }: { draft: WizardDraft }) {
  const { edit, errors } = useWizard();
  const [group, setGroup] = useState(draft.activation.testGroup.join('\n'));
  const { status } = draft.activation;
  const groupError = errors['activation.testGroup'];
  const duo = useDuoGroups();
  const [duoGroup, setDuoGroup] = useState<DuoGroup | null>(null);
  useEffect(() => {
    const saved = useWizard.getState().draft?.activation;
    setDuoGroup(chosenDuoGroup(duo.groups, { testGroup: saved?.testGroup ?? [], duoGroup: saved?.duoGroup }));
  }, [duo.groups]);
  /** What the draft records: the members, and the Duo group (by id) they were read from, if any. */
  const activation = (next: IntegrationStatus, picked: DuoGroup | null, typed: string) => ({
    status: next,
    testGroup: picked ? testGroupFromDuo(picked).members : parseUsernames(typed),
    duoGroup: picked ? { groupId: picked.groupId, name: picked.name } : null,
  });
  const pickDuoGroup = (picked: DuoGroup | null) => {
    setDuoGroup(picked);
    edit({ activation: activation(status, picked, group) });
  };
  return (
    <>
      <p>
        The status is set in Duo (Admin Panel → Trusted Endpoints → this integration); record here what you set there, so the
        console's predictions match. Apply the trusted-endpoints policy to your applications in Duo, start with a small test group,
        and enable it for everyone once their devices are trusted.
      </p>
      <fieldset>
        <legend>Activate for</legend>
        {STATUS_CHOICES.map((choice) => (
          <label key={choice.value} className="radio choice">
            <input
              type="radio"
              name="activation"
              value={choice.value}
              checked={status === choice.value}
              onChange={() => edit({ activation: activation(choice.value, duoGroup, group) })}
            />
            <span>
              <strong>{choice.value === 'disabled' ? 'Nobody yet (leave it disabled)' : STATUS_LABELS[choice.value]}</strong>
              <span className="block small muted">{choice.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {status === 'test-group' ? (
        <TestGroupField
          id="wizard-test-group"
          duo={duo}
          duoGroup={duoGroup}
          onPickDuoGroup={pickDuoGroup}
          recorded={draft.activation.duoGroup ?? null}
          savedMembers={[]}
          text={group}
          onText={(typed) => {
            setGroup(typed);
            edit({ activation: activation(status, null, typed) });
          }}
          members={draft.activation.testGroup}
          error={groupError}
        />
      ) : null}
    </>
  );
}
