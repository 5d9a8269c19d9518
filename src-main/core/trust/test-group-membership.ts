import type { DuoUserNames } from '../duo/duo-store';
import { nameKey } from '../duo/name-key';
import type { IntegrationDirectory } from '../integrations/integration-store';

/**
 * Who is in an integration's test group, the one rule the verifier, the Trust column and the explorer's Trust filter
 * use (README, "How the console decides"). Duo resolves a sign-in name to its user (username, alias, email) before it
 * looks at the group, so a user is in the group when the name as given is listed, or any name Duo knows the same user
 * by is (from the last read of Duo's users; without one, the name as given only). Names compare by nameKey, as Duo's
 * users do and as the Trust filter's SQL does.
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
    if (keys.has(nameKey(user))) return true;
    return (this.duo?.namesOf(user) ?? []).some((name) => keys.has(nameKey(name)));
  }

  /**
   * The nameKey of every name `includes` counts in, for SQL (nameKeyIn, precomputed once per query): the keys of the
   * listed names and of every name of a Duo user with a listed name, kept when `includes` says so. Whether a name is
   * a member depends on its key only (Duo's users are looked up by it), so a name is a member exactly when its key is
   * in this list.
   */
  memberKeys(integrationId: string): string[] {
    const { listed } = this.#group(integrationId);
    const candidates = [...listed, ...(this.duo?.namesOfUsersNamed(listed) ?? [])].map(nameKey);
    return [...new Set(candidates)].filter((key) => this.includes(integrationId, key));
  }

  #group(integrationId: string): { listed: string[]; keys: Set<string> } {
    let group = this.#groups.get(integrationId);
    if (group === undefined) {
      const listed = this.directory.testGroup(integrationId);
      group = { listed, keys: new Set(listed.map(nameKey)) };
      this.#groups.set(integrationId, group);
    }
    return group;
  }
}
