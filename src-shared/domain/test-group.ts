/**
 * The test group typed without a Duo connection: one username per line. A line is never split (a name with inner
 * spaces is kept whole and flagged, since Duo usernames rarely have spaces and a paste may have joined two), and
 * nothing is dropped silently: repeated names are kept once and reported.
 */
export interface ParsedTestGroup {
  /** Trimmed, non-empty lines, first occurrence of each (compared without regard to case). */
  members: string[];
  /** Members with a space inside: kept whole, shown to the admin to check. */
  withInnerSpaces: string[];
  /** Names that appeared more than once (as first written), each listed once. */
  duplicates: string[];
}

export function parseTestGroup(text: string): ParsedTestGroup {
  const members: string[] = [];
  const seen = new Map<string, string>();
  const duplicates = new Set<string>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const name = line.replace(/[\u200B-\u200D\u2060\uFEFF]/g, '').trim();
    if (name === '') continue;
    const key = name.toLowerCase();
    if (seen.has(key)) {
      duplicates.add(seen.get(key)!);
      continue;
    }
    seen.set(key, name);
    members.push(name);
  }
  return { members, withInnerSpaces: members.filter((m) => /\s/.test(m)), duplicates: [...duplicates] };
}

/** The members of a Duo group as a test group: Duo usernames, read from Duo; a member our copy has no username for is counted, never dropped silently. */
export function testGroupFromDuo(group: { members: { userId: string; username: string | null }[] }): { members: string[]; withoutUsername: number } {
  const members = parseTestGroup(group.members.flatMap((m) => (m.username ? [m.username] : [])).join('\n')).members;
  return { members, withoutUsername: group.members.filter((m) => !m.username).length };
}

/** The Duo group whose members are exactly this test group (so an editor shows the group chosen earlier), if any. */
export function duoGroupMatching<G extends { members: { userId: string; username: string | null }[] }>(groups: G[], testGroup: string[]): G | null {
  if (testGroup.length === 0) return null;
  const wanted = [...new Set(testGroup.map((u) => u.toLowerCase()))].sort().join('\n');
  return groups.find((g) => [...new Set(testGroupFromDuo(g).members.map((u) => u.toLowerCase()))].sort().join('\n') === wanted) ?? null;
}

/**
 * The Duo group a saved test group was chosen from. By Duo's group id when it was recorded, so a group renamed in Duo
 * still matches; a test group saved before the id was kept is recognised by its members.
 */
export function chosenDuoGroup<G extends { groupId: string; members: { userId: string; username: string | null }[] }>(
  groups: G[],
  saved: { testGroup: string[]; duoGroup: { groupId: string } | null | undefined },
): G | null {
  if (saved.duoGroup) return groups.find((g) => g.groupId === saved.duoGroup!.groupId) ?? null;
  return duoGroupMatching(groups, saved.testGroup);
}

/** Whether the group's members in the last read from Duo differ from the test group saved here (Duo changed since). */
export function duoMembersChanged(group: { members: { userId: string; username: string | null }[] }, saved: string[]): boolean {
  const key = (names: string[]) => [...new Set(names.map((u) => u.toLowerCase()))].sort().join('\n');
  return key(testGroupFromDuo(group).members) !== key(saved);
}
