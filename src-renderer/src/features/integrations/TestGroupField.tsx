import type { DuoGroup } from '../../../../src-shared/domain/duo';
import type { TestGroupDuoGroup } from '../../../../src-shared/domain/integration';
import { parseTestGroup } from '../../../../src-shared/domain/test-group';
import { Field } from '../../shared/ui/Field';
import { DuoTestGroupPicker, type useDuoGroups } from './DuoTestGroupPicker';
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

/**
 * The test group of an integration whose status is "enabled for a test group", as the status editor and the wizard's
 * activation step both ask for it: a Duo group when Duo's groups were read, or usernames typed one per line, and how
 * those users match in Duo and Ivanti. Ids derive from `id` (the textarea's): `-duo`, `-error`, `-notes`, `-matches`.
 */
export function TestGroupField({
  id,
  duo,
  duoGroup,
  onPickDuoGroup,
  recorded,
  savedMembers,
  text,
  onText,
  members,
  error,
}: {
  id: string;
  duo: ReturnType<typeof useDuoGroups>;
  /** The Duo group chosen, or null when the usernames are typed. */
  duoGroup: DuoGroup | null;
  onPickDuoGroup(group: DuoGroup | null): void;
  /** The Duo group saved earlier, if any (see DuoTestGroupPicker). */
  recorded: TestGroupDuoGroup | null;
  savedMembers: string[];
  text: string;
  onText(text: string): void;
  /** The usernames the test group holds now, whichever way they were given. */
  members: string[];
  error: string | undefined;
}) {
  return (
    <>
      {duo.groups.length > 0 ? (
        <>
          <DuoTestGroupPicker
            id={`${id}-duo`}
            groups={duo.groups}
            readAt={duo.readAt}
            selected={duoGroup}
            onSelect={onPickDuoGroup}
            recorded={recorded}
            savedMembers={savedMembers}
          />
          {error && duoGroup ? (
            <p id={`${id}-error`} className="field-error">
              {error}
            </p>
          ) : null}
        </>
      ) : duo.connected ? (
        <p className="small muted">Read from Duo (Settings) to choose the test group from Duo&apos;s groups.</p>
      ) : null}
      {duoGroup ? null : (
        <>
          <Field id={id} label="Test group usernames (one per line)" error={error}>
            {(control) => <textarea {...control} rows={4} value={text} onChange={(e) => onText(e.target.value)} />}
          </Field>
          <TestGroupNotes text={text} id={`${id}-notes`} />
        </>
      )}
      <TestGroupMatches members={members} id={`${id}-matches`} />
    </>
  );
}
