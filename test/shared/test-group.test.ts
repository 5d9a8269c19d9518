import { describe, expect, it } from 'vitest';
import { chosenDuoGroup, duoGroupMatching, duoMembersChanged, parseTestGroup, testGroupFromDuo } from '../../src-shared/domain/test-group';

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

describe('the Duo group a saved test group came from', () => {
  const renamed = { groupId: 'DG1', name: 'Pilot (renamed in Duo)', members: [{ userId: 'U1', username: 'alice' }, { userId: 'U9', username: 'zoe' }] };
  const sameMembers = { groupId: 'DG2', name: 'Another group', members: [{ userId: 'U1', username: 'alice' }] };

  it('is found by the Duo group id recorded, even renamed and with other members than saved', () => {
    expect(chosenDuoGroup([sameMembers, renamed], { testGroup: ['alice'], duoGroup: { groupId: 'DG1' } })).toBe(renamed);
  });

  it('is none when the recorded group is no longer in the read, never another group with the same members', () => {
    expect(chosenDuoGroup([sameMembers], { testGroup: ['alice'], duoGroup: { groupId: 'DG1' } })).toBeNull();
  });

  it('falls back to matching the members for a test group saved before the id was kept', () => {
    expect(chosenDuoGroup([renamed, sameMembers], { testGroup: ['ALICE'], duoGroup: null })).toBe(sameMembers);
  });

  it("says when Duo's members of the group differ from the saved test group", () => {
    expect(duoMembersChanged(renamed, ['alice'])).toBe(true);
    expect(duoMembersChanged(renamed, ['Zoe', 'alice'])).toBe(false);
  });
});
