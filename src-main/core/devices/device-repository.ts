import {
  CHECKIN_AGES,
  type CheckinAge,
  type Compliance,
  type DeviceDetail,
  type DeviceFacets,
  type DeviceHistoryEntry,
  type DeviceQuery,
  type DeviceRow,
  type DeviceSort,
  type FacetCount,
} from '../../../src-shared/domain/device';
import type { DeviceChange, DeviceChangeKind, DeviceChangePage } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import { DeferredIndexes } from '../db/deferred-indexes';
import { DEVICE_COLUMNS, type DeviceColumns } from '../sync/device-row';
import { DeviceRecordCodec, type BlockReader, type StoredRecordRow } from '../sync/device-record-codec';
import { sightingExists, sightingLastSeenAtSql, sightingLastSeenRunSql } from '../sync/device-store';
import { OTHER_VALUE, PLATFORM, REGISTRATION_STATE, valueOfCode, type CodedColumn } from './device-codes';
import { INDEXED_WHOLE, prefixTermsEnd, type DeviceSearchIndex } from './device-search-index';
import { devicesTextTokens, ftsMatchExpression, quoted, searchPhrases, widenedMatchExpression } from './device-search-text';
import { filterMarkersOf, FIRST_CHARACTER_MARKED, sortMarkersOf, withSortMarkers } from './device-sort-markers';
import { checkinAgeCondition, orderDevices, selectDevices, SORT_COLUMNS, sortIndexColumns, sortIndexName, sortIndexSeek, type DeviceSelection, type SelectionContext, type SortedColumn } from './device-selection';
import type { SqlCondition } from './sql-condition';
import { COVERED_PLATFORM_TYPE } from '../integrations/device-inventory';
import { integrationIdOfKeySql, IntegrationStore, type IntegrationDirectory } from '../integrations/integration-store';
import { UnchangedDataCache } from './unchanged-data-cache';
import { trustConditions, type SightingTest, type TrustConditions } from './trusted-device-filter';
import { alsoCoveredCondition, coveringIntegrations, integrationFilter, soleListingKey, type CoverageSql } from './device-coverage';
import type { IntegrationFacts } from '../integrations/integration-store';

/** The explorer's page size; the contract allows up to 500 for callers that want fewer round trips. */
export const PAGE_SIZE = 100;
/**
 * What testing one row's text costs (DeviceSearchIndex.matchingAmong: the row read and its text tested) over what
 * listing one match into the set a membership test reads costs: 6 µs against 0.10 µs of CPU at 100,000 devices (issue
 * 19, load 12). It was 190 with a lookup in the full-text index per row (27.8 µs against 0.14 µs at 1,000,000), which
 * without positions (migration 0025) cost 15-170 µs at 100,000.
 */
const PROBE_COST_RATIO = 60;
/** Rows the first probing batch tests: enough to tell a common term from a rare one. */
const PROBE_SAMPLE = 12;
/** The most rows the walk tests at once (DeviceSearchIndex.matchingAmong): its batches double, and its page may fill early in one. */
const PROBE_SLICE = 128;
/**
 * Rows a walk tests before it hands over a text whose listing costs more than testing them, and the matches it must find
 * among them to project its page from them: 192 rows hold 3 of a 3.5 % term 96 % of the time.
 */
const WIDE_SAMPLE = 192;
const WIDE_FOUND = 3;
/**
 * How much further than its budget the walk goes, and how many rows it tests before it may hand a page over early, when
 * the typed prefix is one FTS5 merges before its first row: handing it over costs that merge (16 ms of CPU for `lov`,
 * `hop`, `tur` at a million devices; #listedPage merges it once, DeviceSearchIndex.matchSet) where testing a row costs
 * 6 µs. A term of 6.7 % of devices (a family name) found none in 12 rows 43 % of the time (0.933^12) and was handed
 * over at once. At a million devices, CPU, median of three (load 6-9), when the plan's count and the listing each
 * merged: by integration `hop`…`hopper`, `lov`…, `tur`… 43-66 → 13-16 ms, `ada` 40 → 28; by last check-in (newest
 * first) 43-53 → 13-27; by platform, compliance, registration state, space, serial number 43-46 → 11-15. With the
 * merge once (load 6): by integration max 46 → 26, platform 30 → 17, last check-in 30 → 22; uid +1-3 ms (masked
 * users lead, and the walk hands over after 96 rows instead of 12).
 */
const MERGED_REACH = 3;
const MERGED_SAMPLE = 8 * PROBE_SAMPLE;
/**
 * The rows of equal sort value a walk's batch must hold before the walk asks the index whether any device of the run
 * matches (by the run's sort markers, migration 0035) instead of testing them.
 */
const MARKED_RUN = 8;
/**
 * The most runs a page asks about. A question the index answers no to reads the term's and the markers' lists through
 * (2.4-4.6 ms of CPU for `iphone` and the markers of a run of ~33,000 at 300,000 devices), a tenth to a fifth of
 * listing every match: worth it for the few long runs that lead an order (masked users, one platform), not for every
 * value of a column of many.
 */
const MARKER_QUESTIONS = 3;
/**
 * The most runs of one folded device name a page asks about (MARKER_QUESTIONS elsewhere): a person's names come one
 * after the other, each ~1 % of devices at a million, and `pixel` by name ascending meets Ada's Galaxies, iPad, iPhones
 * and moto before her Pixel. With five, `pi` 29.9-30.2 → 25.8-26.5 ms of CPU and `mot` 26.0-28.6 → 26.1-26.2 (median of
 * five, load 3-4.5); with two, `pi` 30 → 40 and `mo` 20 → 30.
 */
const NAME_QUESTIONS = 5;
/**
 * The most questions a page asks about runs by the first token of their value (an order without markers whose values
 * the index holds whole: the model). A model's run is tens of thousands of devices and a model's first word is shared
 * by few others (`Galaxy A54 5G`, `Galaxy S23`): at a million devices `mo` asks six that answer no (`galaxy`, `pixel`,
 * `unknown`, `windows`, `ipad`, `iphone`: 3-10 ms of CPU each) before the `moto` run answers yes, where listing
 * every match walked the 880,000 entries before it (160-170 ms).
 */
const TOKEN_QUESTIONS = 8;
/**
 * The text's first matches whose models the walk reads before it asks about models together (#probedPage): a model
 * one of them has holds a match, and asked about with the models before it, the question would answer yes.
 */
const FIRST_MATCHES = 16;
/**
 * When the text has a prefix FTS5 merges, the share of current devices a run of equal sort values must hold for the
 * walk to ask about it. Past the walk, the listing tests each entry against the text's matches
 * (DeviceSearchIndex.matchSet) at ~60 ns; a question's "no" reads the run's markers' lists through, which hold at least
 * the run and often far more (5-9 ms of CPU for `tu*` and the markers of a run at a million devices). So it pays for the
 * GDPR-masked users (333,333, a third), not for a display name's ~6,700 (`Ada Berners-Lee`, whose first character and
 * length ~130,000 others share): `tur` by display name asked about three such runs, 47 against 40 ms. Finding a run
 * that long reads at most that many entries (20,000: ~0.7 ms).
 */
const LONG_RUN_SHARE = 0.02;
/**
 * The share of current devices whose sort value must start with a prefix for the walk to ask about the run of them
 * (#probedPage, by the value's prefix). By identifier descending the Windows phones' `wp-…` (12,127 at a million
 * devices, 1.2 %) lead the order, and `ip` was handed over to a listing of its 400,000 matches after 12 rows of them
 * (41-46 ms of CPU; asked `("ip"*) AND "wp"*`, no at 3 ms: 20 ms). A prefix of two hexadecimal digits (the other
 * identifiers) holds ~0.34 %. At 2 % the uid, display name and serial number orders asked the same questions: their
 * keystrokes cost the same at 1 % within noise (sums of medians over 46 keystrokes, two interleaved rounds, load 9).
 */
const PREFIX_RUN_SHARE = 0.01;
/**
 * The most questions a page asks about runs of values that start with the same characters (#probedPage, by the value's
 * prefix). Serial numbers, uids and display names are nearly unique, so no run of one value is there to ask about,
 * but a vendor's serials or a first name's uids share their first characters: by serial number descending `ip` (iOS
 * devices only) meets ~300,000 Android serials `R5…` and ~80,000 Windows serials `PF…` before the first iOS one
 * `F…Q`, and by uid descending `gr` the uids of five first names (`tim.`, `radia.`, …, ~67,000 each) before Grace's.
 */
const PREFIX_QUESTIONS = 8;
/**
 * The most questions a page asks about single filter columns' markers (an integration, a space, a platform): each is
 * asked once a page and answers every run of that marker, so `ip` (iOS devices only) asks its three at most before the
 * first iOS device of an order (the first integration and space answer yes at ~0.1 ms; `ip` and Android, no, at 4-9
 * ms of CPU at a million devices).
 */
const FILTER_QUESTIONS = 6;
/**
 * How many candidates of a text's superset a listing tests for each match it needs before it lists the text's exact
 * matches instead (#listedExactly), and how many more: a superset of twice the text's density costs its tests (~10-20
 * µs of CPU each, 300 for a first page: 3-6 ms) where the exact list costs the merge (16-20 ms for `tur*`).
 */
const CANDIDATES_PER_MATCH = 2;
/**
 * The candidates of an unsorted page's superset tested first (#listedBySuperset): `lovelace1` is ~1 in 10 of `lo*`'s
 * first candidates, and testing all 300 before listing it anyway cost 3.5 -> 7 ms; 64 tell it for ~0.7 ms.
 */
const SUPERSET_SAMPLE = 64;
const CANDIDATE_SLACK = 100;
/** The share of the id span a walk counts a text's matches in to estimate them all (#probesWorthListing): an eighth. */
const COUNT_SAMPLE = 8;
/**
 * The sort columns that hold a column the index holds whole (INDEXED_WHOLE) trimmed and lower-cased: the identifier's
 * key (normalizeDeviceIdentifier, migration 0034). Its leading ASCII letters and digits are those of the identifier's
 * first token as the tokenizer folds them: what trimming removes is a separator to unicode61, and the two characters
 * JavaScript lower-cases to ASCII letters (U+212A KELVIN SIGN to `k`, U+0130 to `i` and a combining dot) unicode61
 * folds to the same letters (checked on FTS5: `"ka"*` matches U+212A `ab`), so the walk may ask about a run of them by
 * their shared prefix as it asks about serial numbers (#probedPage).
 */
const FOLDED_WHOLE: ReadonlySet<SortedColumn> = new Set(['identifier_key']);
/** The drawer shows this much history; the rest is in the audit's per-run diffs and exports. */
const HISTORY_LIMIT = 200;

/** Stored for the drawer, the raw view or the sync itself (the keys' overrides are read as the keys): a DeviceRow leaves them out. */
const NOT_IN_ROW = ['ivanti_id', 'quarantined', 'jailbroken', 'raw_record', 'record_block', 'record_hash', 'identifier_key_override', 'device_name_key_override'] as const satisfies readonly (keyof DeviceColumns)[];
type RowColumn = Exclude<keyof DeviceColumns, (typeof NOT_IN_ROW)[number]>;

const ROW_FIELDS = [
  'id',
  'integration_id',
  ...DEVICE_COLUMNS.filter((c): c is RowColumn => !(NOT_IN_ROW as readonly string[]).includes(c)),
  'last_seen_at',
  'removed_at',
] as const;

/**
 * When any integration last saw the device: presence lives outside the device row (sightings, migration 0012, and the
 * runs' reads of each space: sightingLastSeenAtSql), so a re-sync that finds a device unchanged writes nothing about it.
 */
const LAST_SEEN_AT = `(SELECT MAX(${sightingLastSeenAtSql('s')}) FROM device_sightings s WHERE s.device_id = d.id) AS last_seen_at`;

/**
 * The sightings that count for coverage (device-coverage.ts): those still seeing the device, or all of them once the
 * device is gone for every integration. Read by primary key (device_id, integration_key).
 */
const COUNTING_SIGHTING = '(s.removed_at IS NULL OR d.removed_at IS NOT NULL)';

/**
 * The integrations with a sighting of `d` that counts, as a JSON array of their ids (a sighting names its integration by
 * key, migration 0032): coveringIntegrations picks those that cover it.
 */
export const SIGHTED_BY = `(SELECT json_group_array(${integrationIdOfKeySql('s.integration_key')}) FROM device_sightings s WHERE s.device_id = d.id AND ${COUNTING_SIGHTING}) AS sighted_by`;

/** The explorer's integration filter and facets: the integration (one parameter, its key) has a sighting of `d` that counts. */
const COVERAGE_SQL: CoverageSql = { sightedBy: sightingExists(`s.integration_key = ? AND ${COUNTING_SIGHTING}`) };

/**
 * The id of the integration the device row `d` is listed under, as `integration_id`: the row names it by its key alone
 * (migration 0039). A lookup in the SELECT list, not a join: see DEVICE_ROW_COLUMNS.
 */
export const LISTED_INTEGRATION_ID = `${integrationIdOfKeySql('d.integration_key')} AS integration_id`;

/**
 * The columns of a DeviceRow over `devices d`. Integration names are added from a map, not a join: with a join,
 * SQLite may put the (tiny) integrations table first and then sort every device.
 */
export const DEVICE_ROW_COLUMNS = [
  ...ROW_FIELDS.map((f) => (f === 'last_seen_at' ? LAST_SEEN_AT : f === 'integration_id' ? LISTED_INTEGRATION_ID : `d.${f}`)),
  SIGHTED_BY,
].join(', ');

/** A `devices` row as stored (schema 2): the sync's columns plus what it tracks about presence. */
export type DeviceRecord = Omit<DeviceColumns, 'record_hash'> & {
  id: number;
  integration_id: string;
  first_seen_at: number;
  last_seen_at: number;
  last_seen_run: number;
  removed_at: number | null;
  removed_run: number | null;
};

export type DeviceRowRecord = Pick<DeviceRecord, (typeof ROW_FIELDS)[number]> & {
  /** JSON array of the integrations with a sighting that counts (SIGHTED_BY). */
  sighted_by: string;
};

/** What Duo's view of a user needs of each of that user's devices. */
export type UserDeviceRecord = Pick<DeviceRecord, 'id' | 'integration_id' | 'guid' | 'client_device_identifier' | 'platform_type' | 'model' | 'udid' | 'registration_state' | 'uid' | 'email' | 'last_checkin'>;

interface HistoryRecord {
  id: number;
  run_id: number;
  kind: DeviceChangeKind;
  fields: string | null;
  at: number;
  trigger: string;
  status: string;
}

interface FacetRecord extends Partial<Record<CheckinAge, number>> {
  /** integrations.key of the integration the devices are listed under (migration 0018). */
  integration_key: number;
  /** By their codes (device-codes.ts), which devices_facets holds. */
  platform_code: number | null;
  state_code: number | null;
  compliant: number | null;
  count: number;
}

/** How a statement selects its devices: the plan selectDevices takes, and how the Trust filter tests sightings. */
type SelectionPlan = Pick<SelectionContext, 'text' | 'indexedBy' | 'walkInOrder' | 'matches' | 'driveMatch' | 'seekByText'> & { sightingTest?: SightingTest };

/** Which recorded changes a change export holds (core/export/change-export.ts resolves runs and fetch groups). */
export interface ChangeExportSelection {
  /** An integration's changes; with `sharedFetches`, also those of the fetches shared with it, for its platform's devices. */
  integration?: { id: string; sharedFetches: { runIds: number[]; platformType: string } | null };
  /** The fetching run whose changes to hold. */
  fetchRunId?: number;
  kind?: DeviceChangeKind;
}

export interface DevicePage {
  offset: number;
  limit: number;
}

/**
 * Reads synced devices for the explorer, the drawer and the charts. Every read first brings the full-text index up to
 * date (a no-op unless devices were written since), so search never misses a device another writer just stored.
 */
export class DeviceRepository {
  constructor(
    private readonly db: Db,
    private readonly index: DeviceSearchIndex,
    private readonly now: () => Date,
    /** PROBE_COST_RATIO unless given: a test gives 1 to see the probing walk on a few thousand devices. */
    private readonly probeCostRatio = PROBE_COST_RATIO,
    /** Names, platforms and status of integrations, from their owner (IntegrationStore). */
    private readonly integrations: IntegrationDirectory = new IntegrationStore(db),
  ) {
    this.#indexes = new DeferredIndexes(db);
    this.#counts = new UnchangedDataCache<number>(db, 200);
    this.#facets = new UnchangedDataCache<DeviceFacets>(db, 20);
    this.#trust = new UnchangedDataCache<TrustConditions>(db, 1);
    this.#prefixTerms = new UnchangedDataCache<readonly string[] | null>(db, 50);
    this.#countTextUpTo = db.prepare('SELECT count(*) FROM (SELECT 1 FROM devices_fts WHERE devices_fts MATCH ? LIMIT ?)').pluck();
    this.#countTextUpToId = db.prepare('SELECT count(*) FROM (SELECT 1 FROM devices_fts WHERE devices_fts MATCH ? AND rowid <= ? LIMIT ?)').pluck();
    this.#textMatchesAny = db.prepare('SELECT 1 FROM devices_fts WHERE devices_fts MATCH ? LIMIT 1').pluck();
    this.#statisticsExist = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").pluck();
    this.#highestDeviceId = db.prepare('SELECT max(id) FROM devices').pluck();
  }

  /** The Trust filter's conditions, decided once while the database is unchanged (they read test groups, Duo's users, stale spaces). */
  #trustConditions(test: SightingTest = 'per-device'): TrustConditions {
    return this.#trust.get(test, () => trustConditions(this.db, this.integrations, test));
  }

  readonly #indexes: DeferredIndexes;
  readonly #counts: UnchangedDataCache<number>;
  readonly #facets: UnchangedDataCache<DeviceFacets>;
  readonly #trust: UnchangedDataCache<TrustConditions>;
  /**
   * The index terms of typed prefixes (DeviceSearchIndex.termsOfPrefix, 1-10 ms at a million devices): a keystroke's
   * count, plan and page each build their selection, and each would list them again.
   */
  readonly #prefixTerms: UnchangedDataCache<readonly string[] | null>;
  // A keystroke plans with these: prepared once, not per keystroke.
  readonly #countTextUpTo: Statement;
  readonly #countTextUpToId: Statement;
  readonly #textMatchesAny: Statement;
  readonly #statisticsExist: Statement;
  readonly #highestDeviceId: Statement;
  /** By sort column: its values of a text's first matches (#valuesOfFirstMatches). */
  readonly #firstMatchesValues = new Map<SortedColumn, Statement>();
  /** Prepared once `sqlite_stat1` exists: the first ANALYZE creates it, and a statement cannot name it before. */
  #analysedCurrentDevices: Statement | undefined;

  /**
   * The present (not removed) devices whose Ivanti `uid` or `emailAddress` is one of `identities`, compared without
   * regard to case, for Duo's view of a user. `uid` is looked up through devices_by_uid (each identity as given and
   * lower-cased); the email, which has no index, only when no uid matched.
   */
  ofUser(identities: readonly string[], limit = 200): UserDeviceRecord[] {
    const names = [...new Set(identities.filter((i) => i.trim() !== '').flatMap((i) => [i, i.toLowerCase()]))];
    if (names.length === 0) return [];
    const marks = names.map(() => '?').join(', ');
    const columns = `d.id, ${LISTED_INTEGRATION_ID}, d.guid, d.client_device_identifier, d.platform_type, d.model, d.udid, d.registration_state, d.uid, d.email, d.last_checkin`;
    const byUid = this.db.prepare(`SELECT ${columns} FROM devices d WHERE d.uid IN (${marks}) AND d.removed_at IS NULL LIMIT ?`).all(...names, limit) as UserDeviceRecord[];
    if (byUid.length > 0) return byUid;
    return this.db.prepare(`SELECT ${columns} FROM devices d WHERE d.email IN (${marks}) COLLATE NOCASE AND d.removed_at IS NULL LIMIT ?`).all(...names, limit) as UserDeviceRecord[];
  }

  /** The SQL selection of a query, for this repository and for exports of the same devices. */
  selection(query: DeviceQuery, plan: SelectionPlan = {}): DeviceSelection {
    this.index.catchUp();
    const now = this.now().getTime();
    const indexedBy = plan.indexedBy === 'NOT INDEXED' || this.#present(plan.indexedBy) ? plan.indexedBy : undefined;
    return selectDevices(query, {
      now,
      trust: () => this.#trustConditions(plan.sightingTest),
      integration: (id, walkInOrder) => integrationFilter(this.integrations.facts(), id, COVERAGE_SQL, walkInOrder),
      termsOfPrefix: (prefix) => this.#termsOfPrefix(prefix),
      ...plan,
      indexedBy,
    });
  }

  /**
   * Whether an index the plan names exists. A bulk load sets the explorer's indexes aside until its end
   * (DeferredIndexes); meanwhile a query naming one with INDEXED BY would fail, so the planner chooses instead: the
   * same rows in the same order (ORDER BY is a total order), only slower.
   */
  #present(index: string | undefined): index is string {
    return index !== undefined && this.#indexes.exists(index);
  }

  /**
   * One page, without waiting for an exact count (the renderer asks `devices.count` apart): typing makes every keystroke
   * a new query, and counting a common term takes longer than serving its page. A cached count is used when there is
   * one; otherwise the plan needs only to know whether the selection holds enough rows (see #plan).
   */
  search(query: DeviceQuery, page: DevicePage): DeviceRow[] {
    this.index.catchUp();
    // Ids first, rows second: skipping to an offset, or sorting, then handles narrow index entries, and only the
    // page's own rows are read from the wide table.
    const probed = this.#probedPage(query, page);
    const ids = Array.isArray(probed) ? probed : this.#listedPage(query, page, probed);
    const records = this.db
      .prepare(`SELECT ${DEVICE_ROW_COLUMNS} FROM devices d WHERE d.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as DeviceRowRecord[];
    const byId = new Map(records.map((r) => [r.id, r]));
    const facts = this.integrations.facts();
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r === undefined ? [] : [toDeviceRow(r, facts)];
    });
  }

  /** `walked`: where a sorted walk handed the page over (#probedPage), which the listing goes on from when it walks too. */
  #listedPage(query: DeviceQuery, page: DevicePage, walked: WalkPosition | null = null): number[] {
    if (query.text !== undefined && query.sort === undefined) {
      const ids = this.#listedBySuperset(query, page);
      if (ids !== null) return ids;
    }
    const key = this.#countKey(query);
    const known = this.#counts.peek(key);
    const { text, sort, ...filters } = query;
    // A sorted text's matches are listed once (DeviceSearchIndex.matchSet), and the listing's walk tests each index
    // entry against them at ~20 ns instead of ~100-170 in SQLite's list of `d.id IN (SELECT rowid …)`: `tur` by uid or
    // display name walks 389,450 entries (the GDPR-masked users, then Ada's nine other family names) before its first
    // match, `gr` by device name 252,000 (Ada's, Alan's and Barbara's devices, then the desktops: 58 → 33-37 ms of CPU
    // at a million devices). A prefix FTS5 merges is so merged once, for the plan's count and the listing, each of which
    // merged it (~16 ms of CPU a time).
    const merged = text !== undefined && sort !== undefined && (query.presence ?? 'current') === 'current' ? this.#matchOf(text) : null;
    // A prefix FTS5 merges is listed by its superset first (#matchOf's question: `tu*`, one list of the prefix index
    // already merged, where `tur*` merges 1,001 terms' lists: 4 against 20 ms of CPU at a million devices), each
    // candidate tested on its own text (#listedExactly).
    // Not when the superset is a prefix of hexadecimal digits (`ad*` for `ada`): identifiers are hex (MAC groups, UUID
    // groups, client ids), so such a prefix holds ~4 % of all devices whatever was typed (`ad*` 127,412 at a million,
    // `ada*` 95,984), and where the text is rare its candidates are identifiers: `ada` by uid or display name
    // descending listed `ad*` (8 ms of CPU) and tested 300 candidates (5 ms) before listing `ada*` anyway (49-54 →
    // 31-33 ms without them, load 8). Where the text is common, listing it costs about what the superset and its tests do.
    const widened = merged !== null && merged.merges && merged.question !== null && !hexPrefixIn(merged.question);
    const matches = merged !== null && merged.match !== null ? this.index.matchSet(widened ? merged.question! : merged.match) : null;
    // Of one-token words alone, the matches (removed devices among them) bound the count from above, as the plan's own
    // count in the FTS table does; the superset's too.
    const bound = matches !== null && onlyText(filters) && searchPhrases(text!).length === 0 ? matches.size : undefined;
    const plan = this.#plan(query, page, known ?? bound);
    // The plan may have learnt the exact count on the way (a bounded count that ran out of matches).
    const total = this.#counts.peek(key);
    if (total !== undefined && (total === 0 || page.offset >= total)) return [];
    const walks = plan.walkInOrder === true;
    // The listing walks the same index in the same order as a walk that handed the page over: it starts where the walk
    // went on after the runs it stepped over, past the matches the walk found there, rather than through those runs
    // again. `lo` by uid at a million devices steps over the 330,000 masked `********` users and hands over 24 rows
    // later (6.7 % of devices match, clustered by name): 63 -> 24 ms of CPU for the keystroke, `tu` 67 -> 28, `ho` 60 -> 21.
    const part = walked !== null && walks ? walked : null;
    const listed = (set: { condition: SqlCondition } | null, exactly: SqlCondition | null): number[] | null => {
      const s = this.selection(query, walks && set !== null ? { ...plan, matches: set.condition } : plan);
      const listPart = (after: SqlCondition | null, skip: number, take: number): number[] | null => {
        const where = after === null ? s.where : `${s.where === '' ? 'WHERE' : `${s.where} AND`} ${after.sql}`;
        const params = after === null ? s.params : [...s.params, ...after.params];
        const from = `FROM ${s.from} ${where} ${orderDevices(query.sort, s.ftsDrives)}`;
        return exactly === null ? (this.db.prepare(`SELECT d.id ${from} LIMIT ? OFFSET ?`).pluck().all(...params, take, skip) as number[]) : this.#listedExactly(from, params, exactly, skip, take);
      };
      if (part === null && walks && text === undefined) {
        // A new filter set's page: the sort index sought to what the filters pin (sortIndexSeek). The same rows in the
        // same order when it finds a page; fewer (the end of the list, or a NULL where it lists values), listed as before.
        const seek = this.#sortIndexSeek(query);
        const ids = seek === null ? null : listPart(seek, page.offset, page.limit);
        if (ids !== null && ids.length === page.limit) return ids;
      }
      if (part === null) return listPart(null, page.offset, page.limit);
      // Part by part (a descending walk's NULLs follow its lower values: as one condition, `< ? OR IS NULL`, SQLite
      // scanned the index from its start). The walk found its `foundInPart` matches in the first part, so a later
      // part is listed from its start: a part that ran out had exactly those matches, or more, all listed.
      const take = page.offset + page.limit - part.found.length;
      const ids: number[] = [];
      for (const [n, after] of part.parts.entries()) {
        const more = listPart(after, n === 0 ? part.foundInPart : 0, take - ids.length);
        if (more === null) return null;
        ids.push(...more);
        if (ids.length >= take) break;
      }
      return [...part.found, ...ids].slice(page.offset, page.offset + page.limit);
    };
    if (widened && walks && matches !== null) {
      const ids = listed(matches, this.index.textCheck(text!));
      if (ids !== null) return ids;
      return listed(this.index.matchSet(merged.match!), null)!;
    }
    return listed(walks ? matches : null, null)!;
  }

  /**
   * An unsorted page of a text with a prefix FTS5 would merge (`lovel`, `hop`, `turi`: the e-mail tokens `lovelace0` to
   * `lovelace999` at a million devices, each term's list merged before the first row, ~16 ms of CPU), in FTS order
   * from the prefix index's superset (`lo*`, one list already merged, read only as far as the page needs), each
   * candidate tested on its own text (#listedExactly); null when the superset is hex digits (#listedPage says why) or
   * holds too few of the text's matches among its first candidates, and the page is listed by the text's own match.
   */
  #listedBySuperset(query: DeviceQuery, page: DevicePage): number[] | null {
    const merged = this.#matchOf(query.text!);
    if (!merged.merges || merged.question === null || hexPrefixIn(merged.question)) return null;
    const s = this.selection(query, { text: 'drive', driveMatch: merged.question });
    return this.#listedExactly(`FROM ${s.from} ${s.where} ${orderDevices(undefined, s.ftsDrives)}`, s.params, this.index.textCheck(query.text!), page.offset, page.limit, SUPERSET_SAMPLE);
  }

  /** sortIndexSeek for a sorted page of filters, while the indexes it seeks and scans exist (DeferredIndexes). */
  #sortIndexSeek(query: DeviceQuery): SqlCondition | null {
    if (query.sort === undefined || query.text !== undefined) return null;
    const column = SORT_COLUMNS[query.sort.column];
    if (!this.#present(sortIndexName(column)) || !this.#present('devices_facets')) return null;
    const integrationKey = query.integrationId === undefined ? undefined : soleListingKey(this.integrations.facts(), query.integrationId);
    return sortIndexSeek(query, column, integrationKey);
  }

  /**
   * The ids `SELECT … ${from}` lists (a listing of a text's superset, DeviceRepository.#listedPage) that pass `exactly`
   * (DeviceSearchIndex.textCheck), `take` of them after the first `skip`; null when the first CANDIDATES_PER_MATCH ×
   * (skip + take) + CANDIDATE_SLACK candidates hold fewer, and the caller lists the exact matches instead. A candidate's
   * test reads its row (~10-20 µs of CPU), so one that the superset holds far more of than the text costs at most
   * that many tests more than listing the exact matches at once. With `sample`, the first `sample` candidates are
   * tested first, and null is returned at once when their share of matches would not fill the page within the cap.
   */
  #listedExactly(from: string, params: readonly unknown[], exactly: SqlCondition, skip: number, take: number, sample?: number): number[] | null {
    const cap = CANDIDATES_PER_MATCH * (skip + take) + CANDIDATE_SLACK;
    const list = this.db.prepare(`SELECT d.id, ${exactly.sql} ${from} LIMIT ? OFFSET ?`).raw();
    let rows: [number, number][] = [];
    const sampled = sample !== undefined && sample < cap;
    if (sampled) {
      rows = list.all(...exactly.params, ...params, sample, 0) as [number, number][];
      const found = rows.filter((row) => row[1] === 1).length;
      if (rows.length === sample && found * cap < sample * (skip + take)) return null;
    }
    // The rest of the candidates, unless the sample was all there are.
    if (!sampled || rows.length === sample) rows.push(...(list.all(...exactly.params, ...params, cap - rows.length, rows.length) as [number, number][]));
    const exact = rows.filter((row) => row[1] === 1).map((row) => row[0]);
    if (exact.length < skip + take && rows.length === cap) return null;
    return exact.slice(skip, skip + take);
  }

  /**
   * The text's FTS5 MATCH expression, its prefixes asked as their terms where there are few (#termsOfPrefix); whether
   * FTS5 merges a prefix of it (one with more terms than can be asked, longer than the prefix index: `lov`, `hop`,
   * `tur`, the e-mail tokens `lovelace0` to `lovelace999` at a million devices), ~16 ms of CPU at each statement that
   * asks it; and what the walk's questions ask (`question`): the match, or with each such prefix cut to the prefix
   * index's length, a superset whose "no" is as right as the match's (`tu*` and the markers of GDPR-masked users, no
   * at 8 ms where `tur*` merged at 24), or null without a prefix index.
   */
  #matchOf(text: string): { match: string | null; merges: boolean; question: string | null } {
    let merges = false;
    const termsOfPrefix = (prefix: string) => {
      const terms = this.#termsOfPrefix(prefix);
      merges ||= terms === null && Array.from(prefix).length > this.index.indexedPrefix;
      return terms;
    };
    const match = ftsMatchExpression(text, termsOfPrefix);
    if (!merges) return { match, merges, question: match };
    return { match, merges, question: this.index.indexedPrefix === 0 ? null : widenedMatchExpression(text, termsOfPrefix, this.index.indexedPrefix) };
  }

  /**
   * A sorted page of a text search, walking the sort index and testing each row it reaches against the text
   * (DeviceSearchIndex.matchingAmong), so a common term ("ac", or "acmecorp" in every e-mail address) never lists its
   * hundreds of thousands of matches before the first row. A probe costs PROBE_COST_RATIO times what listing one match
   * costs, and the walk reaches about (offset + limit) × current / matching rows, so the walk is given a budget of
   * √((offset + limit) × current / PROBE_COST_RATIO) rows (about 1,300 for a first page at a million): within it, it finds
   * the page of any term matching more than that share; past it, the term matches so few that listing them is cheap,
   * and the page is handed to #listedPage (early, see PROBE_SAMPLE), with where the walk is (WalkPosition) once it has
   * stepped over a run, else null. The worst case is about twice the budget's cost. The rows and
   * their order are those of the listing: the same index walk, the same total order.
   */
  #probedPage(query: DeviceQuery, page: DevicePage): number[] | WalkPosition | null {
    const { text, sort, ...filters } = query;
    if (text === undefined || sort === undefined || (query.presence ?? 'current') !== 'current' || ftsMatchExpression(text) === null) return null;
    const wanted = page.offset + page.limit;
    const current = this.#currentDevices();
    const budget = Math.ceil(Math.sqrt((wanted * current) / this.probeCostRatio));
    const known = this.#counts.peek(this.#countKey(query));
    if (known !== undefined && known * budget < wanted * current) return null;
    const column = SORT_COLUMNS[sort.column];
    const s = this.selection({ ...filters, sort }, { indexedBy: sortIndexName(column), walkInOrder: true });
    const markers = sortMarkersOf(column);
    // Models are not marked (see device-sort-markers.ts), but every device of a run of one model holds the model's
    // tokens in its indexed text: the run is asked about by its first token, and a "no" holds for every model that
    // starts with that word. `iph` by model meets 605,000 devices of Android, Windows and other models and iPads
    // before the first iPhone: five such questions instead of a listing of every match (160-170 ms of CPU).
    const byToken = markers === null && INDEXED_WHOLE.has(column);
    const unmarked = markers === null && !byToken;
    // Within a run of one sort value the index delivers devices by integration, space and platform (its filter
    // columns, which have markers too): `ip` matches iOS devices only (399,879 at a million), and the orders start
    // with Android devices (integration: 267,303 before the first iOS one; serial number and identifier: ~120,000
    // without either; device name: 22,219, Ada's Galaxies), which the sample of PROBE_SAMPLE rows met alone and
    // handed `ip` over to listing every match (50-145 ms). Descending too: there the GDPR-masked users' space, the
    // highest key, leads each run of one model, state, platform or compliance, and `acmecorp` (which no masked user
    // holds) was handed over to a listing of its 666,000 matches, 60-68 ms of CPU at a million devices. Not by model
    // ascending: each model is one platform's, and past the Android models come the iPads, which `iph` does not match
    // either; stepping over ~450,000 Android devices first made `iph` by model 166-172 → 221-242 ms of CPU before it
    // was listed anyway. Not by last check-in descending, the explorer's default order: its runs are of one device but
    // for the devices a sync saw check in within one minute, which lead it, where the questions cost 5 ms of CPU and
    // stepped over nothing the walk would not have passed (`hopp` 22 → 29 ms).
    const filterColumns = (sort.direction === 'asc' ? column !== 'model' : column !== 'last_checkin') ? markedFilterColumns(column) : [];
    const filterMarkers = filterColumns.map((c) => filterMarkersOf(c)!);
    // Whether FTS5 merges every term of the text's prefix query into one list before its first row (more terms than
    // MAX_PREFIX_TERMS, longer than the prefix index's): 16 ms of CPU for `lov`, `hop`, `tur` at a million devices. Its
    // questions ask its shorter, cheaper superset (#matchOf): as its own terms, each question merged them again (`lov`
    // by uid: 43 ms of CPU at 300,000 devices, 34 without asking).
    const { match, question: asking, merges } = this.#matchOf(text);
    const asks = asking !== null && (markers !== null || byToken || filterColumns.length > 0);
    // A model's "no" reads the text's lists through: a prefix of several terms (`mot`: moto OR motorola) reads each,
    // where its first characters are one list of the prefix index (`mo*`: "no" for a model in 5.5 ms against 8 at a
    // million devices). That superset is asked first; only its "yes", which may be wrong, is asked again as the text.
    const widened =
      byToken && !merges && this.index.indexedPrefix > 0
        ? widenedMatchExpression(text, (prefix) => {
            const terms = this.#termsOfPrefix(prefix);
            return terms !== null && terms.length > 1 ? null : terms;
          }, this.index.indexedPrefix)
        : null;
    // A prefix FTS5 merges is asked about long runs only (LONG_RUN_SHARE), by their first marker alone: a "no" reads
    // each marker's list through, and a long run's each hold about the run (`tu*` and the masked users' first
    // character and length: 8.1 ms of CPU, with the first character alone 5.0, at a million devices).
    // `marks`: a run's markers, or the first tokens of models, any of which a match must hold.
    // By the folded device name (FIRST_CHARACTER_MARKED) a run of one name is asked by its second marker alone first:
    // FTS5 reads an AND's lists through, and the first character's is the longest (`"pi"* AND <a> AND <19 long>` 6.7 ms
    // of CPU at a million devices, without <a> 4.6). Its "no" holds for the run; only a "yes", which may be wrong, is
    // asked again with both markers.
    const textMatchesAny = (marks: string | readonly string[]) => {
      const ask = (match: string) => (typeof marks === 'string' ? withSortMarkers(match, merges ? marks.split(' ')[0]! : marks) : withAnyToken(match, marks));
      const second = byFirstCharacter && !merges && typeof marks === 'string' ? marks.split(' ')[1] : undefined;
      return (
        (second === undefined || this.#textMatchesAny.get(withSortMarkers(asking!, second)) !== undefined) &&
        (widened === null || widened === asking || this.#textMatchesAny.get(ask(widened)) !== undefined) &&
        this.#textMatchesAny.get(ask(asking!)) !== undefined
      );
    };
    // A column whose values the index holds whole (as every device's own text of it) is asked about a run of values
    // that start with the same letters and digits (valuePrefix): by the longest prefix they share, as its index terms
    // (`text AND "tim"`), or by as many characters as the prefix index keeps (`text AND "R5"*`), one list of it. The
    // tokenizer keeps letters and digits in one token, folding case alone, so every device of the run holds a token
    // that starts with the prefix, and a "no" holds for every value that starts with it, which sort together. Not
    // models, asked by their first word (byToken).
    const byPrefix = asking !== null && this.index.indexedPrefix > 0 && (INDEXED_WHOLE.has(column) || FOLDED_WHOLE.has(column)) && column !== 'model';
    // A column the index does not hold whole but whose first marker is its value's first character (the folded device
    // name, migration 0036) is asked about a run of values that start with the same character by that marker alone
    // (`text AND marker`): every device of the run holds it, so a "no" holds for every value that starts with the
    // character, which sort together. By name descending `gr` meets the devices of Tim, Radia, Margaret, Linus and Ken
    // (~440,000 at a million) before Grace's, five runs of one first character, each of seven names.
    const byFirstCharacter = asking !== null && !byPrefix && FIRST_CHARACTER_MARKED.has(column);
    const prefixOf = (value: unknown) => (byPrefix ? valuePrefix(value, this.index.indexedPrefix) : byFirstCharacter ? firstCharacterOf(value) : null);
    const termsOfPrefix = (prefix: string) => this.#termsOfPrefix(prefix);
    /** The prefixes asked about, and whether some device whose value starts with one matches. */
    const prefixes = new Map<string, boolean>();
    const prefixAnswer = (value: string): { prefix: string; matches: boolean } | undefined => {
      let answer: { prefix: string; matches: boolean } | undefined;
      for (const [prefix, matches] of prefixes) if (value.startsWith(prefix) && (answer === undefined || !matches)) answer = { prefix, matches };
      return answer;
    };
    let askedOfPrefixes = 0;
    // A "no" costs the question a read of both lists through (`ip` and `R5`: 12 ms of CPU at a million devices, where
    // walking past the 300,000 Android serials and listing `ip`'s 400,000 matches cost 56): asked only of a prefix
    // that PREFIX_RUN_SHARE of the order shares. The run's longest shared prefix first, asked as its terms (`tim`, not
    // `ti`, which Grace Liskov's e-mail holds as `liskov…` holds `li`), then the prefix index's.
    const askAboutPrefix = (first: string, last: string, marks: string): boolean => {
      if (byFirstCharacter) {
        const character = firstCharacterOf(first)!;
        if (askedOfPrefixes >= PREFIX_QUESTIONS || !runs.isLongPrefixRun(character, Math.ceil(current * LONG_RUN_SHARE))) return true;
        askedOfPrefixes += 1;
        const matches = this.#textMatchesAny.get(withSortMarkers(asking!, marks.split(' ')[0]!)) !== undefined;
        prefixes.set(character, matches);
        return matches;
      }
      const shared = sharedPrefix(first, last);
      for (const prefix of new Set([shared, shared.slice(0, this.index.indexedPrefix)])) {
        if (askedOfPrefixes >= PREFIX_QUESTIONS) break;
        // A prefix of more terms than a search asks as terms would be merged by FTS5 at each question. Known before the
        // count, which reads up to LONG_RUN_SHARE of the index (~1.7 ms of CPU at a million devices): `ada` (hex
        // identifiers' terms) by uid ascending counted twice.
        if (prefix.length > this.index.indexedPrefix && this.#termsOfPrefix(prefix.toLowerCase()) === null) continue;
        if (!runs.isLongPrefixRun(prefix, Math.ceil(current * PREFIX_RUN_SHARE))) continue;
        askedOfPrefixes += 1;
        const matches = this.#textMatchesAny.get(withTokenPrefix(asking!, ftsMatchExpression(prefix, termsOfPrefix)!)) !== undefined;
        prefixes.set(prefix, matches);
        return matches;
      }
      return true;
    };
    // Handing over such a prefix costs its merge, so the walk goes further first (MERGED_REACH, MERGED_SAMPLE).
    let reach = merges ? MERGED_REACH * budget : budget;
    const sample = merges ? MERGED_SAMPLE : PROBE_SAMPLE;
    const runs = new SortRuns(this.db, s, sort, column, markers, filterColumns, filterMarkers, this.#present(sortIndexName(column)));
    const found: number[] = [];
    let spent = 0;
    const listed: ListedMatches = { atLeast: 0, exact: false };
    let probed = 0;
    // Whether some device of a run matches the text, by the run's markers (asked once a page: a run may span batches).
    const matched = new Map<string, boolean>();
    let asked = 0;
    let askedOfFilters = 0;
    const runMatches = (marks: string, ofFilter = false) => {
      let answer = matched.get(marks);
      if (answer === undefined) {
        if (ofFilter ? askedOfFilters >= FILTER_QUESTIONS : asked >= (byToken ? TOKEN_QUESTIONS : byFirstCharacter ? NAME_QUESTIONS : MARKER_QUESTIONS)) return true;
        if (ofFilter) askedOfFilters += 1;
        else asked += 1;
        answer = textMatchesAny(marks);
        matched.set(marks, answer);
      }
      return answer;
    };
    // What a run of equal sort values is asked about: its markers, or the first token of its value.
    const runQuestion = (row: readonly unknown[]): string | null => (byToken ? firstTokenOf(row[1]) : (row[2] as string | null));
    // A model's "no" reads the text's list through each time (4 ms of CPU for `ga*`'s 222,000 devices at a million), so
    // the models the walk would ask about one by one are asked about together, by any of their first tokens: `ga` by
    // model descending asks one question for the six models before the Galaxies (`moto`, `iphone`, `ipad`, `windows`,
    // `unknown`, `pixel`: 24.7 ms of CPU, median of seven, against 36.8 asked one by one, load 10). The models that
    // follow in the order are read from the sort index (one seek each) up to the first one a device among the text's
    // first matches has (FIRST_MATCHES), which likely holds a match: asked with it, the question would answer yes.
    // Only a "no" is taken for the models asked about; on a "yes" each is asked on its own, as before.
    let likelyMatching: Set<string> | null = null;
    const askAboutModels = (token: string, model: unknown): void => {
      if (!byToken || matched.has(token) || asked >= TOKEN_QUESTIONS) return;
      likelyMatching ??= new Set(this.#valuesOfFirstMatches(asking!, column).flatMap((m) => firstTokenOf(m) ?? []));
      const tokens = [token];
      for (let value: unknown = model, next = token, seeks = 0; !likelyMatching.has(next) && tokens.length < TOKEN_QUESTIONS && seeks < 4 * TOKEN_QUESTIONS; seeks++) {
        value = runs.nextValue(value);
        const found = firstTokenOf(value);
        if (found === null || matched.get(found) === true) break;
        next = found;
        if (!likelyMatching.has(next) && matched.get(next) === undefined && !tokens.includes(next)) tokens.push(next);
      }
      if (likelyMatching.has(token) || tokens.length < 2) return;
      asked += 1;
      if (!textMatchesAny(tokens)) for (const t of tokens) matched.set(t, false);
    };
    // Every device of a run of equal filter columns holds each column's markers: one that no match holds rules the run
    // out. An answer already known is used first; then the last column's (the platform, which a typed model or OS
    // name goes with) is asked first.
    const filterRunMatches = (marks: readonly string[]) =>
      !marks.some((m) => matched.get(m) === false) && [...marks].reverse().every((m) => runMatches(m, true));
    const ruledOut = (row: readonly unknown[]) => row.slice(3 + filterColumns.length).some((m) => matched.get(m as string) === false);
    const excludeRuledOut = (row: readonly unknown[]) =>
      filterColumns.forEach((_, t) => {
        if (matched.get(row[3 + filterColumns.length + t] as string) === false) runs.exclude(t, row[3 + t]);
      });
    // Batches grow from a small sample: a term too rare to fill the page within the budget (a phrase probe costs
    // several times a word's) is handed over as soon as what the walk found projects to less than the page at the
    // budget's end. Near the budget's density both ways cost about the same, so handing over early loses little.
    // A batch whose rows were all stepped over leaves the next one its size: what the next tests is a sample again.
    for (let batch = Math.min(reach, PROBE_SAMPLE), tested = true; ; batch = tested ? Math.max(PROBE_SAMPLE, Math.min(2 * batch, reach - spent)) : batch) {
      const rows = runs.next(batch);
      const probe: number[] = [];
      let skipPast: { value: unknown } | { run: unknown[] } | { prefix: string } | null = null;
      // A run of equal sort values long enough to be worth a question to the index is stepped over when no device of
      // it matches: within the batch, its rows are not tested; to the batch's end, the walk seeks past its value. A
      // run the index may match is asked about by its runs of equal filter columns in the same way.
      // The rows before this one were looked at for a run of one prefix (asked about, or too short to).
      let prefixesSeen = 0;
      for (let i = 0; i < rows.length; ) {
        // Values that start with a prefix the index answered no for are stepped over however few; to the batch's end,
        // the walk seeks past every value that starts with it.
        const value = rows[i]![1];
        const prefix = prefixOf(value);
        if (prefix !== null) {
          let answer = prefixAnswer(value as string);
          if (answer === undefined && i >= prefixesSeen) {
            let p = i + 1;
            while (p < rows.length && prefixOf(rows[p]![1]) === prefix) p++;
            prefixesSeen = p;
            if (p - i >= MARKED_RUN && !askAboutPrefix(value as string, rows[p - 1]![1] as string, rows[i]![2] as string)) answer = prefixAnswer(value as string);
          }
          if (answer !== undefined && !answer.matches) {
            const ruledOut = answer.prefix;
            let p = i + 1;
            while (p < rows.length && (rows[p]![1] as string | null)?.startsWith(ruledOut) === true) p++;
            if (p === rows.length) skipPast = { prefix: ruledOut };
            i = p;
            continue;
          }
        }
        let j = i + 1;
        while (j < rows.length && rows[j]![1] === rows[i]![1]) j++;
        const question = asks ? runQuestion(rows[i]!) : null;
        // A run whose question was answered no is stepped over however short (the next model of the same first word).
        // With a prefix FTS5 merges, only a long run is worth a question (LONG_RUN_SHARE).
        const worthAsking = j - i >= MARKED_RUN && (!merges || runs.isLongRun(rows[i]![1], Math.ceil(current * LONG_RUN_SHARE)));
        if (question !== null && worthAsking) askAboutModels(question, rows[i]![1]);
        if (question !== null && (matched.get(question) === false || (worthAsking && !runMatches(question)))) {
          if (j === rows.length) skipPast = { value: rows[i]![1] };
          i = j;
          continue;
        }
        for (let k = i; k < j; ) {
          const run = filterRunOf(rows[k]!, filterColumns.length);
          let l = k + 1;
          while (run !== null && l < j && sameRun(run, filterRunOf(rows[l]!, filterColumns.length))) l++;
          // Every device of the run holds each of its filter columns' markers: one that no match holds rules it out.
          if (asks && run !== null && l - k >= MARKED_RUN && !filterRunMatches(rows[k]!.slice(3 + filterColumns.length) as string[])) {
            excludeRuledOut(rows[k]!);
            if (l === rows.length) skipPast = { run };
          } else {
            // A row holding a marker the index already answered no for is not tested either, however short its run
            // (`iph` by device name: each person's Android devices sort before their iPhone, in runs of a few).
            for (let r = k; r < l; r++) {
              if (ruledOut(rows[r]!)) excludeRuledOut(rows[r]!);
              else probe.push(rows[r]![0] as number);
            }
          }
          k = l;
        }
        i = j;
      }
      probed += probe.length;
      spent += probe.length;
      tested = probe.length > 0;
      // In slices, so that a batch sized for a low share stops where the page fills: walking on through the masked
      // users' space by registration state descending, the last batch of 1,300 rows reached the Marketing space's
      // devices, and 709 of them matched `ac` where 60 were missing.
      for (let at = 0; at < probe.length && found.length < wanted; at += PROBE_SLICE) found.push(...this.index.matchingAmong(probe.slice(at, at + PROBE_SLICE), text));
      if (found.length >= wanted) return found.slice(page.offset, wanted);
      const more =
        skipPast === null
          ? runs.continueAfter(rows.length < batch, found.length)
          : 'run' in skipPast
            ? runs.seekPastRun(skipPast.run, found.length)
            : 'prefix' in skipPast
              ? runs.seekPastPrefix(skipPast.prefix, found.length)
              : runs.seekPast(skipPast.value, found.length);
      if (!more) return found.slice(page.offset, wanted);
      if (spent >= reach || (probed >= sample && (found.length * reach) / spent < wanted)) {
        // Only within a long run of one sort value that the index said holds matches: there the index orders devices by
        // the filter columns and id, which a text rarely follows, so the share the walk found holds for the run (`ac`:
        // 3.5 % of the 333,333 masked users), and the run can hold the page. Elsewhere matches cluster by the sort
        // value, and walking on past a low share cost more than it saved (by uid `tu` 34 → 69 ms of CPU at a million
        // devices: questions about Ada's runs of a uid; by last check-in `gr` 14 → 21). A sort column without markers
        // (compliance, registration state: a few values, each a long run) is asked nothing about its runs: there it is
        // enough that no filter column of the last row was answered no. By either descending, the compliant (or
        // RETIRE_PENDING) devices come first, by integration and space from the highest key: the masked users' space,
        // 3.5 % of whose devices match `ac`, where 68 % of all do (listing them cost 42 ms of CPU at a million
        // devices): `ac` 61-62 → 39-40 ms of CPU by compliance, 61-62 → 18-22 by registration state (load 9). `ad` by
        // compliance, which then counts its sample and is listed after all, 15 → 24-26.
        const last = rows[rows.length - 1];
        const saidYes =
          last !== undefined && (unmarked ? filterRunOf(last, filterColumns.length) !== null && !ruledOut(last) : matched.get(runQuestion(last) ?? '') === true);
        // By a first character the index said holds matches (asked of a long run only, askAboutPrefix) too, descending:
        // there each name's devices come from the GDPR-masked users' space first, of which 3.5 % match `ac` (`ac` by
        // name 65 → 12 ms of CPU at a million devices; `ad`, `lo`, `tu`, listed after all, 17-18 → 21-25). Ascending
        // they come from the lowest space key, and a low share there holds for the name: `gr` among the desktops was
        // walked on for 25 → 31-34 ms.
        const character = byFirstCharacter && sort.direction === 'desc' && last !== undefined ? firstCharacterOf(last[1]) : null;
        const inLongRun =
          !merges && asks && ((character !== null && prefixes.get(character) === true) || (saidYes && runs.isLongRun(last[1], Math.ceil(current * LONG_RUN_SHARE))));
        const more = inLongRun ? this.#probesWorthListing(match!, wanted - found.length, found.length, probed, listed) : null;
        if (more === null) return runs.position(found);
        reach = spent + more;
      }
    }
  }

  /**
   * How many more rows a sorted walk that found `found` matches in `probed` tested rows should test before it hands its
   * page over to a listing, which lists every match of the text (`match`) that the FTS table holds; null to hand it over
   * now. The walk's budget takes the listing's cost for as many matches as its share projects to over every device, but
   * a text the walk's part of the order holds few of may list many more: `ac` matches 3.5 % of the GDPR-masked users
   * that lead the order by uid or display name and 68 % of all devices (the e-mail domain), whose listing cost 81 ms of
   * CPU at a million devices against ~17 ms of testing rows to the page. So the walk goes on while the rows it projects
   * to the page (`missing` more matches) cost less to test than listing the matches the FTS table holds, counted up to
   * that many (`listed`: what was counted before). It projects from WIDE_SAMPLE rows and WIDE_FOUND matches at least,
   * testing that many rows first whatever their cost: 12 rows find none of a 3.5 % term 65 % of the time.
   */
  #probesWorthListing(match: string, missing: number, found: number, probed: number, listed: ListedMatches): number | null {
    const more = probed < WIDE_SAMPLE ? WIDE_SAMPLE - probed : found >= WIDE_FOUND ? Math.ceil((missing * probed) / found) : 0;
    const worth = more * this.probeCostRatio;
    if (more <= 0 || (listed.exact && listed.atLeast < worth)) return null;
    if (listed.atLeast < worth) {
      // Counted to twice what is asked, as the walk asks again while its share of matches moves, among the devices of
      // the first COUNT_SAMPLE-th of the id span only (FTS5 stops at a rowid bound), and scaled: an estimate, which
      // chooses the walk's course and never its rows. Ids follow the order devices were first synced in, so the text's
      // share there stands for its share of all, as far as a choice of plan needs. `ac` (68 % of devices) by uid at
      // a million devices counted to 265,000 in 12.5 ms of CPU, to 33,000 in 3.1.
      const highest = (this.#highestDeviceId.get() as number | null) ?? 0;
      const limit = Math.ceil((2 * worth) / COUNT_SAMPLE);
      const counted = this.#countTextUpToId.get(match, Math.ceil(highest / COUNT_SAMPLE), limit) as number;
      listed.atLeast = counted * COUNT_SAMPLE;
      listed.exact = counted < limit;
    }
    return listed.atLeast >= worth ? more : null;
  }

  /** The values of `column` of the first devices (by id) that `match` selects, FIRST_MATCHES of them at most. */
  #valuesOfFirstMatches(match: string, column: SortedColumn): unknown[] {
    let statement = this.#firstMatchesValues.get(column);
    if (statement === undefined) {
      statement = this.db.prepare(`SELECT d.${column} FROM (SELECT rowid AS id FROM devices_fts WHERE devices_fts MATCH ? LIMIT ?) m JOIN devices d ON d.id = m.id`).pluck();
      this.#firstMatchesValues.set(column, statement);
    }
    return statement.all(match, FIRST_MATCHES);
  }

  /** The index terms of a typed prefix, kept while the database is unchanged (#prefixTerms). */
  #termsOfPrefix(prefix: string): readonly string[] | null {
    return this.#prefixTerms.get(prefix, () => this.index.termsOfPrefix(prefix));
  }

  /**
   * Every device of a query in the explorer's order, for streaming (exports). The order must come from an index or the
   * FTS table: sorting a million 2 KB rows would hold them all in SQLite's sorter. Sorted orders walk the partial
   * indexes of current devices, so a sorted export of removed devices comes in id order instead (said in `orderNote`).
   */
  orderedSelection(query: DeviceQuery): DeviceSelection & { orderBy: string; orderNote: string } {
    if (query.sort !== undefined && (query.presence ?? 'current') === 'current') {
      const s = this.selection(query, { text: 'filter', indexedBy: sortIndexName(SORT_COLUMNS[query.sort.column]), walkInOrder: true });
      return { ...s, orderBy: orderDevices(query.sort, false), orderNote: `by ${query.sort.column} (${query.sort.direction})` };
    }
    const s = this.selection(query, { text: 'drive' });
    const orderNote = query.sort === undefined ? 'by device id' : 'by device id (removed devices are exported in the order they were first synced)';
    return { ...s, orderBy: orderDevices(undefined, s.ftsDrives), orderNote };
  }

  /** Cached until the database changes, so scrolling through one result set counts it once. */
  count(query: DeviceQuery): number {
    this.index.catchUp();
    return this.#counts.get(this.#countKey(query), () => this.#countNow(query));
  }

  /**
   * Which side drives a page. Walking the sort order until offset + limit matching rows are found takes about
   * (offset + limit) × current / matching steps, each a check of an index entry in place (the sort indexes carry the
   * equality filters, migration 0004), unless a filter needs the row (trust for a test group; check-in age under
   * another order). The other way reads and sorts every matching row, ~20 times the cost of an index step. So the walk
   * wins when matching × 20 ≥ (offset + limit) × current / matching × (20 if it reads rows, else 1), that is when at
   * least √((offset + limit) × current × that factor / 20) rows match (about 2,200 or 10,000 for a first page at a
   * million): rather than counting every match, which costs more than the page, the matches are counted up to that
   * many. The sort side walks a partial index of current devices, so it is only offered for the `current` presence.
   * SQLite's own planner, without statistics, prefers any equality filter and then sorts a million rows, which is why
   * the choice is made here. Either side returns the same rows in the same order: ORDER BY is a total order.
   */
  #plan(query: DeviceQuery, page: DevicePage, known: number | undefined): Pick<SelectionContext, 'text' | 'indexedBy' | 'walkInOrder'> {
    const searched = query.text !== undefined && ftsMatchExpression(query.text) !== null;
    if ((query.presence ?? 'current') !== 'current' || (query.sort === undefined && searched)) return { text: 'drive' };
    const readsRows =
      query.sort === undefined ||
      (query.trust !== undefined && this.#trustConditions().trusted.readsRows === true) ||
      (query.checkinAge !== undefined && query.sort.column !== 'lastCheckin');
    const enough = Math.max(1, Math.ceil(Math.sqrt(((page.offset + page.limit) * this.#currentDevices() * (readsRows ? 20 : 1)) / 20)));
    if ((known ?? this.#countUpTo(query, enough)) < enough) return { text: 'drive' };
    return { text: 'filter', indexedBy: query.sort === undefined ? 'NOT INDEXED' : sortIndexName(SORT_COLUMNS[query.sort.column]), walkInOrder: true };
  }

  /**
   * Matches of a query counted up to `limit`, letting SQLite pick the plan (it stops at the limit). Fewer than `limit`
   * is the exact count, kept for `count` and later pages.
   *
   * The Trust filter's other answers ("not trusted", "can't tell": NOT the trusted condition) are counted as the cold
   * count counts them (#countPlan, sightings gathered once): probing each device's sightings, the walk steps over the
   * trusted devices, which devices_facets keeps together (ACTIVE devices of a platform), each probed in random order.
   * At a million devices (bench:search) "not trusted" counted to 2,225 in 359-455 ms of CPU that way, 251 ms gathering
   * the sightings: its first page by device name 385-435 -> 271-299 ms (medians of five, load 6). "Trusted" keeps the
   * probes: it meets its matches first (its count 3.3 ms, 137 ms gathering them).
   */
  #countUpTo(query: DeviceQuery, limit: number): number {
    const { sort: _sort, ...filters } = query;
    const s = this.selection(filters, filters.trust !== undefined && filters.trust !== 'trusted' ? this.#countPlan(filters) : this.#countUpToPlan(filters));
    if (s.searched && s.ftsExact && onlyText(filters)) {
      // Counted in the FTS table alone: joining each match to its wide row to check removed_at cost ~5 µs a match, 11 ms
      // for the 2,236 a first page at a million counts to. Removed devices (few) count too: an upper bound, good enough
      // to choose a plan, so it is not kept as the count.
      return this.#countTextUpTo.get(s.params[0], limit) as number;
    }
    const found = this.db.prepare(`SELECT count(*) FROM (SELECT 1 FROM ${s.from} ${s.where} LIMIT ?)`).pluck().get(...s.params, limit) as number;
    if (found < limit) this.#counts.remember(this.#countKey(query), found);
    return found;
  }

  /**
   * How #countUpTo counts filters without trust's other answers. A check-in age without an integration is counted in
   * its range of devices_by_last_checkin, which holds every other filter column: left to choose, SQLite read
   * devices_facets' entries in their order until it had found enough, in and out of the range (`older`, counted to
   * 9,950 at a million: 22.8 -> 1.3 ms of CPU; Android's `day` 26.3 -> 3.1). With an integration, devices_facets seeks
   * it (its second column) and SQLite keeps its choice.
   */
  #countUpToPlan(filters: DeviceQuery): SelectionPlan {
    if (filters.text === undefined && filters.checkinAge !== undefined && filters.trust === undefined && filters.integrationId === undefined && this.#present(sortIndexName('last_checkin'))) {
      return { indexedBy: sortIndexName('last_checkin') };
    }
    return { seekByText: seeksByText(filters) };
  }

  /**
   * How many current devices there are, for planning only: the cached count, else the row count the last ANALYZE
   * recorded for a partial index of current devices (devices_by_space_name, migration 0004;
   * refreshPlannerStatistics), else the highest device id, one index seek: devices are kept when removed and deleted
   * only by a purge, so it bounds the count from above by little. An exact count instead read a million index entries
   * for every keystroke after a write (8.6 of 13.5 s of CPU over 104 keystrokes at a million devices, issue 19).
   */
  #currentDevices(): number {
    const cached = this.#counts.peek(this.#countKey({ presence: 'current' }));
    if (cached !== undefined) return cached;
    let stat: string | undefined;
    if (this.#statisticsExist.get() !== undefined) {
      this.#analysedCurrentDevices ??= this.db.prepare("SELECT stat FROM sqlite_stat1 WHERE tbl = 'devices' AND idx = 'devices_by_space_name'").pluck();
      stat = this.#analysedCurrentDevices.get() as string | undefined;
    }
    const rows = stat === undefined ? NaN : Number.parseInt(stat, 10);
    return Number.isFinite(rows) ? rows : ((this.#highestDeviceId.get() as number | null) ?? 0);
  }

  #countNow(query: DeviceQuery): number {
    const { sort: _sort, ...filters } = query;
    const s = this.selection(filters, this.#countPlan(filters));
    if (s.searched && s.ftsExact && onlyText(filters)) {
      // The FTS table counts its matches without touching the wide rows; removed devices are few and subtracted.
      const match = s.params[0];
      const matches = this.db.prepare('SELECT count(*) FROM devices_fts WHERE devices_fts MATCH ?').pluck().get(match) as number;
      const removed = this.db
        .prepare(
          `SELECT count(*) FROM devices d ${this.#present('devices_facets') ? 'INDEXED BY devices_facets' : ''} WHERE d.removed_at IS NOT NULL AND d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?)`,
        )
        .pluck()
        .get(match) as number;
      return matches - removed;
    }
    return this.db.prepare(`SELECT count(*) FROM ${s.from} ${s.where}`).pluck().get(...s.params) as number;
  }

  /**
   * devices_facets holds every filter column: counting reads it alone, where the planner would pick a narrower index
   * and then read each row; the Trust filter gathers each integration's sightings once (trustConditions). Text counts
   * join from the FTS table instead.
   */
  #countPlan(query: DeviceQuery): SelectionPlan {
    return query.text !== undefined && ftsMatchExpression(query.text) !== null ? {} : { indexedBy: 'devices_facets', sightingTest: 'every-device' };
  }

  #countKey(query: DeviceQuery): string {
    const { sort: _sort, ...filters } = query;
    // Age buckets and trust move with the clock: such counts are kept for a minute at most.
    const clock = filters.checkinAge !== undefined || filters.trust !== undefined ? Math.floor(this.now().getTime() / 60_000) : 0;
    return JSON.stringify([clock, filters.presence ?? 'current', ...Object.entries(filters).filter(([k]) => k !== 'presence').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  }

  /** Ivanti's platformType of the devices the integration covers (ANDROID, IOS), or null for an unknown integration. */
  coveredPlatformType(integrationId: string): string | null {
    const integration = this.integrations.facts().get(integrationId);
    return integration === undefined ? null : COVERED_PLATFORM_TYPE[integration.platform];
  }

  /** Every integration's name by id, tombstones included (kept devices still name them). */
  integrationNames(): Map<string, string> {
    return new Map([...this.integrationFacts()].map(([id, f]) => [id, f.name]));
  }

  /** Every integration's name, platform and state by id, tombstones included. */
  integrationFacts(): Map<string, IntegrationFacts> {
    return this.integrations.facts();
  }

  /**
   * Counts per platform, registration state, compliance, check-in age, integration and space. Two passes, each in the
   * order of an index so that SQLite aggregates as it walks instead of sorting a million entries: the first groups by
   * the leading columns of devices_facets and sums the age buckets alongside, the second walks the space index.
   */
  facets(query: DeviceQuery): DeviceFacets {
    this.index.catchUp();
    // Kept while the database is unchanged, and a minute at most: the check-in age buckets move with the clock.
    const key = JSON.stringify([Math.floor(this.now().getTime() / 60_000), this.#countKey(query)]);
    return this.#facets.get(key, () => this.#facetsNow(query));
  }

  #facetsNow(query: DeviceQuery): DeviceFacets {
    const now = this.now().getTime();
    const bounds = (['day', 'week', 'month'] as const).map((age) => checkinAgeCondition(age, now).params[0] as number);
    const s = this.selection(query, this.#countPlan(query));
    const groups = this.db
      .prepare(
        `SELECT d.integration_key, d.platform_code, d.state_code, d.compliant, count(*) AS count,
                sum(d.last_checkin >= ?) AS day, sum(d.last_checkin >= ? AND d.last_checkin < ?) AS week,
                sum(d.last_checkin >= ? AND d.last_checkin < ?) AS month, sum(d.last_checkin < ?) AS older,
                sum(d.last_checkin IS NULL) AS never
           FROM ${s.from} ${s.where}
          GROUP BY d.integration_key, d.platform_code, d.state_code, d.compliant`,
      )
      .all(bounds[0], bounds[1], bounds[0], bounds[2], bounds[1], bounds[2], ...s.params) as FacetRecord[];
    const bySpace = this.#spaceSelection(query);
    const spaces = this.db
      .prepare(`SELECT d.space_name AS value, count(*) AS count FROM ${bySpace.from} ${bySpace.where} GROUP BY d.space_name`)
      .all(...bySpace.params) as FacetCount[];
    const names = this.integrationNames();
    const facts = this.integrations.facts();
    const idOfKey = new Map([...facts.values()].map((f) => [f.key, f.id]));
    // Each device once in the total; under every integration that covers it in the per-integration counts.
    const alsoCovered = new Map<string, number>();
    for (const id of facts.keys()) {
      const extra = alsoCoveredCondition(facts, id, COVERAGE_SQL);
      if (extra === null) continue;
      const found = this.db
        .prepare(`SELECT count(*) FROM ${s.from} ${s.where === '' ? 'WHERE' : `${s.where} AND`} ${extra.sql}`)
        .pluck()
        .get(...s.params, ...extra.params) as number;
      if (found > 0) alsoCovered.set(id, found);
    }
    const sum = <K>(key: (r: FacetRecord) => K) => {
      const totals = new Map<K, number>();
      for (const r of groups) totals.set(key(r), (totals.get(key(r)) ?? 0) + r.count);
      return [...totals].sort((a, b) => b[1] - a[1]);
    };
    // Values Ivanti does not document share code 0 in the index: those few devices are counted by their text.
    const byValue = (coded: CodedColumn, counts: [number | null, number][]) => {
      const found = counts.filter(([code]) => code !== OTHER_VALUE).map(([code, count]) => ({ value: valueOfCode(coded, code), count }));
      if (counts.some(([code]) => code === OTHER_VALUE)) {
        found.push(
          ...(this.db
            .prepare(`SELECT ${coded.text} AS value, count(*) AS count FROM ${s.from} ${s.where === '' ? 'WHERE' : `${s.where} AND`} ${coded.code} = ? GROUP BY ${coded.text}`)
            .all(...s.params, OTHER_VALUE) as FacetCount[]),
        );
      }
      return found.sort((a, b) => b.count - a.count);
    };
    const compliance = (r: FacetRecord): Compliance => (r.compliant === null ? 'unknown' : r.compliant === 1 ? 'compliant' : 'non-compliant');
    return {
      total: groups.reduce((n, r) => n + r.count, 0),
      platforms: byValue(PLATFORM, sum((r) => r.platform_code)),
      registrationStates: byValue(REGISTRATION_STATE, sum((r) => r.state_code)),
      compliance: sum(compliance).map(([value, count]) => ({ value, count })),
      checkinAges: CHECKIN_AGES.map((value) => ({ value, count: groups.reduce((n, r) => n + (r[value] ?? 0), 0) })),
      integrations: mergeCounts(sum((r) => idOfKey.get(r.integration_key) ?? String(r.integration_key)), alsoCovered).map(([id, count]) => ({ id, name: names.get(id) ?? id, count })),
      spaces: spaces.sort((a, b) => b.count - a.count),
    };
  }

  /** Current devices are grouped by space while walking the space index; other presences let the planner sort. */
  #spaceSelection(query: DeviceQuery): DeviceSelection {
    const searched = query.text !== undefined && ftsMatchExpression(query.text) !== null;
    if ((query.presence ?? 'current') !== 'current') return this.selection(query, this.#countPlan(query));
    return this.selection(query, { text: searched ? 'filter' : 'drive', indexedBy: sortIndexName('space_name'), walkInOrder: true });
  }

  /**
   * A device's raw record as the tenant sent it, from its row (`raw_record` as stored, the columns it is encoded with,
   * RECORD_CONTEXT_COLUMNS, and its block, `record_block`); `device` (its id or guid) names it in an error.
   */
  rawRecord(stored: Uint8Array, row: StoredRecordRow, device: number | string): Record<string, unknown> {
    return JSON.parse(this.rawRecordText(stored, row, device)) as Record<string, unknown>;
  }

  /** The raw record's JSON text exactly as stored (as the sync serialized it); `blocks` as DeviceRecordCodec.decode's. */
  rawRecordText(stored: Uint8Array, row: StoredRecordRow, device: number | string, blocks?: BlockReader): string {
    return DeviceRecordCodec.of(this.db).decode(stored, row, device, blocks);
  }

  /**
   * The recorded changes a change export holds, oldest first, each with its device's name and identifier, as the query
   * the export runs on its own snapshot connection, and how many there are now (for progress). An integration's
   * changes are those recorded under it, and with `sharedFetches` also those of the fetches other members of its
   * fetch group shared with it, for the devices of its platform.
   */
  changeExportQuery(selection: ChangeExportSelection): { sql: string; params: unknown[]; total: number } {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const { integration } = selection;
    // A change names its integration by key (migration 0026); the export gives its id, mapped from the facts.
    const facts = this.integrations.facts();
    const key = integration === undefined ? null : (facts.get(integration.id)?.key ?? -1);
    if (integration?.sharedFetches) {
      // One JSON parameter, however long the history: SQLite caps the number of parameters.
      conditions.push('(c.integration_key = ? OR (c.run_id IN (SELECT value FROM json_each(?)) AND d.platform_type = ?))');
      params.push(key, JSON.stringify(integration.sharedFetches.runIds), integration.sharedFetches.platformType);
    } else if (integration) {
      conditions.push('c.integration_key = ?');
      params.push(key);
    }
    if (selection.fetchRunId !== undefined) {
      conditions.push('c.run_id = ?');
      params.push(selection.fetchRunId);
    }
    if (selection.kind !== undefined) {
      conditions.push('c.kind = ?');
      params.push(selection.kind);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const from = 'device_changes c LEFT JOIN devices d ON d.id = c.device_id';
    const idOfKey = JSON.stringify(Object.fromEntries([...facts.values()].map((f) => [`k${f.key}`, f.id])));
    return {
      sql: `SELECT c.id, c.run_id, json_extract(?, '$.k' || c.integration_key) AS integration_id, c.at, ${CHANGE_GUID}, c.kind, c.fields,
                   d.client_device_identifier, d.device_name
              FROM ${from} ${where} ORDER BY c.id`,
      params: [idOfKey, ...params],
      total: this.db.prepare(`SELECT count(*) FROM ${from} ${where}`).pluck().get(...params) as number,
    };
  }

  /**
   * One page of the changes a fetching run recorded (a run shared from another's fetch shows that fetch's: the caller
   * passes SyncRunStore.fetchOf of the run shown), each with its device's name and identifier.
   */
  changesOfFetch(runId: number, options: { kind?: DeviceChangeKind; limit: number; afterId?: number }): DeviceChangePage {
    const kindFilter = options.kind === undefined ? '' : ' AND c.kind = @kind';
    const rows = this.db
      .prepare(
        `SELECT c.id, c.run_id, ${CHANGE_GUID}, c.kind, c.fields, c.at, d.device_name, d.client_device_identifier
         FROM device_changes c LEFT JOIN devices d ON d.id = c.device_id
         WHERE c.run_id = @runId AND c.id > @afterId${kindFilter} ORDER BY c.id LIMIT @limit`,
      )
      .all({ runId, afterId: options.afterId ?? 0, kind: options.kind, limit: options.limit + 1 }) as {
      id: number;
      run_id: number;
      guid: string;
      kind: DeviceChangeKind;
      fields: string | null;
      at: number;
      device_name: string | null;
      client_device_identifier: string | null;
    }[];
    const total = this.db
      .prepare(`SELECT COUNT(*) FROM device_changes c WHERE c.run_id = @runId${kindFilter}`)
      .pluck()
      .get({ runId, kind: options.kind }) as number;
    const page = rows.slice(0, options.limit);
    const changes: DeviceChange[] = page.map((r) => ({
      id: r.id,
      runId: r.run_id,
      guid: r.guid,
      kind: r.kind,
      fields: r.fields === null ? null : (JSON.parse(r.fields) as Record<string, [unknown, unknown]>),
      at: new Date(r.at).toISOString(),
      deviceName: r.device_name,
      clientDeviceIdentifier: r.client_device_identifier,
    }));
    return { changes, total, nextAfterId: rows.length > options.limit ? page[page.length - 1]!.id : null };
  }

  /**
   * Every stored field of one device, its raw record and its change history across syncs. Read in one transaction: a
   * record in a block is read with its block, which a sync may delete meanwhile (migration 0037).
   */
  detail(id: number): DeviceDetail {
    return this.db.transaction(() => this.#detail(id))();
  }

  #detail(id: number): DeviceDetail {
    const record = this.db
      .prepare(
        `SELECT d.*, ${LISTED_INTEGRATION_ID}, ${LAST_SEEN_AT}, ${SIGHTED_BY},
                COALESCE((SELECT MAX(${sightingLastSeenRunSql('s')}) FROM device_sightings s WHERE s.device_id = d.id), d.last_seen_run) AS last_seen_run
           FROM devices d WHERE d.id = ?`,
      )
      .get(id) as (DeviceRecord & Pick<DeviceRowRecord, 'sighted_by'>) | undefined;
    if (!record) {
      throw new AppError('NOT_FOUND', 'That device is no longer stored (its integration may have been deleted with its devices).', { id });
    }
    const history = this.db
      .prepare(
        `SELECT c.id, c.run_id, c.kind, c.fields, c.at, r.trigger, r.status
           FROM device_changes c JOIN sync_runs r ON r.id = c.run_id
          WHERE c.device_id = ?
          ORDER BY c.id DESC LIMIT ?`,
      )
      .all(record.id, HISTORY_LIMIT + 1) as HistoryRecord[];
    return {
      ...toDeviceRow(record, this.integrations.facts()),
      ivantiId: record.ivanti_id,
      spaceId: record.space_id,
      quarantined: flag(record.quarantined),
      jailbroken: flag(record.jailbroken),
      firstSeenAt: iso(record.first_seen_at),
      lastSeenRun: record.last_seen_run,
      removedRun: record.removed_run,
      raw: this.rawRecord(record.raw_record, record, record.id),
      history: history.slice(0, HISTORY_LIMIT).map(toHistoryEntry),
      historyTruncated: history.length > HISTORY_LIMIT,
    };
  }
}

/** How many matches of a text the FTS table holds, as far as a walk counted them (#probesWorthListing). */
interface ListedMatches {
  atLeast: number;
  /** `atLeast` is all the count gives: the sample held fewer than counted to. */
  exact: boolean;
}

/** Where #probedPage's walk handed its page over: the part of the walk it was in, and the matches it had found. */
interface WalkPosition {
  /** The walk's current part and those that follow it (a descending walk's NULLs), each one condition a seek serves. */
  parts: SqlCondition[];
  found: number[];
  /** Of `found`, those in the first of `parts`: a listing of that part skips them. */
  foundInPart: number;
}

/**
 * The sort index's walk of #probedPage, batch by batch, as rows of [id, sort value, the value's markers (or null),
 * ...the filter columns' values, ...their markers], able to seek past a run of equal sort values: the walk goes on
 * from the first value after it, in the order's direction (NULLs sort first ascending, last descending); or past a
 * run of equal sort value and filter columns.
 */
class SortRuns {
  readonly #walk: (after: SqlCondition | null) => Statement;
  readonly #params: unknown[];
  #statement: Statement;
  #after: SqlCondition | null = null;
  /** What the walk reads once the current part of it runs out. */
  #then: SqlCondition[] = [];
  /** Filter columns' values no match holds (exclude), left out of the walk from its next part on. */
  readonly #excluded = new Map<string, SqlCondition>();
  #offset = 0;
  /** How many of the walk's matches (#probedPage's `found`) came before the current part of it. */
  #foundBefore = 0;

  /** The walk's table and index (`devices d INDEXED BY …`, unless a bulk load set the index aside). */
  readonly #from: string;
  #runLength: Statement | undefined;
  #prefixLength: Statement | undefined;
  #nextValue: Statement | undefined;
  readonly #longRuns = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    selection: DeviceSelection,
    private readonly sort: DeviceSort,
    private readonly column: SortedColumn,
    markers: string | null,
    private readonly filterColumns: readonly string[],
    filterMarkers: readonly string[],
    /** Whether the order's index exists: a bulk load sets it aside (DeferredIndexes), and selection() then leaves it out. */
    private readonly indexed: boolean,
  ) {
    this.#params = selection.params;
    this.#from = selection.from;
    const filters = [...filterColumns.map((c) => `d.${c}`), ...filterMarkers].map((e) => `, ${e}`).join('');
    // Prepared once a walk for each part's SQL: stepping over runs of scattered values (`ip` by serial number: the
    // non-iOS devices of each integration and space among the ~120,000 without a serial) repeats the same few parts.
    const prepared = new Map<string | null, Statement>();
    this.#walk = (after) => {
      const where = after === null ? selection.where : `${selection.where === '' ? 'WHERE' : `${selection.where} AND`} ${after.sql}`;
      const known = prepared.get(after?.sql ?? null);
      if (known !== undefined) return known;
      const statement = db
        .prepare(`SELECT d.id, d.${column}, ${markers ?? 'NULL'}${filters} FROM ${selection.from} ${where} ${orderDevices(sort, false)} LIMIT ? OFFSET ?`)
        .raw();
      prepared.set(after?.sql ?? null, statement);
      return statement;
    };
    this.#statement = this.#walk(null);
  }

  /**
   * Whether the sort index holds at least `entries` current devices of sort value `value`, reading at most that many
   * (once a walk: a run spans batches). Never while a bulk load has set the order's index aside: the count would scan
   * the table for each value it asks about (a load keeps no index of `devices` but, for a tenant that had devices, devices_ivanti_id: see DeviceStore),
   * and a short run's reads every row. No run is then long: the walk asks no question of a prefix FTS5 merges and hands
   * over as it did before long runs were counted, with the same rows (the questions and the walking on only skip or
   * test rows; the order and the matches are the selection's).
   */
  isLongRun(value: unknown, entries: number): boolean {
    if (!this.indexed) return false;
    const key = `${typeof value}:${String(value)}`;
    let long = this.#longRuns.get(key);
    if (long === undefined) {
      this.#runLength ??= this.db
        .prepare(`SELECT count(*) FROM (SELECT 1 FROM ${this.#from} WHERE d.${this.column} IS ? AND d.removed_at IS NULL LIMIT ?)`)
        .pluck();
      long = (this.#runLength.get(value, entries) as number) >= entries;
      this.#longRuns.set(key, long);
    }
    return long;
  }

  /** Whether the sort index holds at least `entries` current devices whose sort value starts with `prefix` (valuePrefix's), as isLongRun counts. */
  isLongPrefixRun(prefix: string, entries: number): boolean {
    if (!this.indexed) return false;
    const key = `prefix:${prefix}`;
    let long = this.#longRuns.get(key);
    if (long === undefined) {
      this.#prefixLength ??= this.db
        .prepare(`SELECT count(*) FROM (SELECT 1 FROM ${this.#from} WHERE d.${this.column} >= ? AND d.${this.column} < ? AND d.removed_at IS NULL LIMIT ?)`)
        .pluck();
      long = (this.#prefixLength.get(prefix, prefixEnd(prefix), entries) as number) >= entries;
      this.#longRuns.set(key, long);
    }
    return long;
  }

  /**
   * The sort value that follows `value` in the walk's order among current devices (the query's filters aside), or
   * undefined when none does, or when a bulk load set the order's index aside (isLongRun): one seek of the index.
   */
  nextValue(value: unknown): unknown {
    if (!this.indexed || value === null) return undefined;
    this.#nextValue ??= this.db
      .prepare(
        `SELECT d.${this.column} FROM devices d INDEXED BY ${sortIndexName(this.column)} WHERE d.removed_at IS NULL AND d.${this.column} ${this.sort.direction === 'desc' ? '<' : '>'} ? ORDER BY d.${this.column} ${this.sort.direction === 'desc' ? 'DESC' : 'ASC'} LIMIT 1`,
      )
      .pluck();
    return (this.#nextValue.get(value) as unknown) ?? undefined;
  }

  next(batch: number): unknown[][] {
    const rows = this.#statement.all(...this.#params, ...(this.#after?.params ?? []), batch, this.#offset) as unknown[][];
    this.#offset += rows.length;
    return rows;
  }

  /** Whether rows remain after a batch (`short`: it came with fewer rows than asked; `found`: the walk's matches so far). */
  continueAfter(short: boolean, found: number): boolean {
    if (!short) return true;
    this.#foundBefore = found;
    return this.#startNext();
  }

  /**
   * Where the walk is, for a listing to go on from, given the matches it found so far: the current part of the walk
   * and those that follow it, and how many of its matches were found in it. Null before the walk stepped over a run.
   */
  position(found: number[]): WalkPosition | null {
    return this.#after === null ? null : { parts: [this.#after, ...this.#then.map((part) => this.#withExcluded(part))], found, foundInPart: found.length - this.#foundBefore };
  }

  /** Goes on after every row of sort value `value`; false when none follows (`found`: the walk's matches so far). */
  seekPast(value: unknown, found: number): boolean {
    this.#foundBefore = found;
    const column = `d.${this.column}`;
    if (this.sort.direction === 'desc') this.#then = value === null ? [] : [{ sql: `${column} < ?`, params: [value] }, { sql: `${column} IS NULL`, params: [] }];
    else this.#then = [value === null ? { sql: `${column} IS NOT NULL`, params: [] } : { sql: `${column} > ?`, params: [value] }];
    return this.#startNext();
  }

  /**
   * Goes on after every row whose sort value starts with `prefix` (valuePrefix's): each is at least the prefix and less
   * than its successor, so descending the walk goes on below the prefix (then the NULLs), ascending from its successor.
   */
  seekPastPrefix(prefix: string, found: number): boolean {
    if (this.sort.direction === 'desc') return this.seekPast(prefix, found);
    this.#foundBefore = found;
    this.#then = [{ sql: `d.${this.column} >= ?`, params: [prefixEnd(prefix)] }];
    return this.#startNext();
  }

  /**
   * Goes on after every row whose sort value and filter columns are `run` (filterRunOf's), from the last column's next
   * value to the sort value's (descending, each column's NULLs after its lower values): each part an equality on the
   * index's leading columns and a range on the next, one seek. As one row value, `(columns) > (values)`, SQLite tested
   * the rest entry by entry after seeking (27 ms to step over the Android devices of integration 1 at a million).
   * `found`: the walk's matches so far. Until its last part, the walk has no position a listing could go on from (position).
   */
  seekPastRun(run: readonly unknown[], found: number): boolean {
    this.#foundBefore = found;
    const columns = [this.column, ...this.filterColumns].map((c) => `d.${c}`);
    const equal = (n: number) => columns.slice(0, n).map((c) => `${c} IS ?`);
    if (this.sort.direction === 'asc') {
      // `IS`: a NULL sort value (no serial number, no identifier) is a run too, and sorts first; past it come values.
      this.#then = columns
        .map((_, n) =>
          n === 0 && run[0] === null
            ? { sql: `${columns[0]} IS NOT NULL`, params: [] }
            : { sql: [...equal(n), `${columns[n]} > ?`].join(' AND '), params: run.slice(0, n + 1) },
        )
        .reverse();
    } else {
      // Descending, NULLs sort last: past a column's lower values come its NULLs (a filter column's too, as far as the
      // order goes), and nothing comes past a NULL sort value's run but its own next filter values.
      this.#then = columns
        .flatMap((_, n) =>
          n === 0 && run[0] === null
            ? []
            : [
                { sql: [...equal(n), `${columns[n]} < ?`].join(' AND '), params: run.slice(0, n + 1) },
                { sql: [...equal(n), `${columns[n]} IS NULL`].join(' AND '), params: run.slice(0, n) },
              ].reverse(),
        )
        .reverse();
    }
    return this.#startNext();
  }

  /**
   * Leaves the devices whose filter column `filter` (its index in filterColumns) is `value` out of the walk from its
   * next part (a seek, or the current part's end) on: tested in the index entry, each costs a fraction of reading it
   * into a batch to be passed over (`iph` by device name reads ~17,000 Android devices' entries before Ada's iPhone).
   */
  exclude(filter: number, value: unknown): void {
    const key = `${filter}:${typeof value}:${String(value)}`;
    if (!this.#excluded.has(key)) this.#excluded.set(key, { sql: `+d.${this.filterColumns[filter]!} IS NOT ?`, params: [value] });
  }

  /** A part of the walk with the filter values no match holds left out (exclude). */
  #withExcluded(part: SqlCondition): SqlCondition {
    const conditions = [part, ...this.#excluded.values()];
    return { sql: conditions.map((c) => c.sql).join(' AND '), params: conditions.flatMap((c) => c.params) };
  }

  #startNext(): boolean {
    const part = this.#then.shift();
    if (part === undefined) return false;
    const after = this.#withExcluded(part);
    this.#after = after;
    this.#statement = this.#walk(after);
    this.#offset = 0;
    return true;
  }
}

/**
 * The first `length` characters of a sort value when they are ASCII letters and digits (DeviceRepository's questions
 * by a prefix), else null: the tokenizer keeps them in one token, folding case alone, so every device whose value
 * starts with them holds a token that starts with them, and a prefix query of them (`"R5"*`, folded as the index is)
 * matches it.
 */
function valuePrefix(value: unknown, length: number): string | null {
  if (typeof value !== 'string' || value.length < length) return null;
  const prefix = value.slice(0, length);
  return /^[A-Za-z0-9]+$/.test(prefix) ? prefix : null;
}

/**
 * The first character of a sort value (DeviceRepository's questions by a first-character marker), else null; null too
 * for U+10FFFF, the one character no text sorts after (a walk seeks past the values that start with a character from
 * its successor on, prefixEnd).
 */
function firstCharacterOf(value: unknown): string | null {
  const point = typeof value === 'string' ? value.codePointAt(0) : undefined;
  return point === undefined || point === 0x10ffff ? null : String.fromCodePoint(point);
}

/** Whether a MATCH expression asks a prefix of hexadecimal digits alone (`"ad"*`). */
function hexPrefixIn(match: string): boolean {
  return [...match.matchAll(/"((?:[^"]|"")*)"\*/g)].some(([, token]) => /^[0-9a-f]+$/.test(token!));
}

/** The longest prefix of letters and digits `a` and `b` share: of a run of sorted values, by its first and last. */
function sharedPrefix(a: string, b: string): string {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n] && /[A-Za-z0-9]/.test(a[n]!)) n++;
  return a.slice(0, n);
}

/**
 * The least text above every text that starts with `prefix` (valuePrefix's: ASCII letters and digits, or
 * firstCharacterOf's: one character below U+10FFFF, so the end always exists): the bound the sort column's binary
 * collation and the index's terms share (prefixTermsEnd).
 */
function prefixEnd(prefix: string): string {
  return prefixTermsEnd(prefix)!;
}

/** The first index token of a sort value (a model's first word, DeviceRepository's questions by token), or null. */
function firstTokenOf(value: unknown): string | null {
  return typeof value === 'string' ? (devicesTextTokens(value)[0] ?? null) : null;
}

/** An FTS5 MATCH expression of the devices that match `match` and hold any of `tokens` (index tokens). */
export function withAnyToken(match: string, tokens: readonly string[]): string {
  return `(${match}) AND (${tokens.map(quoted).join(' OR ')})`;
}

/** An FTS5 MATCH expression of the devices that match `match` and `prefix` (a value's prefix as ftsMatchExpression asks it). */
function withTokenPrefix(match: string, prefix: string): string {
  return `(${match}) AND ${prefix}`;
}

/**
 * The filter columns that follow `column` in its sort index and have markers of their own (filterMarkersOf), in the
 * index's order: a run of equal values of the sort column and these is one set of markers.
 */
function markedFilterColumns(column: SortedColumn): string[] {
  const columns = sortIndexColumns(column).slice(1);
  const marked = columns.findIndex((c) => filterMarkersOf(c) === null);
  return columns.slice(0, marked === -1 ? columns.length : marked);
}

/**
 * A walked row's sort value and its `filters` filter columns (SortRuns), or null when it has none or a filter column is
 * NULL (the sort value may be).
 */
function filterRunOf(row: readonly unknown[], filters: number): unknown[] | null {
  const run = [row[1], ...row.slice(3, 3 + filters)];
  return filters === 0 || run.slice(1).some((v) => v === null) ? null : run;
}

function sameRun(a: readonly unknown[], b: readonly unknown[] | null): boolean {
  return b !== null && a.every((v, i) => v === b[i]);
}

/** A change's device guid: its device row's while the row exists (the change then stores '', migration 0022). */
const CHANGE_GUID = "COALESCE(NULLIF(c.guid, ''), d.guid) AS guid";

/**
 * Whether a count may also compare the platform's and state's text (SelectionContext.seekByText): not with a text, nor
 * with a filter the text's sort index does not hold (check-in age, trust), where the planner took that index and read
 * each row (the check-in age `day` of Android devices counted in 0.5 -> 40 ms of CPU at a million).
 */
function seeksByText(filters: DeviceQuery): boolean {
  return filters.text === undefined && filters.checkinAge === undefined && filters.trust === undefined;
}

/** The query restricts current devices by text alone (its count can be read from the FTS table). */
function onlyText(filters: DeviceQuery): boolean {
  return Object.entries(filters).every(([key, value]) => key === 'text' || (key === 'presence' && value === 'current'));
}

/** Per-integration counts with the devices also covered by an integration other than the one they are listed under. */
function mergeCounts(listed: [string, number][], alsoCovered: ReadonlyMap<string, number>): [string, number][] {
  const totals = new Map(listed);
  for (const [id, count] of alsoCovered) totals.set(id, (totals.get(id) ?? 0) + count);
  return [...totals].sort((a, b) => b[1] - a[1]);
}

export function toDeviceRow(r: DeviceRowRecord, facts: ReadonlyMap<string, IntegrationFacts>): DeviceRow {
  const name = (id: string) => facts.get(id)?.name ?? id;
  const covering = coveringIntegrations(facts, {
    listedUnder: r.integration_id,
    platformType: r.platform_type,
    sightedBy: JSON.parse(r.sighted_by) as string[],
  });
  return {
    id: r.id,
    integrationId: r.integration_id,
    integrationName: name(r.integration_id),
    integrations: covering.map((id) => ({ id, name: name(id) })),
    guid: r.guid,
    clientDeviceIdentifier: r.client_device_identifier,
    platformType: r.platform_type,
    platformVersion: r.platform_version,
    registrationState: r.registration_state,
    compliant: flag(r.compliant),
    uid: r.uid,
    email: r.email,
    displayName: r.display_name,
    serialNumber: r.serial_number,
    imei: r.imei,
    udid: r.udid,
    wifiMac: r.wifi_mac,
    model: r.model,
    deviceName: r.device_name,
    manufacturer: r.manufacturer,
    spaceId: r.space_id,
    spaceName: r.space_name,
    lastCheckin: r.last_checkin === null ? null : iso(r.last_checkin),
    lastSeenAt: iso(r.last_seen_at),
    removedAt: r.removed_at === null ? null : iso(r.removed_at),
  };
}

function toHistoryEntry(r: HistoryRecord): DeviceHistoryEntry {
  return {
    id: r.id,
    runId: r.run_id,
    kind: r.kind,
    fields: r.fields === null ? null : (JSON.parse(r.fields) as Record<string, [unknown, unknown]>),
    at: iso(r.at),
    runTrigger: r.trigger,
    runStatus: r.status,
  };
}

function flag(value: number | null): boolean | null {
  return value === null ? null : value === 1;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
