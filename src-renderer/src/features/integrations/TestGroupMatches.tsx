import { useEffect } from 'react';
import type { TestGroupUserMatch } from '../../../../src-shared/domain/duo';
import { useDuoConnection } from '../duo/duo-connection-store';

const MATCHED_BY: Record<NonNullable<TestGroupUserMatch['duoUser']>['matchedBy'], string> = {
  username: 'Duo username',
  alias: 'Duo alias',
  email: 'Duo email',
};

/**
 * With a Duo connection: how each test-group name matches across the systems, and by what. Duo user by username, then
 * alias, then email; that user's synced Ivanti devices by uid or emailAddress (issue 15 point 2).
 */
export function TestGroupMatches({ members, id }: { members: string[]; id: string }) {
  const { connection, userMatches, matchedNames, matchUsers } = useDuoConnection();
  const usersRead = connection?.reads.some((r) => r.kind === 'users' && r.status === 'completed') ?? false;
  const key = members.join('\n');
  useEffect(() => {
    if (!usersRead || key === '') return;
    // Typing changes the names on every keystroke: ask once the admin pauses.
    const timer = setTimeout(() => void matchUsers(key.split('\n')).catch(() => undefined), 250);
    return () => clearTimeout(timer);
  }, [key, usersRead, matchUsers]);
  if (!usersRead || key === '' || matchedNames !== key) return null;
  return (
    <div className="field">
      <h3 id={`${id}-title`} className="small">
        How these users match in Duo and Ivanti
      </h3>
      <ul id={id} className="small" aria-labelledby={`${id}-title`}>
        {userMatches.map((match) => (
          <li key={match.name}>
            <strong>{match.name}</strong>:{' '}
            {match.duoUser
              ? `Duo user ${match.duoUser.username} (matched by ${MATCHED_BY[match.duoUser.matchedBy]})`
              : 'not a Duo user in the last read (looked up by username, alias and email)'}
            ;{' '}
            {match.ivanti
              ? `${match.ivanti.devices} synced Ivanti ${match.ivanti.devices === 1 ? 'device' : 'devices'} (${match.ivanti.how})`
              : 'no synced Ivanti device (looked up by uid and emailAddress)'}
          </li>
        ))}
      </ul>
    </div>
  );
}
