/**
 * Turns what an admin types into an FTS5 MATCH expression over `devices_fts`, or null when there is nothing to search.
 *
 * The index's unicode61 tokenizer splits on everything that is not a letter or digit, so `ada.lovelace@acme` is three
 * tokens and `aa:bb:cc` is three. Each typed word becomes a phrase of its tokens (they must stand together, in order)
 * with a prefix match on the last one, so search-as-you-type finds `ada.lov` → "ada lovelace…" and a half-pasted MAC.
 * Words are ANDed. Tokens are letters and digits only, so nothing the admin types can inject FTS syntax.
 *
 * A one-character prefix is dropped when other tokens remain (it would expand to a huge share of the index and is
 * about to become two characters), and a query of one character alone searches nothing: the prefix index is of two
 * characters (migrations 0004, 0021).
 */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

export function ftsMatchExpression(text: string): string | null {
  return matchExpression(text);
}

/**
 * A superset of ftsMatchExpression(text) that is cheap to test one row at a time: each phrase's last, prefix-matched
 * token is cut to `indexedPrefix` characters, the longest prefix devices_fts keeps an index of
 * (DeviceSearchIndex.indexedPrefix; nothing is cut when it keeps none). A prefix of that length is one list of rows; a
 * longer one is the union of every term starting with it, which FTS5 builds in full each time it opens the query, so
 * testing one row against it costs as much as listing all its matches. `exact` says whether it is the same expression
 * (nothing was cut), so rows it accepts need no second check. Null when nothing is searched.
 */
export function probeMatchExpression(text: string, indexedPrefix: number): { expression: string; exact: boolean } | null {
  const expression = matchExpression(text, indexedPrefix);
  return expression === null ? null : { expression, exact: expression === ftsMatchExpression(text) };
}

function matchExpression(text: string, cutToIndexedPrefix?: number): string | null {
  const phrases: string[] = [];
  for (const word of text.normalize('NFKC').split(/\s+/)) {
    const tokens = word.match(TOKEN) ?? [];
    if (tokens.length === 0) continue;
    const last = tokens[tokens.length - 1]!;
    if (last.length === 1) {
      tokens.pop();
      if (tokens.length > 0) phrases.push(`"${tokens.join(' ')}"`);
      continue;
    }
    // Cut by code points (Array.from), as the tokenizer counts prefix lengths.
    if (cutToIndexedPrefix !== undefined && cutToIndexedPrefix >= 2) tokens[tokens.length - 1] = Array.from(last).slice(0, cutToIndexedPrefix).join('');
    phrases.push(`"${tokens.join(' ')}"*`);
  }
  return phrases.length === 0 ? null : phrases.join(' AND ');
}
