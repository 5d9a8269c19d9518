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
