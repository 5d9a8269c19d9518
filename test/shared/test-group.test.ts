import { describe, expect, it } from 'vitest';
import { parseTestGroup } from '../../src-shared/domain/test-group';

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
