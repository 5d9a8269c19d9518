import { describe, expect, it } from 'vitest';
import { duoGroupMatching, parseTestGroup, testGroupFromDuo } from '../../src-shared/domain/test-group';

describe('the test group typed one username per line', () => {
  it('keeps a line with inner spaces whole and flags it, never splitting it', () => {
    const parsed = parseTestGroup('bad user name!\nada');
    expect(parsed.members).toEqual(['bad user name!', 'ada']);
    expect(parsed.withInnerSpaces).toEqual(['bad user name!']);
  });

  it('trims each line, skips blank lines and zero-width characters, and reports duplicates instead of dropping them silently', () => {
    const parsed = parseTestGroup('  ada \n\n\u200Bgrace\r\nADA\ngrace\n');
    expect(parsed.members).toEqual(['ada', 'grace']);
    expect(parsed.duplicates).toEqual(['ada', 'grace']);
    expect(parsed.withInnerSpaces).toEqual([]);
  });

  it('does not split on commas or semicolons either', () => {
    expect(parseTestGroup('ada,grace;alan').members).toEqual(['ada,grace;alan']);
  });
});

describe('a test group chosen from Duo', () => {
  const pilot = {
    groupId: 'DG1',
    members: [
      { userId: 'U1', username: 'alice' },
      { userId: 'U2', username: null },
      { userId: 'U3', username: 'Bob' },
    ],
  };

  it("takes Duo's usernames and counts a member without one instead of dropping it silently", () => {
    expect(testGroupFromDuo(pilot)).toEqual({ members: ['alice', 'Bob'], withoutUsername: 1 });
  });

  it('recognises the Duo group a saved test group came from, whatever the case, and no group for other members', () => {
    const other = { groupId: 'DG2', members: [{ userId: 'U1', username: 'alice' }] };
    expect(duoGroupMatching([other, pilot], ['bob', 'alice'])?.groupId).toBe('DG1');
    expect(duoGroupMatching([other, pilot], ['alice', 'carol'])).toBeNull();
    expect(duoGroupMatching([other, pilot], [])).toBeNull();
  });
});
