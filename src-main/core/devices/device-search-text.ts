/**
 * Turns what an admin types into an FTS5 MATCH expression over `devices_fts`, or null when there is nothing to search.
 *
 * The index's unicode61 tokenizer splits on everything that is not a letter or digit, so `ada.lovelace@acme` is three
 * tokens and `aa:bb:cc` is three. Each typed word becomes a phrase of its tokens (they must stand together, in order)
 * with a prefix match on the last one, so search-as-you-type finds `ada.lov` → "ada lovelace…" and a half-pasted MAC.
 * Words are ANDed. Tokens are letters and digits only, so nothing the admin types can inject FTS syntax.
 *
 * A one-character prefix is dropped when other tokens remain (it would expand to a huge share of the index and is
 * about to become two characters), and a query of one character alone searches nothing: the prefix indexes start at
 * two characters (migration 0004).
 */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

export function ftsMatchExpression(text: string): string | null {
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
    phrases.push(`"${tokens.join(' ')}"*`);
  }
  return phrases.length === 0 ? null : phrases.join(' AND ');
}

