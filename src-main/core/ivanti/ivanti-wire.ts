/**
 * What the Ivanti Neurons for MDM REST API sends, parsed tolerantly (facts: ../shared/reference/ivanti-api.md).
 *
 * The API is only partly documented, so these schemas accept the variants real tenants and public clients show:
 * `""` where another platform sends `null`, missing optional fields, epoch-millisecond timestamps (sometimes as digit
 * strings), unknown extra fields. Known fields come out normalised (`""` → `null`, absent → `null`); the record as
 * received is kept whole in `raw` so nothing the tenant sent is lost for audit.
 */
import { z } from 'zod';

/** Text the tenant may omit: Android sends `""` where Windows sends `null` [reference]; both mean "not reported". */
const OptionalText = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === '' ? null : v));

const IntLike = z.custom<number | string>((v) => intOf(v) !== null, 'expected an integer').transform((v) => intOf(v)!);

const OptionalBool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? null);

const OptionalInt = IntLike.nullish().transform((v) => v ?? null);

/** Known values; the API may add more, so the types stay open strings. */
export type IvantiPlatformType = 'ANDROID' | 'IOS' | 'WINDOWS_PHONE' | 'OTHER' | (string & {});
export type IvantiRegistrationState = 'ACTIVE' | 'RETIRED' | 'RETIRE_PENDING' | (string & {});

/** Absent or `""` (Android) or `null` (Windows) all mean "not reported" [reference]. */
const TEXT_FIELDS = [
  'mdmChannelId',
  'clientDeviceIdentifier',
  'windowsDeviceType',
  'platformVersion',
  'osBuildVersion',
  'uid',
  'emailAddress',
  'displayName',
  'firstName',
  'lastName',
  'ownerId',
  'serialNumber',
  'imei',
  'imei2',
  'imsi',
  'meid',
  'iccid',
  'udid',
  'wifiMacAddress',
  'phoneNumber',
  'ipAddress',
  'deviceModel',
  'deviceName',
  'prettyModel',
  'manufacturer',
  'entityName',
  'ownershipType',
  'dmPartitionName',
] as const;
/** Epoch **milliseconds** or null [reference]; a digit string is accepted too. */
const EPOCH_MS_FIELDS = ['lastCheckin', 'clientLastCheckin', 'lastRegistrationTime'] as const;
const BOOL_FIELDS = ['complianceState', 'quarantined', 'jailbroken', 'blocked', 'supervised', 'depEnrolled', 'mamOnly', 'authOnly'] as const;
const OPTIONAL_INT_FIELDS = ['policyViolationCount', 'dmPartitionId'] as const;

/** One device as the console uses it: normalised known fields, plus `raw`, the record exactly as the tenant sent it. */
export type IvantiDevice = {
  /** Numeric id, used in `/device/{id}`. */
  id: number;
  /** The sync key: globally unique, never obfuscated. */
  guid: string;
  platformType: IvantiPlatformType;
  registrationState: IvantiRegistrationState;
  /** Policy names, e.g. "Out of Contact"; [] when none or not reported. */
  violatedPolicies: string[];
  /** `customAttributes.attrs`, values as strings; {} when absent or malformed (`raw` keeps what was sent). */
  customAttributes: Record<string, string[]>;
  raw: Record<string, unknown>;
} & {
  /**
   * clientDeviceIdentifier is the Device Client ID Duo Mobile reports (Android: 64 hex chars; iOS: a string; Windows
   * desktop: null). windowsDeviceType `WINDOWS_DESKTOP` marks a Windows desktop under platformType WINDOWS_PHONE.
   */
  [K in (typeof TEXT_FIELDS)[number]]: string | null;
} & { [K in (typeof EPOCH_MS_FIELDS)[number]]: number | null } & { [K in (typeof BOOL_FIELDS)[number]]: boolean | null } & {
  [K in (typeof OPTIONAL_INT_FIELDS)[number]]: number | null;
};

export type DeviceParse = { ok: true; device: IvantiDevice } | { ok: false; problems: string[] };

/**
 * Normalises one device record, or lists what makes it unusable (field names only: values may be personal data).
 * Hand-written rather than a zod object because it runs once per device of a million-device sync: a 50-field zod
 * schema with transforms cost ~100 µs per record here. Every member is read by its name in one object literal: a loop
 * over the field lists read the record and wrote the device under computed names, which V8 looks up in a hash table
 * each time (megamorphic), 2.2-2.4 µs a record against 0.4-0.6 written out (CPU, 20,000 simulator records; a first sync
 * parses every record on its writing thread). `IvantiDeviceRecord` wraps it for callers that want a schema.
 */
export function parseIvantiDevice(value: unknown): DeviceParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problems: ['(record): expected an object'] };
  const raw = value as Record<string, unknown>;
  // In the order the problems are listed. The type requires exactly IvantiDevice's members, each read as its list says.
  const device = {
    raw,
    id: intOf(raw.id) ?? NOT_AN_INTEGER,
    guid: requiredText(raw.guid),
    platformType: requiredText(raw.platformType),
    registrationState: requiredText(raw.registrationState),
    mdmChannelId: optionalText(raw.mdmChannelId),
    clientDeviceIdentifier: optionalText(raw.clientDeviceIdentifier),
    windowsDeviceType: optionalText(raw.windowsDeviceType),
    platformVersion: optionalText(raw.platformVersion),
    osBuildVersion: optionalText(raw.osBuildVersion),
    uid: optionalText(raw.uid),
    emailAddress: optionalText(raw.emailAddress),
    displayName: optionalText(raw.displayName),
    firstName: optionalText(raw.firstName),
    lastName: optionalText(raw.lastName),
    ownerId: optionalText(raw.ownerId),
    serialNumber: optionalText(raw.serialNumber),
    imei: optionalText(raw.imei),
    imei2: optionalText(raw.imei2),
    imsi: optionalText(raw.imsi),
    meid: optionalText(raw.meid),
    iccid: optionalText(raw.iccid),
    udid: optionalText(raw.udid),
    wifiMacAddress: optionalText(raw.wifiMacAddress),
    phoneNumber: optionalText(raw.phoneNumber),
    ipAddress: optionalText(raw.ipAddress),
    deviceModel: optionalText(raw.deviceModel),
    deviceName: optionalText(raw.deviceName),
    prettyModel: optionalText(raw.prettyModel),
    manufacturer: optionalText(raw.manufacturer),
    entityName: optionalText(raw.entityName),
    ownershipType: optionalText(raw.ownershipType),
    dmPartitionName: optionalText(raw.dmPartitionName),
    lastCheckin: epochMs(raw.lastCheckin),
    clientLastCheckin: epochMs(raw.clientLastCheckin),
    lastRegistrationTime: epochMs(raw.lastRegistrationTime),
    complianceState: optionalFlag(raw.complianceState),
    quarantined: optionalFlag(raw.quarantined),
    jailbroken: optionalFlag(raw.jailbroken),
    blocked: optionalFlag(raw.blocked),
    supervised: optionalFlag(raw.supervised),
    depEnrolled: optionalFlag(raw.depEnrolled),
    mamOnly: optionalFlag(raw.mamOnly),
    authOnly: optionalFlag(raw.authOnly),
    policyViolationCount: optionalInt(raw.policyViolationCount),
    dmPartitionId: optionalInt(raw.dmPartitionId),
    violatedPolicies: policiesOf(raw.violatedPolicies),
    customAttributes: attributesOf(raw.customAttributes),
  } satisfies { [K in keyof IvantiDevice]: IvantiDevice[K] | Refusal };
  let problems: string[] | null = null;
  // for-in, not Object.entries (2.5 µs a record more): a literal's members are enumerated from a cache kept with its
  // shape; and `instanceof` only for an object, not for each of the record's texts (0.6 µs more).
  for (const field in device) {
    const read = device[field as keyof typeof device];
    if (typeof read === 'object' && read instanceof Refusal) (problems ??= []).push(`${field}: ${read.expected}`);
  }
  return problems === null ? { ok: true, device: device as IvantiDevice } : { ok: false, problems };
}

/** What a field held instead of what the parse accepts there: only what was expected is said, never the value. */
class Refusal {
  constructor(readonly expected: string) {}
}

const NOT_AN_INTEGER = new Refusal('expected an integer');
const NOT_NON_EMPTY_TEXT = new Refusal('expected a non-empty string');
const NOT_TEXT = new Refusal('expected a string or null');
const NOT_EPOCH_MS = new Refusal('expected epoch milliseconds');
const NOT_FLAG = new Refusal('expected a boolean or null');
const NOT_A_LIST = new Refusal('expected a list');

function requiredText(value: unknown): string | Refusal {
  return typeof value === 'string' && value !== '' ? value : NOT_NON_EMPTY_TEXT;
}

/** TEXT_FIELDS: absent, `""` or null all mean "not reported". */
function optionalText(value: unknown): string | null | Refusal {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' ? value : NOT_TEXT;
}

function epochMs(value: unknown): number | null | Refusal {
  const time = epochMsOf(value);
  return time === undefined ? NOT_EPOCH_MS : time;
}

function optionalFlag(value: unknown): boolean | null | Refusal {
  if (value === undefined || value === null) return null;
  return typeof value === 'boolean' ? value : NOT_FLAG;
}

function optionalInt(value: unknown): number | null | Refusal {
  if (value === undefined || value === null) return null;
  return intOf(value) ?? NOT_AN_INTEGER;
}

function policiesOf(value: unknown): string[] | Refusal {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : NOT_A_LIST;
}

/** An EPOCH_MS_FIELDS value as parseIvantiDevice reads it: null when not reported, undefined when not epoch milliseconds. */
function epochMsOf(time: unknown): number | null | undefined {
  if (time === undefined || time === null || time === '') return null;
  return typeof time === 'number' && Number.isFinite(time) ? time : (intOf(time) ?? undefined);
}

/**
 * One device record of a search page as received, parsed when first asked for (IvantiClient.searchDeviceRecords). A
 * re-sync tells a record it stored unchanged by the record's hash, which is of the record as received
 * (sync/record-hash.ts), and has no use for its parse: ~0.6 µs and a 48-member device object a record, most of an
 * unchanged re-sync's records (issue 19).
 */
export class DeviceRecord {
  /**
   * The id the page's order is judged by (sync/space-cursor.ts): the parsed device's id; for a record that cannot be
   * parsed, its `id` when that is a finite number, else null. The two differ only for an id sent as a digit string
   * (the parsed device has it as a number, an unusable record none), so only such a record is parsed to know it.
   */
  readonly id: number | null;
  #parsed: DeviceParse | null = null;

  /**
   * `answer`: the search answer the record came in, as received, and `position` its place in the answer's records; a
   * record made otherwise (or changed since) has none. A bulk load's compressing thread cuts the record's JSON text out
   * of it instead of this thread serialising the record (sync/received-record-texts.ts).
   */
  constructor(
    readonly raw: unknown,
    readonly answer: ReceivedSearchAnswer | null = null,
    readonly position = -1,
  ) {
    const id = (raw as { id?: unknown } | null)?.id;
    this.id = typeof id === 'number' ? (Number.isFinite(id) ? id : null) : typeof id === 'string' ? (this.device()?.id ?? null) : null;
  }

  /**
   * The record's JSON text as the page holds it, which `raw` was parsed from; null when unknown. Only a text equal to a
   * stored record's tells anything about `raw` (the record hash, sync/record-hash.ts): it is found by its place in the
   * page, not checked against `raw`.
   */
  text(): string | null {
    return this.answer === null || this.position < 0 ? null : this.answer.recordText(this.position);
  }

  /** parseIvantiDevice's answer for the record, made once. */
  parse(): DeviceParse {
    return (this.#parsed ??= parseIvantiDevice(this.raw));
  }

  /** The parsed device, or null when the record is unusable (parse() lists why). */
  device(): IvantiDevice | null {
    const parsed = this.parse();
    return parsed.ok ? parsed.device : null;
  }

  /**
   * The device's lastCheckin as the parse gives it, read without parsing; undefined when either check-in field
   * (lastCheckin, clientLastCheckin) would fail the parse. With a record hash equal to the stored one, these are all a
   * re-sync reads of an unchanged record: every other field the parse checks is as it was in the record stored.
   */
  checkIn(): number | null | undefined {
    const raw = this.raw as { lastCheckin?: unknown; clientLastCheckin?: unknown } | null;
    return epochMsOf(raw?.clientLastCheckin) === undefined ? undefined : epochMsOf(raw?.lastCheckin);
  }

  /** The guid a usable record has (a non-empty string), read without parsing; null when the record has none. */
  guid(): string | null {
    const guid = (this.raw as { guid?: unknown } | null)?.guid;
    return typeof guid === 'string' && guid !== '' ? guid : null;
  }
}

const SEARCH_RESULTS = '"searchResults":[';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * A search answer's text as received (the text JSON.parse accepted), shared by the records it held (DeviceRecord). A
 * bulk load's compressing thread cuts their texts out of it (sync/received-record-texts.ts); a re-sync hashes a stored
 * device's record from its text here (recordText) instead of serialising the parsed record again (sync/record-hash.ts).
 */
export class ReceivedSearchAnswer {
  /** Each record's [start, end) in the text, in the answer's order; null when they could not be told (recordText). */
  #spans: Int32Array | null | undefined;

  constructor(
    readonly text: string,
    /** How many records its `result.searchResults` held, as parsed. */
    readonly records: number,
    /** Those records as parsed, when known: they let recordText find the records by their beginnings. */
    private readonly parsed: readonly unknown[] | null = null,
  ) {}

  /**
   * The JSON text of the record at `position` as the answer holds it, or null. Found for the whole answer when first
   * asked for (a bulk load's records are never asked): by the records' beginnings (spansByFirstMembers), else by reading
   * the text (recordSpans).
   */
  recordText(position: number): string | null {
    if (this.#spans === undefined) this.#spans = (this.parsed === null ? null : spansByFirstMembers(this.text, this.parsed)) ?? recordSpans(this.text, this.records);
    const spans = this.#spans;
    return spans === null || position < 0 || position >= this.records ? null : this.text.slice(spans[2 * position], spans[2 * position + 1]);
  }
}

/**
 * recordSpans for a page written as JSON.stringify writes one (no white space), found by searching for each record's
 * beginning, `,{` and its first member as JSON.stringify writes it (from the parsed record), instead of reading every
 * character between them: 1.09 us a record against 2.32 (20,000 simulator records in pages of 500, median of 7, load 6).
 * Null where that cannot be done (a record not an object, a first member that is not a number, string, boolean or null,
 * or not found). A beginning found too early (the same text inside the record before) only gives two records texts
 * that no stored record has (DeviceStore #textOf).
 */
export function spansByFirstMembers(body: string, records: readonly unknown[]): Int32Array | null {
  const first = searchResultsStart(body);
  if (first === -1 || records.length === 0) return null;
  const spans = new Int32Array(2 * records.length);
  let start = first;
  for (let i = 0; i < records.length; i++) {
    const opening = firstMemberText(records[i]);
    if (opening === null) return null;
    const at = i === 0 ? (body.startsWith(opening, start) ? start - 1 : -1) : body.indexOf(`,${opening}`, start + 1);
    if (at === -1) return null;
    if (i > 0) spans[2 * i - 1] = at;
    start = at + 1;
    spans[2 * i] = start;
  }
  const end = valueEnd(body, start);
  if (end === -1 || body.charCodeAt(end) !== CLOSE_BRACKET) return null;
  spans[2 * records.length - 1] = end;
  return spans;
}

/** `{"key":value` of a record's first member as JSON.stringify writes it, or null (see spansByFirstMembers). */
function firstMemberText(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  for (const key in record) {
    const value = (record as Record<string, unknown>)[key];
    return typeof value === 'object' && value !== null ? null : `{${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return null;
}

/** Where the object or array opening at `start` ends (the index after its closing brace or bracket), or -1. */
function valueEnd(body: string, start: number): number {
  let depth = 0;
  for (let i = start; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(body, i);
      if (i === -1) return -1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Where each element of a search answer's `searchResults` array is in its JSON text, as [start, end) pairs; null unless
 * the array is written `"searchResults":[` exactly once in the text (a key written so anywhere else, nested, would
 * leave it unclear which array holds the records; inside a string its quotes are escaped) and holds `expected`
 * elements, as the parsed answer's does. Strings are skipped by their closing quote (indexOf), so the loop visits only
 * the characters between them. Elements are not checked for being valid JSON: the parse of the body did that.
 */
export function recordSpans(body: string, expected: number): Int32Array | null {
  const first = searchResultsStart(body);
  if (first === -1) return null;
  const spans = new Int32Array(2 * expected);
  let found = 0;
  let depth = 0;
  let start = -1;
  for (let i = first; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      if (start === -1) start = i;
      i = closingQuote(body, i);
      if (i === -1) return null;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (start === -1) start = i;
      depth++;
    } else if (depth > 0) {
      if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    } else if (c === COMMA || c === CLOSE_BRACKET) {
      // The end of an element (its trailing white space aside), and of the array at its closing bracket.
      if (start !== -1) {
        if (found === expected) return null;
        let end = i;
        while (end > start && isJsonSpace(body.charCodeAt(end - 1))) end--;
        spans[2 * found] = start;
        spans[2 * found + 1] = end;
        found++;
        start = -1;
      }
      if (c === CLOSE_BRACKET) return found === expected ? spans : null;
    } else if (start === -1 && !isJsonSpace(c)) {
      start = i;
    }
  }
  return null;
}

/**
 * Where the `searchResults` array's first element may begin (just after its opening bracket), or -1 unless the array is
 * written `"searchResults":[` exactly once in the body (recordSpans says why).
 */
function searchResultsStart(body: string): number {
  const key = body.indexOf(SEARCH_RESULTS);
  return key === -1 || body.indexOf(SEARCH_RESULTS, key + 1) !== -1 ? -1 : key + SEARCH_RESULTS.length;
}

/** The index of the quote closing the string that opens at `open`, or -1: one not preceded by an odd run of backslashes. */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Ids are JSON numbers in every client we read; a digit string is accepted in case a proxy or version re-encodes. */
function intOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : null;
}

function attributesOf(value: unknown): Record<string, string[]> {
  const attrs = (value as { attrs?: unknown } | null | undefined)?.attrs;
  const out: Record<string, string[]> = {};
  if (typeof attrs !== 'object' || attrs === null) return out;
  for (const [name, values] of Object.entries(attrs)) out[name] = Array.isArray(values) ? values.map(String) : values == null ? [] : [String(values)];
  return out;
}

/** The schema form of parseIvantiDevice, for contracts and for callers that compose schemas. */
export const IvantiDeviceRecord: z.ZodType<IvantiDevice, unknown> = z.unknown().transform((value, ctx) => {
  const parsed = parseIvantiDevice(value);
  if (parsed.ok) return parsed.device;
  for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

/** A device space (partition). Its `id` is the `dmPartitionId` every device call takes. */
export const DeviceSpace = z
  .looseObject({
    id: IntLike,
    name: z.string(),
    defaultPartition: OptionalBool,
    deviceCount: OptionalInt,
    priority: OptionalInt,
  })
  .transform((v) => ({
    id: v.id,
    name: v.name,
    defaultSpace: v.defaultPartition ?? false,
    /** As the spaces list reports it; Test Configuration counts with a search instead (the list may be stale). */
    listedDeviceCount: v.deviceCount,
    priority: v.priority,
  }));
export type DeviceSpace = z.output<typeof DeviceSpace>;

/**
 * Search envelope: `{"errors": null, "result": {"searchResults": [...], "totalCount": n, ...}}` [doc]. Items are
 * kept unparsed here so that one bad record can be reported alone instead of failing the page.
 */
export const IvantiSearchEnvelope = z.looseObject({
  errors: z.unknown().optional(),
  result: z.looseObject({
    searchResults: z
      .array(z.unknown())
      .nullish()
      .transform((v) => v ?? []),
    totalCount: IntLike.pipe(z.number().int().nonnegative()),
    offset: z.unknown().optional(),
    limit: z.unknown().optional(),
  }),
});

/** `/device/{id}` answers `{"errors": null, "result": {…record…}}` [code]. */
export const IvantiItemEnvelope = z.looseObject({
  errors: z.unknown().optional(),
  result: z.record(z.string(), z.unknown()),
});

export const IvantiFieldError = z.looseObject({
  code: OptionalText,
  message: OptionalText,
  field: OptionalText,
});
export type IvantiFieldError = z.output<typeof IvantiFieldError>;

/**
 * The documented error envelope (rows > 500 → HTTP 400):
 * `{"errors": {"globalErrors": null, "fieldErrors": [{"code": "Range", "message": "must be between 1 and 500",
 * "field": "rows"}]}, "result": null}`. `globalErrors` has no documented shape: strings and `{message}` objects are
 * both accepted.
 */
export const IvantiErrorEnvelope = z.looseObject({
  errors: z.looseObject({
    globalErrors: z
      .array(z.union([z.string(), z.looseObject({ message: OptionalText })]))
      .nullish()
      .transform((v) => (v ?? []).map((e) => (typeof e === 'string' ? e : e.message)).filter((m): m is string => !!m)),
    fieldErrors: z
      .array(IvantiFieldError)
      .nullish()
      .transform((v) => v ?? []),
  }),
  result: z.unknown().optional(),
});
export type IvantiErrorEnvelope = z.output<typeof IvantiErrorEnvelope>;

/** The Ivanti page-size limit: more than 500 rows per request is answered with HTTP 400 [doc]. */
export const IVANTI_MAX_ROWS = 500;
