import type { CheckinAge, DeviceQuery, DeviceSort, DeviceSortColumn } from '../../../src-shared/domain/device';
import { codeOf, equalsValue, PLATFORM, REGISTRATION_STATE } from './device-codes';
import { INDEXED_TEXT_SQL } from './device-search-index';
import { ftsMatchExpression, PHRASE_CHECK, searchPhrases, type TermsOfPrefix } from './device-search-text';
import type { SqlCondition } from './sql-condition';
import type { TrustConditions } from './trusted-device-filter';

const DAY_MS = 86_400_000;

/**
 * The explorer's sortable columns, each with an index of its own (created by migration 0004, which spells these names
 * out; a test checks they agree). Rows are ~2 KB (the raw record), so sorting a million of them without an index reads
 * gigabytes; an index reads 100 entries. Not indexed on purpose: `last_seen_at`, which every sync rewrites for every
 * device, and fields shown only in the device drawer (IMEI, UDID, MAC: they are found by search, not browsed in order).
 */
export type SortedColumn =
  | 'device_name_key'
  | 'display_name'
  | 'uid'
  | 'identifier_key'
  | 'serial_number'
  | 'model'
  | 'platform_type'
  | 'registration_state'
  | 'compliant'
  | 'space_name'
  | 'integration_key'
  | 'last_checkin';

/**
 * The explorer's equality filters, appended to every sort index. A filtered, sorted page walks the sort index and
 * checks the filters inside it, never reading a row it will not show; without them, a filter that correlates with the
 * order (GDPR-masked `********` users all sort first and all live in one space) meant reading hundreds of thousands
 * of rows to fill one page. `has_client_id` is there for the trusted filter (with it, trust for integrations enabled
 * for all users is decided in the index too). The order within equal sort values follows these columns, then the row
 * id: a total order, which orderDevices repeats so that the index alone delivers it. The integration is there by its
 * small integer key (integrations.key, migration 0018): its UUID id cost ~37 bytes a device in every index. The space is
 * there by its key too (device_space_names.key, migration 0019; its name cost ~13 bytes): devices_by_space_name sorts
 * by the name and carries the key as a filter column like the others. The platform and the registration state are
 * there by their codes (device-codes.ts, migration 0028; their text cost ~15 bytes), and their own sort indexes sort
 * by the text and carry the code in the same way.
 */
const FILTER_COLUMNS = ['integration_key', 'space_key', 'platform_code', 'state_code', 'compliant', 'has_client_id'];

/**
 * devices_facets (migration 0004, 0018, 0019, 0028: removed_at, integration_key, then every other filter column and last_checkin) serves
 * the integration order: walking its current devices (`removed_at IS NULL`, an equality on its first column) delivers
 * the integration first and checks every filter in the entry. Its own sort index was a subset of it (dropped by
 * migration 0017, issue 19).
 */
const INTEGRATION_ORDER = ['integration_key', 'platform_code', 'state_code', 'compliant', 'last_checkin', 'space_key', 'has_client_id'];

export function sortIndexName(column: SortedColumn): string {
  return column === 'integration_key' ? 'devices_facets' : `devices_by_${column}`;
}

/** The columns the sort index of `column` delivers its current devices in (the ORDER BY that repeats them, then id). */
export function sortIndexColumns(column: SortedColumn): string[] {
  if (column === 'integration_key') return INTEGRATION_ORDER;
  const columns = [column, ...FILTER_COLUMNS.filter((c) => c !== column)];
  return column === IDENTIFIER_ORDER ? [...columns, 'removed_at'] : columns;
}

/**
 * The identifier's sort index is also the lookups' index (migration 0034), which must hold removed devices: not
 * partial, with `removed_at` as its last column. Its walk in order checks presence in the entry (`+d.removed_at IS
 * NULL`: written plainly, SQLite takes the column for a constant and sorts what follows it in the order).
 */
const IDENTIFIER_ORDER: SortedColumn = 'identifier_key';

/** Each sortable column of the explorer and the `devices` column it sorts by. */
export const SORT_COLUMNS: Record<DeviceSortColumn, SortedColumn> = {
  // The folded name (migration 0011): case and accents do not change the order.
  deviceName: 'device_name_key',
  displayName: 'display_name',
  uid: 'uid',
  // The key every lookup compares (normalizeDeviceIdentifier, migration 0034): letter case does not split the order.
  clientDeviceIdentifier: 'identifier_key',
  serialNumber: 'serial_number',
  model: 'model',
  platformType: 'platform_type',
  registrationState: 'registration_state',
  compliant: 'compliant',
  spaceName: 'space_name',
  // In the order of the integrations' keys (creation order), which the index delivers.
  integration: 'integration_key',
  lastCheckin: 'last_checkin',
};

/**
 * The registration states a device is in only on its way out of management, a few percent of a fleet (3 % and 7 % at a
 * million): a count seeks them by their text (SelectionContext.seekByText). Not ACTIVE (89 %), nor the platforms (the
 * largest a fleet's majority): given their text, the planner took their sort index and read most of it, checking the
 * other filters in each entry (Windows Phone's ACTIVE compliant devices 12.5 -> 16.5 ms of CPU, Android's ACTIVE
 * 2.5 -> 7.2).
 */
const RARE_STATES: ReadonlySet<string> = new Set(['RETIRED', 'RETIRE_PENDING']);

/** The devices a query selects, as SQL: `FROM … WHERE …` over `devices d` (and the FTS table when text is given). */
export interface DeviceSelection {
  from: string;
  where: string;
  params: unknown[];
  /** The text held something searchable and restricts the selection. */
  searched: boolean;
  /** Rows come from the FTS table, in its rowid order. */
  ftsDrives: boolean;
  /**
   * The FTS match (the first parameter) is the text's exact answer: no typed word has several tokens, which the index
   * cannot test on its own (ftsMatchExpression), so the matches can be counted in the FTS table alone.
   */
  ftsExact: boolean;
}

export interface SelectionContext {
  now: number;
  /** Computed only when the query filters on trust (it reads integrations and sync runs). */
  trust: () => TrustConditions;
  /** The devices shown under an integration: listed under it, or covered by it too (device-coverage.ts). */
  integration: (integrationId: string, walkInOrder: boolean) => SqlCondition;
  /** The index's terms a typed prefix stands for (DeviceSearchIndex.termsOfPrefix); without it, FTS5's prefix query. */
  termsOfPrefix?: TermsOfPrefix;
  /**
   * How text restricts the rows: `drive` joins from the FTS table (it hands out matching rowids in order, each one
   * primary-key lookup in devices); `filter` tests membership in the match set while something else (a sort index)
   * drives. The repository picks per query (see DeviceRepository.search).
   */
  text?: 'drive' | 'filter';
  /**
   * The text's matches as a condition over `d` (DeviceSearchIndex.matchSet), listed once for the statements of one
   * keystroke: `filter` tests it instead of the FTS table.
   */
  matches?: SqlCondition;
  /**
   * With `drive`, the MATCH expression to join from instead of the text's own: a superset of its matches (a prefix cut
   * to the prefix index's length), which the caller narrows by testing each row (DeviceRepository).
   */
  driveMatch?: string;
  /**
   * A rare registration state's filter (RARE_STATES) also compares the text devices_by_registration_state leads with,
   * which the code alone cannot seek: a count up to a limit then seeks that index to it instead of reading
   * devices_facets' entries until it has found enough (RETIRE_PENDING counted to 2,225 at a million: 14.6 -> 0.4 ms of
   * CPU). Only where the planner chooses the index.
   */
  seekByText?: boolean;
  /** An index to walk instead of letting the planner choose (`NOT INDEXED` walks the table in id order). */
  indexedBy?: string;
  /** The walk of `indexedBy` delivers the page's order (a sort index): equality filters must not break it. */
  walkInOrder?: boolean;
}

/**
 * One translation of a DeviceQuery's text and filters into SQL, shared by the explorer's pages and counts, the charts
 * and exports, so that what is exported is exactly what the explorer showed.
 */
export function selectDevices(query: DeviceQuery, ctx: SelectionContext): DeviceSelection {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const match = query.text === undefined ? null : ctx.driveMatch ?? ftsMatchExpression(query.text, ctx.termsOfPrefix);
  const devices = ctx.indexedBy === undefined ? 'devices d' : `devices d ${ctx.indexedBy === 'NOT INDEXED' ? 'NOT INDEXED' : `INDEXED BY ${ctx.indexedBy}`}`;
  let from = devices;
  if (match !== null && (ctx.text ?? 'drive') === 'drive') {
    from = `devices_fts JOIN ${devices} ON d.id = devices_fts.rowid`;
    conditions.push('devices_fts MATCH ?');
    params.push(match);
  } else if (match !== null && ctx.matches !== undefined) {
    conditions.push(ctx.matches.sql);
    params.push(...ctx.matches.params);
  } else if (match !== null) {
    conditions.push('d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?)');
    params.push(match);
  }
  const phrases = query.text === undefined ? [] : searchPhrases(query.text);
  if (phrases.length > 0) {
    // Right after the match: only the rows it accepts pay for reading their text (registerPhraseCheck).
    conditions.push(`${PHRASE_CHECK}(?, ${INDEXED_TEXT_SQL.join(', ')})`);
    params.push(JSON.stringify(phrases));
  }
  const presence = query.presence ?? 'current';
  if (presence === 'current') conditions.push(ctx.walkInOrder && ctx.indexedBy === sortIndexName(IDENTIFIER_ORDER) ? '+d.removed_at IS NULL' : 'd.removed_at IS NULL');
  if (presence === 'removed') conditions.push('d.removed_at IS NOT NULL');
  // When a sort index drives, equality filters are written `+d.col = ?`: SQLite then checks them in the index entry
  // as it walks, instead of treating the column as constant and giving up on the index's order past it (it would
  // sort the rest: "USE TEMP B-TREE FOR LAST 3 TERMS OF ORDER BY").
  const column = (name: string) => (ctx.walkInOrder ? `+${name}` : name);
  if (query.integrationId !== undefined) {
    const shown = ctx.integration(query.integrationId, ctx.walkInOrder === true);
    conditions.push(shown.sql);
    params.push(...shown.params);
  }
  if (query.spaceName !== undefined) {
    // The device indexes hold the space's key (migration 0019): an index the query walks or names checks the key in
    // its entries. Left to choose, the planner may seek devices_by_space_name by the name, which it leads with, or
    // another filter's index (devices_by_platform_type for a platform), so it gets the key too: checked in that index's
    // entries, it spares reading the row of every device of the platform to compare the name (a first page of one
    // space's iOS devices, nothing cached: 1,042 → 84 ms at a million).
    const key = `${column('d.space_key')} = (SELECT key FROM device_space_names WHERE name = ?)`;
    conditions.push(ctx.indexedBy === undefined ? `d.space_name = ? AND ${key}` : key);
    params.push(...(ctx.indexedBy === undefined ? [query.spaceName, query.spaceName] : [query.spaceName]));
  }
  for (const [coded, value] of [
    [PLATFORM, query.platformType],
    [REGISTRATION_STATE, query.registrationState],
  ] as const) {
    if (value === undefined) continue;
    const equals = equalsValue(coded, value, ctx.walkInOrder === true);
    conditions.push(equals.sql);
    params.push(...equals.params);
    // A value with a code of its own is that text and no other (migration 0028's CASE); any other value's condition
    // already compares the text (equalsValue).
    if (ctx.seekByText === true && coded === REGISTRATION_STATE && RARE_STATES.has(value) && ctx.indexedBy === undefined && equals.readsRows !== true) {
      conditions.push(`${coded.text} = ?`);
      params.push(value);
    }
  }
  if (query.compliance === 'compliant') conditions.push(`${column('d.compliant')} = 1`);
  if (query.compliance === 'non-compliant') conditions.push(`${column('d.compliant')} = 0`);
  if (query.compliance === 'unknown') conditions.push('d.compliant IS NULL');
  if (query.checkinAge !== undefined) {
    const age = checkinAgeCondition(query.checkinAge, ctx.now);
    conditions.push(age.sql);
    params.push(...age.params);
  }
  if (query.trust !== undefined) {
    const trust = ctx.trust();
    const chosen = query.trust === 'trusted' ? trust.trusted : query.trust === 'cant-tell' ? trust.cantTell : trust.notTrusted;
    conditions.push(chosen.sql);
    params.push(...chosen.params);
  }
  return {
    from,
    where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
    params,
    searched: match !== null,
    ftsDrives: match !== null && (ctx.text ?? 'drive') === 'drive',
    ftsExact: phrases.length === 0,
  };
}

/**
 * ORDER BY for a page: a total order, so pages never overlap or skip. A sort repeats its index's columns and ends with
 * the row id, so the index alone delivers the order. Without a sort, text results come in the FTS table's order and
 * the rest by id.
 */
export function orderDevices(sort: DeviceSort | undefined, ftsDrives: boolean): string {
  if (sort === undefined) return ftsDrives ? 'ORDER BY devices_fts.rowid' : 'ORDER BY d.id';
  const direction = sort.direction === 'desc' ? 'DESC' : 'ASC';
  return `ORDER BY ${[...sortIndexColumns(SORT_COLUMNS[sort.column]), 'id'].map((c) => `d.${c} ${direction}`).join(', ')}`;
}

/**
 * Sort columns of a few values (the registration states, platforms, compliance, integrations), whose sort index a page
 * can seek value by value (sortIndexSeek), listed by a loose scan of that index.
 */
const FEW_VALUES: ReadonlySet<SortedColumn> = new Set(['registration_state', 'platform_type', 'compliant', 'integration_key']);

/**
 * A condition equivalent to nothing more than the filters already say, which lets SQLite seek the sort index of
 * `column` to the entries the filters pin instead of walking past those they do not. The index's leading columns are
 * written as plain equalities where a filter pins them (the sort column itself, the integration, the space's key,
 * the platform's and state's codes, compliance), and as `IN` the values a loose scan of an index lists (few: the sort
 * column when FEW_VALUES, the integration key) until the last pinned one; SQLite walks an `IN` in its values' order,
 * both directions, so the page's order is the walk's. A NULL is in no `IN`: the condition holds no row when the
 * scanned columns hold one (one seek each), and the caller lists the page without it. At a million devices, EU Field
 * Staff's iOS devices by registration state (the first 100 are behind the 532,361 ACTIVE devices of an Android
 * integration) 30 -> 0.4 ms of CPU. Null when no filter pins a column the index can seek by.
 */
export function sortIndexSeek(query: DeviceQuery, column: SortedColumn, integrationKey: number | undefined): SqlCondition | null {
  const sortIndex = sortIndexName(column);
  const pinned = (c: string): SqlCondition | null => {
    if (c === column && c === 'registration_state' && query.registrationState !== undefined) return { sql: 'd.registration_state = ?', params: [query.registrationState] };
    if (c === column && c === 'platform_type' && query.platformType !== undefined) return { sql: 'd.platform_type = ?', params: [query.platformType] };
    if (c === 'integration_key' && integrationKey !== undefined) return { sql: 'd.integration_key = ?', params: [integrationKey] };
    if (c === 'space_key' && query.spaceName !== undefined) return { sql: 'd.space_key = (SELECT key FROM device_space_names WHERE name = ?)', params: [query.spaceName] };
    if (c === 'platform_code' && query.platformType !== undefined) return { sql: 'd.platform_code = ?', params: [codeOf(PLATFORM, query.platformType)] };
    if (c === 'state_code' && query.registrationState !== undefined) return { sql: 'd.state_code = ?', params: [codeOf(REGISTRATION_STATE, query.registrationState)] };
    if (c === 'compliant' && (query.compliance === 'compliant' || query.compliance === 'non-compliant')) return { sql: 'd.compliant = ?', params: [query.compliance === 'compliant' ? 1 : 0] };
    return null;
  };
  // The index whose loose scan lists a column's values: the sort index for its own column, devices_facets (removed_at,
  // integration_key, …) for the integration.
  const scanned = (c: string): string | null => (c === column && FEW_VALUES.has(column) ? sortIndex : c === 'integration_key' ? 'devices_facets' : null);
  const conditions: string[] = [];
  const params: unknown[] = [];
  // Each listed column's check that it holds no NULL, by its place among the conditions.
  const noNulls: [number, string][] = [];
  let seeks = 0;
  for (const c of sortIndexColumns(column)) {
    const pin = pinned(c);
    if (pin !== null) {
      conditions.push(pin.sql);
      params.push(...pin.params);
      seeks = conditions.length;
      continue;
    }
    const index = scanned(c);
    if (index === null) break;
    const current = `FROM devices INDEXED BY ${index} WHERE removed_at IS NULL`;
    conditions.push(
      `d.${c} IN (WITH RECURSIVE v(x) AS (SELECT min(${c}) ${current} UNION ALL SELECT (SELECT min(${c}) ${current} AND ${c} > v.x) FROM v WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL)`,
    );
    noNulls.push([conditions.length - 1, `NOT EXISTS (SELECT 1 ${current} AND ${c} IS NULL)`]);
  }
  if (seeks === 0) return null;
  const checks = noNulls.filter(([at]) => at < seeks).map(([, sql]) => sql);
  return { sql: [...conditions.slice(0, seeks), ...checks].join(' AND '), params };
}

/** Check-in age bucket bounds, half-open and relative to now; shared with the facet that counts them. */
export function checkinAgeCondition(age: CheckinAge, now: number): SqlCondition {
  switch (age) {
    case 'day':
      return { sql: 'd.last_checkin >= ?', params: [now - DAY_MS] };
    case 'week':
      return { sql: 'd.last_checkin >= ? AND d.last_checkin < ?', params: [now - 7 * DAY_MS, now - DAY_MS] };
    case 'month':
      return { sql: 'd.last_checkin >= ? AND d.last_checkin < ?', params: [now - 30 * DAY_MS, now - 7 * DAY_MS] };
    case 'older':
      return { sql: 'd.last_checkin < ?', params: [now - 30 * DAY_MS] };
    case 'never':
      return { sql: 'd.last_checkin IS NULL', params: [] };
  }
}
