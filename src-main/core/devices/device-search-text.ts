import Database from 'better-sqlite3';
import { sqliteBindingOption } from '../db/sqlite-binding';

/**
 * Turns what an admin types into an FTS5 MATCH expression over `devices_fts`, or null when there is nothing to search.
 *
 * The index's unicode61 tokenizer splits on everything that is not a letter or digit, so `ada.lovelace@acme` is three
 * tokens and `aa:bb:cc` is three. Each typed word is a phrase of its tokens (they must stand together, in order) with
 * a prefix match on the last one, so search-as-you-type finds `ada.lov` → "ada lovelace…" and a half-pasted MAC.
 * Words are ANDed. The words' tokens are SQLite's own (devicesTextTokens), quoted, so nothing the admin types can
 * inject FTS syntax.
 *
 * Since migration 0025 the index keeps no token positions (`detail = none`, 187 of 354 bytes a device), so it cannot
 * test a phrase: the MATCH expression asks for every token of every word (a superset), and a word of several tokens is
 * also tested on the device's own text (searchPhrases, the SQL function registerPhraseCheck adds).
 *
 * A one-character prefix is dropped when other tokens remain (it would expand to a huge share of the index and is
 * about to become two characters), and a query of one character alone searches nothing: the prefix index is of two
 * characters (migrations 0004, 0021).
 */
export function ftsMatchExpression(text: string, termsOfPrefix?: TermsOfPrefix): string | null {
  return matchExpression(wordsOf(text), termsOfPrefix);
}

/**
 * The index's terms a typed prefix stands for, to ask it as those terms (`("acme" OR "acmecorp")` for `acm`), or null to
 * leave it to FTS5's prefix query (DeviceSearchIndex.termsOfPrefix): the same rows either way.
 */
export type TermsOfPrefix = (prefix: string) => readonly string[] | null;

/** A typed word of several tokens: they must stand together, in order, in one indexed column; the last is a prefix. */
export interface SearchPhrase {
  tokens: string[];
  prefix: boolean;
}

/** The typed words of several tokens, which the index alone cannot tell (see ftsMatchExpression); empty when none. */
export function searchPhrases(text: string): SearchPhrase[] {
  return wordsOf(text).filter((w) => w.tokens.length > 1);
}

/** Every typed word, as the text check (PHRASE_CHECK) takes them: a device matches when each stands in one of its columns. */
export function searchWords(text: string): SearchPhrase[] {
  return wordsOf(text);
}

/**
 * A MATCH expression of every device ftsMatchExpression's matches and maybe others: each prefix `termsOfPrefix` gives
 * no terms for (FTS5's prefix query) asked as its first `length` characters, which the prefix index answers from one
 * list already merged (migration 0021), where the longer prefix's terms are merged at each use. What a question whose
 * "no" must be right, and whose "yes" may be wrong, can ask cheaply.
 */
export function widenedMatchExpression(text: string, termsOfPrefix: TermsOfPrefix, length: number): string | null {
  return matchExpression(wordsOf(text), termsOfPrefix, length);
}

/** A token as an FTS5 string in a MATCH expression (double quotes, each inner one doubled). */
export function quoted(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

function matchExpression(words: readonly SearchPhrase[], termsOfPrefix?: TermsOfPrefix, widenedTo?: number): string | null {
  const asPrefix = (token: string) => {
    const terms = termsOfPrefix?.(token);
    if (terms === null && widenedTo !== undefined) return `${quoted(Array.from(token).slice(0, widenedTo).join(''))}*`;
    if (terms === undefined || terms === null || terms.length === 0) return `${quoted(token)}*`;
    return terms.length === 1 ? quoted(terms[0]!) : `(${terms.map(quoted).join(' OR ')})`;
  };
  const terms = words.flatMap(({ tokens, prefix }) => tokens.map((token, i) => (prefix && i === tokens.length - 1 ? asPrefix(token) : quoted(token))));
  return terms.length === 0 ? null : terms.join(' AND ');
}

function wordsOf(text: string): SearchPhrase[] {
  const words: SearchPhrase[] = [];
  for (const word of text.normalize('NFKC').split(/\s+/)) {
    const tokens = devicesTextTokens(word);
    if (tokens.length === 0) continue;
    if (Array.from(tokens[tokens.length - 1]!).length === 1) {
      tokens.pop();
      if (tokens.length > 0) words.push({ tokens, prefix: false });
      continue;
    }
    words.push({ tokens, prefix: true });
  }
  return words;
}

/** devices_fts's tokenizer (migration 0004). */
export const DEVICES_TEXT_TOKENIZER = 'unicode61 remove_diacritics 2';

/** Text of ASCII characters only: unicode61 splits it on everything but [0-9A-Za-z] and folds it to lower case. */
const ASCII = /^[\0-\x7f]*$/;
const ASCII_TOKEN = /[0-9a-z]+/g;
const FOLDED_CACHE_LIMIT = 10_000;
const folded = new Map<string, string[]>();
let tokenizer: { tokenize: (text: string) => string[] } | null = null;

/**
 * The tokens devices_fts makes of `text`, in order, as it folds them (lower case, diacritics removed). Other text than
 * ASCII is tokenized by SQLite itself, in a private in-memory connection (a phrase check runs inside a statement of the
 * main one, which cannot run another), so what a phrase is tested against is exactly what the index holds.
 */
export function devicesTextTokens(text: string): string[] {
  if (ASCII.test(text)) return text.toLowerCase().match(ASCII_TOKEN) ?? [];
  const cached = folded.get(text);
  if (cached !== undefined) return [...cached];
  tokenizer ??= sqliteTokenizer();
  const tokens = tokenizer.tokenize(text);
  if (folded.size >= FOLDED_CACHE_LIMIT) folded.clear();
  folded.set(text, tokens);
  return [...tokens];
}

function sqliteTokenizer(): { tokenize: (text: string) => string[] } {
  const db = new Database(':memory:', sqliteBindingOption());
  db.exec(`
    CREATE VIRTUAL TABLE text USING fts5(x, tokenize = '${DEVICES_TEXT_TOKENIZER}');
    CREATE VIRTUAL TABLE tokens USING fts5vocab(text, 'instance');
  `);
  const put = db.prepare('INSERT INTO text (rowid, x) VALUES (1, ?)');
  const read = db.prepare('SELECT term FROM tokens ORDER BY offset').pluck();
  const clear = db.prepare('DELETE FROM text');
  return {
    tokenize: db.transaction((text: string) => {
      put.run(text);
      const tokens = read.all() as string[];
      clear.run();
      return tokens;
    }),
  };
}

/** The SQL function that tests a row's indexed text against the typed words of several tokens (registerPhraseCheck). */
export const PHRASE_CHECK = 'devices_text_has_phrases';

/**
 * Registers PHRASE_CHECK(phrases, column texts…) on a connection: every connection that may run a device selection
 * (device-selection.ts). `phrases` is searchPhrases' output as JSON; each must stand, in order, within one column's
 * text, its last token a prefix when `prefix`. About 2 µs a row of ASCII text, paid only by rows the index matched.
 */
export function registerPhraseCheck(db: Database.Database): void {
  // A statement passes the same phrases for every row it tests: parsed once, not once a row.
  let parsed: { json: string; wanted: SearchPhrase[] } | null = null;
  db.function(PHRASE_CHECK, { deterministic: true, varargs: true }, (phrases: unknown, ...columns: unknown[]) => {
    const json = String(phrases);
    if (parsed?.json !== json) parsed = { json, wanted: JSON.parse(json) as SearchPhrase[] };
    const { wanted } = parsed;
    // A column is tokenized only when a phrase may stand in it: an ASCII text's tokens are pieces of its lower-cased
    // self, so one that lacks a token of the phrase holds none of it. Most rows a sorted walk tests match nothing
    // (`ac` by compliance descending: 3.5 % of the GDPR-masked users' devices), and tokenizing every column of them cost
    // most of the check.
    // Per column, once a row: its lower-cased text when ASCII (null when not), and its tokens.
    const lowered: (string | null | undefined)[] = [];
    const tokens: (string[] | undefined)[] = [];
    const mayStandIn = (phrase: SearchPhrase, text: string, i: number) => {
      const lower = (lowered[i] ??= ASCII.test(text) ? text.toLowerCase() : null);
      return lower === null || phrase.tokens.every((token) => lower.includes(token));
    };
    return wanted.every((phrase) =>
      columns.some((c, i) => typeof c === 'string' && mayStandIn(phrase, c, i) && standsIn(phrase, (tokens[i] ??= devicesTextTokens(c)))),
    )
      ? 1
      : 0;
  });
}

function standsIn({ tokens: wanted, prefix }: SearchPhrase, tokens: readonly string[]): boolean {
  const last = wanted.length - 1;
  for (let start = 0; start + last < tokens.length; start++) {
    let i = 0;
    while (i < last && tokens[start + i] === wanted[i]) i++;
    if (i === last && (prefix ? tokens[start + last]!.startsWith(wanted[last]!) : tokens[start + last] === wanted[last])) return true;
  }
  return false;
}
