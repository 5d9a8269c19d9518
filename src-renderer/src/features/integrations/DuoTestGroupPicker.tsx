import { useEffect } from 'react';
import type { DuoGroup } from '../../../../src-shared/domain/duo';
import type { TestGroupDuoGroup } from '../../../../src-shared/domain/integration';
import { duoMembersChanged, testGroupFromDuo } from '../../../../src-shared/domain/test-group';
import { useDuoConnection } from '../duo/duo-connection-store';

/** Duo's groups as read by the Duo Admin API connection; empty without a connection or before the first read. */
export function useDuoGroups(): { connected: boolean; groups: DuoGroup[]; readAt: number | null } {
  const { connection, groups, load, loadGroups } = useDuoConnection();
  useEffect(() => {
    void load().then(() => loadGroups().catch(() => undefined));
  }, [load, loadGroups]);
  const read = connection?.reads.find((r) => r.kind === 'groups' && r.status === 'completed');
  return { connected: connection !== null, groups, readAt: read?.finishedAt ?? null };
}

/**
 * With a Duo connection the test group is a Duo group: chosen from Duo's groups, its membership as read from Duo. The
 * admin may still type usernames (the empty choice), e.g. for a group the last read did not see.
 */
export function DuoTestGroupPicker({
  id,
  groups,
  readAt,
  selected,
  onSelect,
  recorded,
  savedMembers,
}: {
  id: string;
  groups: DuoGroup[];
  readAt: number | null;
  selected: DuoGroup | null;
  onSelect: (group: DuoGroup | null) => void;
  /** The Duo group saved earlier (by id), to say when the last read no longer has it. */
  recorded: TestGroupDuoGroup | null;
  /** The members saved earlier, to say when Duo's membership changed since. */
  savedMembers: string[];
}) {
  const missing = recorded !== null && !groups.some((g) => g.groupId === recorded.groupId);
  const picked = selected ? testGroupFromDuo(selected) : null;
  return (
    <div className="field">
      <label htmlFor={id}>Test group in Duo</label>
      <select id={id} value={selected?.groupId ?? ''} onChange={(e) => onSelect(groups.find((g) => g.groupId === e.target.value) ?? null)} aria-describedby={`${id}-hint`}>
        <option value="">None chosen: type the usernames instead</option>
        {groups.map((group) => (
          <option key={group.groupId} value={group.groupId}>
            {group.name} ({group.members.length} {group.members.length === 1 ? 'member' : 'members'})
          </option>
        ))}
      </select>
      {missing ? (
        <p className="warning-text small" role="status">
          The Duo group chosen earlier, “{recorded.name}” (group id {recorded.groupId}), is not in the last read from Duo: it may have been deleted
          there. Choose the group the integration uses now.
        </p>
      ) : null}
      <p id={`${id}-hint`} className="small muted">
        Choose the group you gave the integration in Duo. Its members are the ones read from Duo
        {readAt === null ? '' : ` on ${new Date(readAt).toLocaleString()}`}; read from Duo again (Settings) after changing the group there.
      </p>
      {picked ? (
        <>
          <p className="small">
            Duo group id <code>{selected!.groupId}</code>: the console finds the group by this id, so renaming it in Duo changes nothing here.
          </p>
          {selected!.groupId === recorded?.groupId && savedMembers.length > 0 && duoMembersChanged(selected!, savedMembers) ? (
            <p className="warning-text small" role="status">
              Duo&apos;s members of this group changed since the test group was saved here: save to record the members below.
            </p>
          ) : null}
          <ul className="small" aria-label={`Members of ${selected!.name} in Duo`}>
            {picked.members.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
          {picked.members.length === 0 ? <p className="warning-text small">This group has no members in the last read from Duo.</p> : null}
          {picked.withoutUsername > 0 ? (
            <p className="warning-text small">
              {picked.withoutUsername} {picked.withoutUsername === 1 ? 'member has' : 'members have'} no username in the last read from Duo and cannot be
              matched here: read from Duo again.
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
