import { describe, expect, it } from 'vitest';
import { devicesTextTokens, ftsMatchExpression, searchWords } from '../../../src-main/core/devices/device-search-text';
import { sortMarkerCharacters } from '../../../src-main/core/devices/device-sort-markers';

describe('sort markers (migration 0035)', () => {
  const markers = sortMarkerCharacters();

  it('are each a token of its own, as the search index tokenizes them', () => {
    expect(markers.length).toBe(858);
    expect(new Set(markers).size).toBe(markers.length);
    // Tokenized by SQLite's own unicode61 (the text is not ASCII): a letter, folded to nothing else, split from its neighbours.
    expect(devicesTextTokens(markers.join(' '))).toEqual(markers);
  });

  it('can never be typed: the search text turns each into something else before it is tokenized', () => {
    for (const marker of markers) {
      for (const typed of [marker, `${marker}${marker}`, `ada${marker}`, `"${marker}"`]) {
        const expression = ftsMatchExpression(typed) ?? '';
        expect(expression.includes(marker), `${JSON.stringify(typed)} → ${expression}`).toBe(false);
        expect(searchWords(typed).flatMap((w) => w.tokens).some((token) => token.includes(marker))).toBe(false);
      }
    }
  });
});
