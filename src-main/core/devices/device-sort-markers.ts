import { quoted } from './device-search-text';

/**
 * Sort markers (migration 0035): tokens of `devices_fts`'s `sorts` column that stand for a device's values of the sort
 * columns with long runs of equal values, so that the sorted keystroke's walk can ask the index whether any device of
 * a run matches the typed text (`text AND marker…`) before testing the run's rows one by one, and step over the run
 * when none does (a third of the users are GDPR-masked `********` and hold no e-mail domain; ANDROID, 45 %, sorts
 * before IOS).
 *
 * A marker is one character, so the index's two-character prefix index keeps no entry of it (FTS5 indexes the prefix
 * of a token only when the token is at least that long): about a byte a device a marker, the rowid's delta in the
 * marker's list (the seven of migration 0035: 163.0 → 171.0 bytes a device of search index at 300,000 devices; the
 * device name's two of 0036: 170 → 170.4 at a million). Its characters are Mathematical Alphanumeric Symbols
 * (U+1D400-U+1D7FF) and Arabic Presentation Forms-A (MARKER_RUNS): letters to unicode61, which keeps each as a token of
 * its own and folds none of them, and characters that what an admin types can never hold, since the search text is
 * NFKC-normalized first (device-search-text.ts), which turns each into a plain letter.
 *
 * A marker stands for a bucket of values, not one value: a device with the same marker as a run may match where the
 * run does not, and then the walk tests the run's rows as before. Never the other way round (every device of a run
 * holds the run's markers), so the rows are those of testing every row. Text values get two markers, their first
 * character and their length (asked together: `********` shares both only with 8-character values starting with `*`),
 * codes and keys one.
 */
interface MarkerFeature {
  /** SQL over a `devices` row aliased `d`: an integer from 0 to size - 1 (NULL values have a bucket of their own). */
  bucket: string;
  size: number;
  /** Which of MARKER_RUNS its characters come from. */
  run: number;
  /** Whether the bucket is the value's first character (firstCharacter). */
  first?: true;
}

/**
 * Code point runs with no unassigned or non-letter code point in them (the Mathematical block's holes are at U+1D455,
 * U+1D49D…, and its Greek part holds symbols such as ∇): a feature takes `size` characters of one run, in MARKED's
 * order, and a marker is the character `base + bucket`.
 */
const MARKER_RUNS: readonly { base: number; size: number }[] = [
  { base: 0x1d552, size: 340 },
  { base: 0x1d400, size: 85 },
  { base: 0x1d456, size: 70 },
  // Arabic Presentation Forms-A (U+FBD3-U+FD3D, migration 0036): letters to unicode61 too, none folded, and each a
  // compatibility form that NFKC turns into plain Arabic letters. The Mathematical block holds no other hole-free run
  // longer than 85 (its Greek letters come in runs of 25 and 31, split by ∇ and ∂), and a first character takes 96.
  { base: 0xfbd3, size: 363 },
];

// Every printable ASCII character its own first-character bucket (32-126 modulo 95 are distinct).
const firstCharacter = (column: string, run: number): MarkerFeature => ({ bucket: `coalesce(unicode(${column}) % 95, 95)`, size: 96, run, first: true });
const textLength = (column: string, run: number): MarkerFeature => ({ bucket: `coalesce(length(${column}) % 39, 39)`, size: 40, run });
const small = (column: string, size: number, run: number): MarkerFeature => ({ bucket: `coalesce(${column} % ${size - 1}, ${size - 1})`, size, run });

/**
 * The marked sort columns and their markers' features: those whose order a long run of one value may lead, none of it
 * matching a common term (masked users and names, one platform, one integration or space), and the device name, whose
 * values start with a person's first name. Serials, identifiers and check-ins are nearly unique, runs of one;
 * compliance and registration state hardly go with a typed term, and their questions (nearly always answered yes) cost
 * 10-15 % more CPU over bench:search's keystrokes in those orders at 300,000 devices. Models are many runs of tens of thousands: `iphon` by model asked about six Android
 * models before the first iPhone, at 2.4-4.6 ms of CPU each, and the page cost more than listing every match.
 */
// By the `devices` column a sort order sorts by (SortedColumn, device-selection.ts, which imports the search index
// that imports this: named here as text).
const MARKED: readonly [string, MarkerFeature[]][] = [
  ['uid', [firstCharacter('d.uid', 0), textLength('d.uid', 1)]],
  ['display_name', [firstCharacter('d.display_name', 0), textLength('d.display_name', 1)]],
  // The folded name (migrations 0011, 0033) the name order sorts by: a person's first name leads it (`tim's pixel 8`),
  // ~90,000 devices of seven names each at a million, which a typed first name (`gr`) rarely matches. By its first
  // character alone the walk asks about every name that starts with it (DeviceRepository, FIRST_CHARACTER_MARKED).
  ['device_name_key', [firstCharacter('d.device_name_key', 3), textLength('d.device_name_key', 3)]],
  // By their codes (migration 0028): a value Ivanti does not document shares code 0 with the other such values.
  ['platform_type', [small('d.platform_code', 8, 0)]],
  ['integration_key', [small('d.integration_key', 140, 0)]],
  // The space's name is what the order sorts by; its key (device_space_names, migration 0019) names it one to one.
  ['space_name', [small('d.space_key', 70, 2)]],
];

/**
 * The marked sort columns whose first marker is their value's first character: the devices whose value starts with one
 * character all hold that marker, so a "no" for it holds for each of them (DeviceRepository asks by it about a run of
 * the folded device name's values that start with one character).
 */
export const FIRST_CHARACTER_MARKED: ReadonlySet<string> = new Set(MARKED.filter(([, features]) => features[0]?.first === true).map(([column]) => column));

/** Each marked column's markers as SQL over `d`: the code point of each of its characters. */
const CODE_POINTS: ReadonlyMap<string, string[]> = (() => {
  const used = MARKER_RUNS.map(() => 0);
  return new Map(
    MARKED.map(([column, features]) => [
      column,
      features.map(({ bucket, size, run }) => {
        const at = MARKER_RUNS[run]!.base + used[run]!;
        used[run]! += size;
        if (used[run]! > MARKER_RUNS[run]!.size) throw new Error(`The sort markers need more characters than run ${run} holds.`);
        return `${at} + ${bucket}`;
      }),
    ]),
  );
})();

/**
 * The `sorts` column's text for a `devices` row aliased `d`: every marker of the device, separated by spaces (what the
 * search index's catch-up writes, DeviceSearchIndex).
 */
export const SORT_MARKERS_SQL = markerCharacters([...CODE_POINTS.values()].flat());

/** The markers of a row's value of `column`, as SQL over `d` giving their characters, space-separated; null when the column has none. */
export function sortMarkersOf(column: string): string | null {
  const points = CODE_POINTS.get(column);
  return points === undefined ? null : markerCharacters(points);
}

/** SQL giving the characters of `points` (CODE_POINTS' expressions), separated by spaces. */
function markerCharacters(points: readonly string[]): string {
  return `char(${points.join(', 32, ')})`;
}

/**
 * The sort indexes' filter columns (device-selection.ts) with markers of their own, and the marked sort column whose
 * markers they are (the space's markers are its key's, the platform's its code's): the walk asks about a run of equal
 * sort value and filter columns by them too.
 */
const MARKED_FILTER_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['integration_key', 'integration_key'],
  ['space_key', 'space_name'],
  ['platform_code', 'platform_type'],
]);

/** The markers of a row's value of the sort indexes' filter column `column`, as sortMarkersOf gives them; null when it has none. */
export function filterMarkersOf(column: string): string | null {
  const sorted = MARKED_FILTER_COLUMNS.get(column);
  return sorted === undefined ? null : sortMarkersOf(sorted);
}

/** An FTS5 MATCH expression of the devices that match `match` and hold every one of `markers` (sortMarkersOf's text, or index tokens), space-separated. */
export function withSortMarkers(match: string, markers: string): string {
  return [`(${match})`, ...markers.split(' ').map(quoted)].join(' AND ');
}

/** Every character a marker may be (for tests: each must stay a token of its own that typed text cannot hold). */
export function sortMarkerCharacters(): string[] {
  return MARKER_RUNS.flatMap(({ base, size }) => Array.from({ length: size }, (_, i) => String.fromCodePoint(base + i)));
}
