import type { DuoUserNames } from '../duo/duo-store';
import type { IntegrationDirectory } from '../integrations/integration-store';

/**
 * Who is in an integration's test group, the one rule the verifier, the Trust column and the explorer's Trust filter
 * use (README, "How the console decides"). Duo resolves a sign-in name to its user (username, alias, email) before it
 * looks at the group, so a user is in the group when the name as given is listed, or any name Duo knows the same user
 * by is (from the last read of Duo's users; without one, the name as given only). Listed names compare as the
 * group's column does (SQLite NOCASE: ASCII letters without regard to case).
 *
 * One instance per question, verdict page or query: the group and Duo's users are read once, not per device.
 */
export class TestGroupMembership {
  readonly #groups = new Map<string, { listed: string[]; keys: Set<string> }>();

  constructor(
    private readonly directory: Pick<IntegrationDirectory, 'testGroup'>,
    private readonly duo: Pick<DuoUserNames, 'namesOf' | 'namesOfUsersNamed'> | null,
  ) {}

  includes(integrationId: string, user: string): boolean {
    const { keys } = this.#group(integrationId);
    if (keys.has(nocaseKey(user))) return true;
    return (this.duo?.namesOf(user) ?? []).some((name) => keys.has(nocaseKey(name)));
  }

  /**
   * Every name `includes` counts in, for SQL (`uid COLLATE NOCASE IN (…)`, precomputed once per query): the listed
   * names and every name of a Duo user with a listed name, each also in lower and upper case (NOCASE folds ASCII
   * only), kept when `includes` says so. A name in the list is always a member, and a member is in the list unless its
   * case differs from Duo's spelling in non-ASCII letters both ways at once.
   */
  names(integrationId: string): string[] {
    const { listed } = this.#group(integrationId);
    const candidates = [...listed, ...(this.duo?.namesOfUsersNamed(listed) ?? [])].flatMap((n) => [n, n.toLowerCase(), n.toUpperCase()]);
    return [...new Set(candidates)].filter((name) => this.includes(integrationId, name));
  }

  #group(integrationId: string): { listed: string[]; keys: Set<string> } {
    let group = this.#groups.get(integrationId);
    if (group === undefined) {
      const listed = this.directory.testGroup(integrationId);
      group = { listed, keys: new Set(listed.map(nocaseKey)) };
      this.#groups.set(integrationId, group);
    }
    return group;
  }
}

/** SQLite's NOCASE: ASCII upper-case letters as lower case, everything else as is. */
function nocaseKey(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
