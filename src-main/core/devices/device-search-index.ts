import fs from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import { createExclusiveFile } from '../app/local-paths';
import type { Db } from '../db/database';
import { sqliteBinding } from '../db/sqlite-binding';
import { PHRASE_CHECK, searchWords } from './device-search-text';
import { SORT_MARKERS_SQL } from './device-sort-markers';
import type { SqlCondition } from './sql-condition';

/**
 * What the full-text index holds for a device, as SQL over a `devices` row aliased `d`, one expression per column of
 * `devices_fts` (migration 0004). Identifiers are indexed as written and with their separators removed, because
 * admins paste MACs, IMEIs and UDIDs both ways (`aa:bb:…` and `aabb…`, `35 209…` and `35209…`).
 */
const FTS_COLUMNS: readonly [column: string, expression: string][] = [
  ['identifier', withCompactForm('d.client_device_identifier', ['-'])],
  ['serial', 'd.serial_number'],
  ['imei', withCompactForm('d.imei', [' ', '-'])],
  ['udid', withCompactForm('d.udid', ['-'])],
  ['mac', withCompactForm('d.wifi_mac', [':', '-'])],
  ['user', 'd.uid'],
  ['email', 'd.email'],
  ['name', "concat_ws(' ', d.display_name, d.device_name)"],
  ['model', "concat_ws(' ', d.model, d.manufacturer)"],
];

/** The text of each column of devices_fts a search may match, as SQL over a `devices` row aliased `d` (for the phrase check, device-selection.ts). */
export const INDEXED_TEXT_SQL: readonly string[] = FTS_COLUMNS.map(([, expression]) => expression);

/**
 * The `devices` columns whose whole text devices_fts holds (FTS_COLUMNS: the column alone, joined to another by a
 * space, or beside its compact form), so that every token of a device's value of one is a token of its indexed text:
 * the sorted keystroke's walk asks the index about a run of one model by the model's tokens (DeviceRepository).
 */
export const INDEXED_WHOLE: ReadonlySet<string> = new Set(FTS_COLUMNS.flatMap(([, expression]) => [...expression.matchAll(/\bd\.(\w+)/g)].map((m) => m[1]!)));

/** What the catch-up writes: the searchable text and the sort markers (migration 0035), which no typed text can match. */
const WRITTEN_COLUMNS: readonly [column: string, expression: string][] = [...FTS_COLUMNS, ['sorts', SORT_MARKERS_SQL]];

function withCompactForm(column: string, separators: string[]): string {
  const compact = separators.reduce((expr, sep) => `replace(${expr}, '${sep}', '')`, column);
  return `iif(${compact} = ${column}, ${column}, ${column} || ' ' || ${compact})`;
}

/**
 * Queued devices applied per transaction. FTS5 flushes its in-memory terms at every commit and merges the segments
 * that makes, so bigger chunks index a backlog faster (500,000 devices: 25.6 s in chunks of 5,000, 12.9 s in chunks
 * of 50,000, 11.3 s in chunks of 200,000); 50,000 holds the write lock about a second. During a sync the queue is
 * applied after each page, a few hundred devices at a time.
 */
const CHUNK = 50_000;

/**
 * How a backlog (more than a CHUNK queued: the end of a bulk load, a migration that queued every device) is merged. Its
 * chunks merge nothing (`automerge` 0, and `crisismerge` at FTS5's most, which also marks the index as behind a
 * backlog between chunks and across a kill), so each flush of FTS5's in-memory terms (~1 MB, ~1,800 devices) leaves a
 * segment; the chunk that ends the backlog merges them all at once ('optimize'), into one segment. Measured on the
 * search index build of a 300,000-device bulk load (build.mjs in issue 19's scratch, the thread's CPU, interleaved,
 * load 5.2-7.6): 2.87-3.25 s against 3.47-3.60 s with six segments merged at a time as before (automerge 6), and the
 * index ends as one segment (44.6 MB) instead of 13 (46.2 MB). Merging six at a time rewrites each term once a level
 * (4 levels at 300,000 devices, more at a million); one merge of every segment rewrites it once. Left to FTS5's own
 * merge of the last chunk's segments (crisismerge 16 at its first flush) instead: 3.04-3.32 s and 9 segments left.
 * Larger or smaller in-memory terms (hashsize 256 KB, 512 KB, 4 MB) were no faster.
 */
const BACKLOG_AUTOMERGE = 0;
/** FTS5's largest `crisismerge` (FTS5_MAX_SEGMENT - 1): a backlog of a million devices leaves ~560 segments. */
const BACKLOG_CRISISMERGE = 1999;
/** SQLite's `crisismerge` when devices_fts_config holds none. */
const DEFAULT_CRISISMERGE = 16;
/** SQLite's `automerge` when devices_fts_config holds none. */
const DEFAULT_AUTOMERGE = 4;

/**
 * Merging the index into one segment (merge) makes each lookup seek one segment instead of several: testing one device
 * against a term (matchingAmong, the sorted keystroke's walk) cost 47 µs of CPU at 100,000 devices before and 4.3 µs
 * after, 27.8 µs and 12.3 µs at a million. But the merge of a million devices' index cost 186 s of CPU (48 steps, load
 * average 7), more than half a first sync: a sync's small catch-ups merge no more than FTS5's automerge does (issue 19
 * leaves running it off the sync's path, e.g. when the console is idle, to a successor). A backlog's catch-up (a first
 * sync, a migration that queued every device) does end as one segment, for less than merging six at a time cost
 * (BACKLOG_AUTOMERGE): its segments are merged once, all at once, as it ends.
 */
/**
 * Pages of merged index one merge step writes (about 8 MB), each step its own transaction: a kill loses one step at
 * most, and the WAL checkpointer can run between steps. At 100,000 devices the whole merge was 6 steps, 2.3 s of CPU.
 */
const MERGE_STEP_PAGES = 2000;
/**
 * The most terms a typed prefix is asked as (termsOfPrefix): FTS5 walks an OR of terms lazily, one cursor each, so a
 * first page of 100 costs ~0.3 ms with 17 terms at a million devices; a prefix with more is left to FTS5's own prefix
 * query (a two-character one reads the prefix index, which holds its merged list already).
 */
export const MAX_PREFIX_TERMS = 64;

/**
 * The first terms of a prefix termsOfPrefix reads one seek each (devices_fts_instances) before it lists the rest with
 * their counts (devices_fts_terms). A seek costs ~20-70 µs at 300,000 devices, whatever the term; counting costs ~15-25
 * ns a device of the term, so it is the common terms that count dearly (`acmecorp`, 666,000 devices at a million, ~10
 * ms), and those are a prefix's only terms or among its first. Measured on bench:search's 300,000 devices (load 9,
 * best of five, 59 prefixes of common words): listing them all 57.8 ms by counting, 5.1 / 6.7 / 9.9 / 31.0 ms with 4 /
 * 8 / 16 / 65 seeks first, the slowest prefix 9.34 ms by counting (`acmeco`), 0.47 ms with 8 seeks.
 */
const SEEKED_PREFIX_TERMS = 8;

/**
 * The widest range of device ids a match set (DeviceSearchIndex.matchSet) spans, one byte an id: 16 MB. Ids are given
 * in insertion order and kept until a purge, so a million devices span about a million.
 */
const MAX_MATCH_SET_SPAN = 16 * 1024 * 1024;

const COMMA = 0x2c;
const DIGIT_0 = 0x30;

/** The decimal number of ASCII digits that starts at `at` of `text` and runs to a comma or the end. */
function decimalAt(text: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < text.length && text[i] !== COMMA; i++) n = n * 10 + text[i]! - DIGIT_0;
  return n;
}

/** The lowest and highest of the decimal numbers, joined by commas, that `text` holds (at least one). */
function idRange(text: Buffer): [number, number] {
  let lowest = Number.MAX_SAFE_INTEGER;
  let highest = 0;
  for (let at = 0, id = 0; at < text.length; at++) {
    const c = text[at]!;
    if (c !== COMMA) id = id * 10 + c - DIGIT_0;
    if (c === COMMA || at === text.length - 1) {
      lowest = Math.min(lowest, id);
      highest = Math.max(highest, id);
      id = 0;
    }
  }
  return [lowest, highest];
}

/**
 * Keeps `devices_fts` in step with `devices`. Triggers queue every inserted, changed or deleted device in
 * `devices_fts_pending` (see migration 0004 for why they do not write the index themselves); `catchUp` applies the
 * queue in bulk. Every search calls it first, so a search never misses a device written before it, whoever wrote it.
 */
export class DeviceSearchIndex {
  readonly #hasPending: Statement;
  readonly #boundary: Statement;
  /** Prepared at the first catch-up: it writes today's columns, which a database of an older schema lacks. */
  #applyChunk: ((upTo: number, backlog: boolean) => number) | null = null;
  readonly #mergeStep: Statement;
  readonly #totalChanges: Statement;
  /**
   * The longest prefix devices_fts keeps an index of, from its declaration (`prefix = '2'` since migration 0021, `'2 3'`
   * before): 0 when it keeps none. What the search benchmark reports beside the index's bytes.
   */
  readonly indexedPrefix: number;
  #matching: Statement | null = null;
  #matchIds: Statement | null = null;
  #prefixIds: Statement | null = null;
  #terms: Statement | null = null;
  #nextTerm: Statement | null = null;
  readonly #listsTerms: boolean;

  /**
   * `deferWhile`: while it answers true, another thread keeps the index (the sync worker, during a run and the work
   * after it) and `catchUp` here writes nothing: two writers would only queue behind each other's locks, and a wait
   * for SQLite's lock blocks this thread. Readers ask that thread to catch up first (DeviceServices.indexReady).
   */
  constructor(
    private readonly db: Db,
    private readonly options: { deferWhile?: () => boolean } = {},
  ) {
    this.indexedPrefix = indexedPrefixOf(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_fts'").pluck().get() as string | undefined);
    // Before migration 0031 (an upgrade test's older schema) a prefix is left to FTS5's prefix query.
    this.#listsTerms = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'devices_fts_instances'").get() !== undefined;
    this.#hasPending = db.prepare('SELECT EXISTS (SELECT 1 FROM devices_fts_pending) AS pending').pluck();
    this.#boundary = db.prepare('SELECT device_id FROM devices_fts_pending ORDER BY device_id LIMIT 1 OFFSET ?').pluck();
    // A negative page count makes every segment eligible, whatever its level: step by step, FTS5's 'optimize'.
    this.#mergeStep = db.prepare("INSERT INTO devices_fts (devices_fts, rank) VALUES ('merge', ?)");
    this.#totalChanges = db.prepare('SELECT total_changes()').pluck();
  }

  #chunkApplier(): (upTo: number, backlog: boolean) => number {
    const dropStale = this.db.prepare('DELETE FROM devices_fts WHERE rowid IN (SELECT device_id FROM devices_fts_pending WHERE indexed = 1 AND device_id <= ?)');
    const index = this.db.prepare(
      `INSERT INTO devices_fts (rowid, ${WRITTEN_COLUMNS.map(([c]) => c).join(', ')})
       SELECT d.id, ${WRITTEN_COLUMNS.map(([, e]) => e).join(', ')}
         FROM devices_fts_pending p JOIN devices d ON d.id = p.device_id
        WHERE p.device_id <= ?`,
    );
    const dequeue = this.db.prepare('DELETE FROM devices_fts_pending WHERE device_id <= ?');
    const setting = this.db.prepare('SELECT v FROM devices_fts_config WHERE k = ?').pluck();
    // Bound as an integer: FTS5 refuses a REAL (a JS number binds as one).
    const set = this.db.prepare('INSERT INTO devices_fts (devices_fts, rank) VALUES (?, ?)');
    const optimize = this.db.prepare("INSERT INTO devices_fts (devices_fts) VALUES ('optimize')");
    // IMMEDIATE: the chunk reads the merge settings before its first write, and a deferred transaction would take its
    // snapshot there; if another connection (the WAL checkpointer's TRUNCATE, a sync worker) then committed while this
    // one waited for the write lock, the upgrade would fail at once with SQLITE_BUSY_SNAPSHOT ("database is locked")
    // instead of waiting. Taking the lock first, the chunk waits like any write (busy_timeout) and reads what is current.
    return this.db.transaction((upTo: number, backlog: boolean) => {
      // FTS5 stores the settings (devices_fts_config): set inside the chunk's transaction, so a kill or a failure
      // mid-chunk rolls them back with the chunk. `automerge` is given back at the chunk's end; `crisismerge` stays
      // BACKLOG_CRISISMERGE until the chunk that ends the backlog has merged it.
      const own = (setting.get('automerge') as number | undefined) ?? DEFAULT_AUTOMERGE;
      const behindBacklog = setting.get('crisismerge') === BACKLOG_CRISISMERGE;
      if (backlog || behindBacklog) set.run('automerge', BigInt(BACKLOG_AUTOMERGE));
      if (backlog && !behindBacklog) set.run('crisismerge', BigInt(BACKLOG_CRISISMERGE));
      dropStale.run(upTo);
      index.run(upTo);
      const applied = dequeue.run(upTo).changes;
      if (!backlog && behindBacklog) {
        optimize.run();
        set.run('crisismerge', BigInt(DEFAULT_CRISISMERGE));
      }
      if (backlog || behindBacklog) set.run('automerge', BigInt(own));
      return applied;
    }).immediate;
  }

  /**
   * Which of `ids` the typed text matches, in their order, testing each device's own text (the columns devices_fts
   * indexes, tokenized as it tokenizes them: PHRASE_CHECK with every typed word) instead of the index: the sorted
   * keystroke's walk tests the rows it reaches one by one, and an FTS5 lookup per row cost 15-170 µs of CPU at 100,000
   * devices (it opens a cursor and seeks every segment; without positions, migration 0025, most terms cost the upper
   * end), reading the row and testing its text about 6 µs, exactly, whatever the prefix's length.
   */
  matchingAmong(ids: readonly number[], text: string): number[] {
    if (searchWords(text).length === 0 || ids.length === 0) return [];
    const check = this.textCheck(text);
    this.#matching ??= this.db.prepare(`SELECT j.value FROM json_each(?) j JOIN devices d ON d.id = j.value WHERE ${check.sql} ORDER BY j.key`).pluck();
    return this.#matching.all(JSON.stringify(ids), ...check.params) as number[];
  }

  /**
   * Whether a device `d` matches the typed text, tested on its own text as matchingAmong tests it: 1 or 0, reading the
   * row. A listing of a superset of the text's matches keeps the candidates it passes (DeviceRepository).
   */
  textCheck(text: string): SqlCondition {
    return { sql: `${PHRASE_CHECK}(?, ${INDEXED_TEXT_SQL.join(', ')})`, params: [JSON.stringify(searchWords(text))] };
  }

  /**
   * The devices an FTS5 MATCH expression selects, as a condition over `d` that tests a device's id in a byte array
   * (`substr` of a BLOB is one offset): the sorted keystroke's walk checks it at every index entry it passes. FTS5
   * merges every term of a long prefix query (`tur*`: 1,001 terms, the e-mail tokens `turing0` to `turing999`) before
   * its first row, ~16 ms of CPU at a million devices, at each statement that asks it; listed here once, the keystroke
   * asks it once. Checked at ~20 ns an entry it also costs a fifth of `d.id IN (SELECT rowid FROM devices_fts …)`'s
   * lookup in the list SQLite builds (~100 ns): `tur` by uid walks 389,450 entries before its first match, 56 → 22 ms.
   * Null when the matches span more ids than MAX_MATCH_SET_SPAN.
   */
  matchSet(match: string): { condition: SqlCondition; size: number } | null {
    // The ids as one text of decimal numbers read as bytes, parsed here: `iphone`'s 266,971 at a million devices cost
    // 18.9 ms of CPU against 28.3 as json_group_array and JSON.parse into an array (median of seven, load 4.2; reading
    // the FTS list alone costs 9.1).
    const listed = this.#listedIds(match);
    const text = listed.ids ?? Buffer.alloc(0);
    // FTS5 hands out rowids in ascending order: the first number is the lowest, the last the highest. The term
    // instances' are not in order: found in a first pass (collecting the ids instead cost `ac`'s 680,000 ~10 ms more).
    const [first, highest] = text.length === 0 ? [0, -1] : listed.ascending ? [decimalAt(text, 0), decimalAt(text, text.lastIndexOf(COMMA) + 1)] : idRange(text);
    const span = highest - first + 1;
    if (span > MAX_MATCH_SET_SPAN) return null;
    const bytes = Buffer.alloc(span);
    let size = 0;
    for (let at = 0, id = 0; at < text.length; at++) {
      const c = text[at]!;
      if (c !== COMMA) id = id * 10 + c - DIGIT_0;
      if (c === COMMA || at === text.length - 1) {
        // A device listed under several terms of a prefix (#listedIds) counts once.
        if (bytes[id - first] === 0) size += 1;
        bytes[id - first] = 1;
        id = 0;
      }
    }
    // `d.id >= first` first: substr counts a position below 1 from the blob's end.
    return { condition: { sql: "d.id >= ? AND substr(?, d.id - ?, 1) = x'01'", params: [first, bytes, first - 1] }, size };
  }

  /**
   * The ids `match` selects as decimal numbers joined by commas (null when none), and whether in ascending order. A
   * prefix FTS5 merges (one token's, longer than the prefix index's: `"ada"*`) is read from the index's list of term
   * instances instead, each term's devices in turn, which skips the merge: `ada` (710 terms) 18 → 10 ms of CPU at a
   * million devices, `tur` (1,001), `lov`, `hop` 20 → 15 (median of seven, load 7). Not in id order, and a device under
   * several of the terms is listed once for each. The instances leave out deleted devices as the FTS table does
   * (contentless_delete's tombstones).
   */
  #listedIds(match: string): { ids: Buffer | null; ascending: boolean } {
    const prefix = this.#listsTerms ? mergedPrefixOf(match, this.indexedPrefix) : null;
    const end = prefix === null ? null : prefixTermsEnd(prefix);
    if (end !== null) {
      this.#prefixIds ??= this.db.prepare('SELECT CAST(group_concat(doc) AS BLOB) FROM devices_fts_instances WHERE term >= ? AND term < ?').pluck();
      return { ids: this.#prefixIds.get(prefix, end) as Buffer | null, ascending: false };
    }
    this.#matchIds ??= this.db.prepare('SELECT CAST(group_concat(rowid) AS BLOB) FROM devices_fts WHERE devices_fts MATCH ?').pluck();
    return { ids: this.#matchIds.get(match) as Buffer | null, ascending: true };
  }

  /**
   * Every term of the index that starts with `prefix` (a token as the index's tokenizer leaves it), or null when there
   * are more than MAX_PREFIX_TERMS or the prefix index serves it: a search asks a prefix as its few terms
   * (ftsMatchExpression), because FTS5 merges every such term's row ids into one list before the first row of a prefix
   * query, and without positions (migration 0025) that costs ~60 ms for `acmecorp*` at a million devices, against 0.1 ms for the same rows asked as the terms.
   * Both vocab tables read the index's own term list, from the prefix on, in the index's (byte) order:
   * devices_fts_instances (migration 0031) yields a term with its first device, one seek, and devices_fts_terms
   * (migration 0030) counts each term's devices before it yields it. The first SEEKED_PREFIX_TERMS terms are sought one
   * by one, the rest listed with their counts: a prefix of a few common terms costs a few seeks, one of many rare terms
   * a few seeks and a short count.
   */
  termsOfPrefix(prefix: string): string[] | null {
    const points = Array.from(prefix);
    // A prefix no longer than the prefix index's is read from it, one list already merged.
    if (!this.#listsTerms || points.length <= this.indexedPrefix) return null;
    const after = prefixTermsEnd(prefix);
    if (after === null) return null;
    this.#nextTerm ??= this.db.prepare('SELECT term FROM devices_fts_instances WHERE term >= ? AND term < ? LIMIT 1').pluck();
    this.#terms ??= this.db.prepare('SELECT term FROM devices_fts_terms WHERE term >= ? AND term < ? LIMIT ?').pluck();
    const terms: string[] = [];
    // No term holds U+0000 (the tokenizer splits on it): the next term after `term` is the first from `term` + U+0000.
    let from = prefix;
    while (terms.length < SEEKED_PREFIX_TERMS) {
      const term = this.#nextTerm.get(from, after) as string | undefined;
      if (term === undefined) return terms;
      terms.push(term);
      from = `${term}\0`;
    }
    terms.push(...(this.#terms.all(from, after, MAX_PREFIX_TERMS + 1 - terms.length) as string[]));
    return terms.length > MAX_PREFIX_TERMS ? null : terms;
  }

  /** Whether some written device is not searchable yet. */
  isBehind(): boolean {
    return this.#hasPending.get() === 1;
  }

  /**
   * Applies every queued change (unless deferred), or the first `chunks` transactions' worth of it; returns how many
   * devices were (re)indexed or dropped.
   */
  catchUp(onChunk?: (applied: number) => void, chunks = Number.POSITIVE_INFINITY): number {
    if (this.options.deferWhile?.()) return 0;
    let applied = 0;
    for (let done = 0; done < chunks && this.isBehind(); done++) {
      const boundary = this.#boundary.get(CHUNK - 1) as number | undefined;
      // More than a CHUNK queued: a chunk of a backlog, which another chunk ends (BACKLOG_AUTOMERGE).
      const backlog = boundary !== undefined && this.#boundary.get(CHUNK) !== undefined;
      this.#applyChunk ??= this.#chunkApplier();
      const chunk = this.#applyChunk(boundary ?? Number.MAX_SAFE_INTEGER, backlog);
      applied += chunk;
      onChunk?.(chunk);
    }
    return applied;
  }

  /**
   * Merges the index into one segment, MERGE_STEP_PAGES at a time, each step committed on its own (outside a
   * transaction of the caller's); returns the steps that did work, none when it already is one segment. FTS5 reports
   * no result for 'merge': a step that wrote nothing changed fewer than 2 rows (SQLite's documented test).
   */
  merge(onStep?: (steps: number) => void): number {
    if (this.options.deferWhile?.()) return 0;
    let steps = 0;
    for (;;) {
      const before = this.#totalChanges.get() as number;
      this.#mergeStep.run(-MERGE_STEP_PAGES);
      if ((this.#totalChanges.get() as number) - before < 2) return steps;
      steps += 1;
      onStep?.(steps);
    }
  }
}

/**
 * The end of the terms that start with `prefix`: they are exactly those from it up to, not including, the prefix with
 * its last character's successor (UTF-8's byte order is the code points' order); null when it has none.
 */
export function prefixTermsEnd(prefix: string): string | null {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last === 0x10ffff) return null;
  return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
}

/** The token of a MATCH expression that is one prefix query and nothing else (`"ada"*`), when it is longer than the prefix index's. */
function mergedPrefixOf(match: string, indexedPrefix: number): string | null {
  const token = /^"((?:[^"]|"")+)"\*$/.exec(match)?.[1]?.replaceAll('""', '"');
  return token !== undefined && Array.from(token).length > indexedPrefix ? token : null;
}

/** The longest of the prefix lengths an FTS5 table's declaration names (`prefix = '2 3'` → 3), 0 without any. */
export function indexedPrefixOf(declaration: string | undefined): number {
  const lengths = /\bprefix\s*=\s*'([\d\s]*)'/i.exec(declaration ?? '')?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  return Math.max(0, ...lengths.filter((n) => Number.isInteger(n)));
}

/** The `devices` columns the search index's text is made of: every `d.` column WRITTEN_COLUMNS' expressions name. */
const SOURCE_COLUMNS: readonly string[] = [...new Set(WRITTEN_COLUMNS.flatMap(([, expression]) => [...expression.matchAll(/\bd\.(\w+)/g)].map((m) => m[1]!)))];

/**
 * V8's young generation of the search index build's thread: it runs SQL statements and keeps nothing between them, so
 * 2 MB is room enough (as the WAL checkpointer's thread).
 */
const SEARCH_INDEX_BUILD_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 2 };

/**
 * The page cache (KiB) of each database the search index build's connection uses, the main one and its own file. At
 * this build's default of 16,000 KiB each (better-sqlite3's SQLITE_DEFAULT_CACHE_SIZE), malloc kept what the thread
 * had grown after it ended (glibc keeps a finished thread's arena for the next one): after a first sync of 300,000
 * devices its arena held 43.5 MB, 0.4 MB of it in use; with 2,000 KiB, 13.4 MB (gdb malloc_stats, issue 19). Two
 * interleaved pairs, load 4-7.6, RSS after the first sync 218-248 MB against 186-211, its peak 247-253 against
 * 230-235, the re-syncs' peaks 231-265 against 223-241. The build is no slower: bench:sync --storage-path-only at
 * 100,000, three pairs, load 4.7-6.3: process CPU 8.7-9.6 s against 8.9-9.1, the wait for the thread and the move
 * after the index builds 0.24-0.46 s against 0.24-0.37.
 */
const SEARCH_INDEX_BUILD_PAGE_CACHE_KIB = 2000;

/** The build's shared signals (SearchIndexBuild): STOP asks the thread to end, QUEUE_COMPLETE says no device is queued any more. */
const STOP = 0;
const QUEUE_COMPLETE = 1;

/**
 * The niceness of a thread that follows a load (SearchIndexBuild.follow; Linux, setpriority on the thread alone): the
 * default, 0, leaves it at the niceness of the thread that starts it (the sync worker's: UI_SYNC_WORKER_NICENESS in the
 * desktop app), as the load's other threads are. The lowest priority, 19, was meant to let it run only on the time a
 * core idles during the load, but once lowered a priority stays so (raising it needs a privilege), and after the load
 * the index builds (the writing thread and its two sorter helpers) keep both cores busy: the thread then got little
 * until they had ended, and its last chunk and merge ran alone after them. bench:sync --storage-path-only, interleaved,
 * machine at load 7.9-11.7 on two cores: the wait for it after the index builds (searchIndexSeconds) 2.52 / 4.98 / 2.60
 * s at 19 against 0.74 / 2.03 / 1.90 at 0 at 300,000 devices, and 1.47-1.87 against 0.57-0.62 at 100,000; the storage
 * path's wall too noisy at that load to say more (62.9 / 50.4 / 63.1 s against 50.2 / 69.8 / 90.3). Kept a parameter
 * for bench:sync's A/B (--follow-niceness) on a quiet machine.
 */
export const FOLLOWING_NICENESS = 0;

/** How long a thread that follows a load waits before it looks for another whole chunk of the queue. */
const FOLLOW_POLL_MS = 250;

/**
 * The page size of the file the search index is built in (the database's own stays 4,096). The thread writes each
 * chunk's copy of the source columns and the index's segments there and reads them back (the index, the backlog's
 * merge, the move) through a 2,000 KiB page cache (SEARCH_INDEX_BUILD_PAGE_CACHE_KIB), so most pages go to the file
 * and come back, a system call each: pread and pwrite were 12 % of the thread's CPU at 4,096 (perf, 300,000 devices).
 * Measured (scratch build.mjs: the thread's copy and index of a 300,000-device bulk load, thread CPU, three interleaved
 * rounds, load 6.7-7): 3.29 / 3.44 / 3.39 s at 4,096, 3.03 / 3.26 / 3.07 at 16,384, 3.29 / 3.25 / 3.32 at 8,192. Larger
 * pages cost memory the thread's malloc keeps: its peak RSS 66 MB at 4,096, 68 at 8,192, 72 at 16,384, 79 at 32,768,
 * 94 at 65,536 (which saved no more CPU than 16,384: 2.72-2.85 s of index). A 16,000 KiB page cache at 4,096 instead:
 * 2-4 % less CPU.
 */
const SEARCH_INDEX_BUILD_PAGE_SIZE = 16_384;

/**
 * How long the move waits, holding the write lock, for the comparing thread's answer (COMPARE_SOURCE) before it gives up
 * and moves nothing. The compare reads every device's row, ~0.8 µs of CPU a device, and the move's own copy of the
 * index and dequeue cost about as much, so each runs beside the other. Measured on the move alone of a 300,000-device
 * index (scratch movein.mts, three interleaved pairs, machine at load 10-10.6): the move's thread 492 / 530 / 511 ms
 * of CPU before, 257 / 248 / 259 after, the comparing thread 251 / 247 / 262; the move's wall 1,539 / 1,628 / 1,570 ms
 * against 1,217 / 1,284 / 1,325; process CPU unchanged (524-561 ms against 535-564).
 */
const COMPARE_WAIT_MS = 30_000;

/**
 * How long the build's thread waits for the comparing thread to be ready (at the move), and, as it ends, to close its
 * connection (it then removes the file).
 */
const COMPARER_CLOSE_MS = 2_000;

/** The file beside the database the search index is built in (SearchIndexBuild): made for each build, removed after it. */
export function searchIndexBuildFile(databaseFile: string): string {
  return `${databaseFile}-search-build`;
}

/**
 * The search index of a whole queue, built on another thread in a file of its own while this thread does other work,
 * then moved into the database in one transaction. The end of a bulk load builds the explorer's indexes meanwhile
 * (1.5-1.6 s of CPU at 100,000 devices; the catch-up after them 1.2-1.3 s, both on one core while the other idled).
 * Only into an index that holds no device and has nothing to drop (a first sync): FTS5 cannot merge two indexes, but
 * the shadow tables of an index made by the same declaration are the whole index. What it makes is what catchUp would
 * make of the same rows: the same chunks, in the same order, with the same merge settings, so the same bytes.
 *
 * Its cost, at 100,000 devices (load 4-5): the thread and the move 1.46-1.51 s of CPU against the catch-up's 1.21-1.28;
 * the move, on the critical path, ~0.2 s (comparing the rows 0.10, copying the index 0.035, the queue 0.03). The
 * syncing thread's CPU in bench:sync --storage-path-only fell from 6.1-6.4 s to 4.8-5.3. It pays only with a core to
 * spare: at load 7-8.5 on two cores the end of the load took as long or longer (+0.1-0.5 s of process CPU).
 *
 * A bulk load starts it with its load (`follow`): the thread then indexes each chunk of the queue once the load has
 * committed it and a device after it, and the rest once told the load has ended, so only what it had not caught up
 * with is left for the end of the load. The chunks end, and merge, as catchUp's would.
 *
 * Why it is sound:
 * - The thread reads `devices` in short read transactions (a chunk at a time, as catchUp writes), so checkpoints go on.
 * - A device written after the thread read it would be moved in with its old text: the thread keeps the values of
 *   the columns it read (`sources`), and the move compares them under the write lock with the rows as they are then;
 *   each device that changed or went stays queued as indexed (its entry is dropped and made again by the catch-up
 *   that follows), whoever wrote it. Only the devices moved in as they are leave the queue.
 * - The compare is a second connection's, on a thread of its own (COMPARE_SOURCE), while the move copies the index and
 *   dequeues: it reads only once the move holds the write lock, so no other connection commits between its snapshot
 *   and the move's commit, and it does not read what the move writes but the queue as it was (to count the devices
 *   dequeued that stay queued). No answer in time moves nothing; a thread that cannot start leaves the compare to the
 *   move's own connection, before it dequeues, as before.
 * - FTS5 keeps an index's structure in memory per connection and reads it again once another connection has committed
 *   (the database's data_version). The move is committed by the thread's own connection, which never opens the main
 *   database's FTS5 table (it writes the shadow tables, with SQLite's defensive mode off for that connection alone),
 *   so every other connection reads the moved index at its next statement.
 * - A crash at any point before the move's commit leaves the queue and the empty index as they were: the next start
 *   makes the index as before (and removes the file). The move itself is one transaction.
 * - Anything unexpected (the thread cannot start, the index was written meanwhile, the FTS5 settings differ) moves
 *   nothing, and the catch-up does it all, as without this.
 */
export class SearchIndexBuild {
  readonly #worker: Worker;
  /** STOP and QUEUE_COMPLETE, shared with the thread. */
  readonly #signals: Int32Array;
  /** Settles once the thread has built the index (true), or has ended without (false). */
  readonly built: Promise<boolean>;
  readonly #exited: Promise<void>;
  /** The thread's answer to 'move': -1 when it ended without one. */
  readonly #movedAnswer: Promise<number>;
  #moved: Promise<number> | null = null;
  #pageCacheKib: { main: number; build: number } | null = null;
  #indexedWhileLoading: number | null = null;

  private constructor(file: string, buildFile: string, niceness: number | null) {
    const signals = new SharedArrayBuffer(4 * 2);
    this.#signals = new Int32Array(signals);
    if (niceness === null) Atomics.store(this.#signals, QUEUE_COMPLETE, 1);
    this.#worker = new Worker(BUILD_SOURCE, {
      eval: true,
      workerData: {
        modulePath: require.resolve('better-sqlite3'),
        nativeBinding: sqliteBinding(),
        file,
        buildFile,
        signals,
        niceness,
        pollMs: FOLLOW_POLL_MS,
        sourceColumns: SOURCE_COLUMNS,
        columns: WRITTEN_COLUMNS.map(([c]) => c),
        expressions: WRITTEN_COLUMNS.map(([, e]) => e),
        chunk: CHUNK,
        backlogAutomerge: BACKLOG_AUTOMERGE,
        defaultAutomerge: DEFAULT_AUTOMERGE,
        backlogCrisismerge: BACKLOG_CRISISMERGE,
        defaultCrisismerge: DEFAULT_CRISISMERGE,
        pageCacheKib: SEARCH_INDEX_BUILD_PAGE_CACHE_KIB,
        pageSize: SEARCH_INDEX_BUILD_PAGE_SIZE,
        compareSource: COMPARE_SOURCE,
        compareWaitMs: COMPARE_WAIT_MS,
        comparerCloseMs: COMPARER_CLOSE_MS,
        threadLimits: SEARCH_INDEX_BUILD_THREAD_LIMITS,
      },
      resourceLimits: SEARCH_INDEX_BUILD_THREAD_LIMITS,
    });
    const answers = new Map<string, (value: number) => void>();
    const built = new Promise<number>((resolve) => answers.set('built', resolve));
    const moved = new Promise<number>((resolve) => answers.set('moved', resolve));
    this.#worker.on('message', (message: { type: string; devices: number; indexedWhileLoading?: number; pageCacheKib?: { main: number; build: number } }) => {
      if (message.pageCacheKib) this.#pageCacheKib = message.pageCacheKib;
      if (message.indexedWhileLoading !== undefined) this.#indexedWhileLoading = message.indexedWhileLoading;
      answers.get(message.type)?.(message.devices);
    });
    this.#exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    // A thread that fails or ends early answers nothing more: whatever was not answered is 0, nothing moved.
    const none = () => {
      for (const answer of answers.values()) answer(-1);
    };
    this.#worker.on('error', none);
    void this.#exited.then(none);
    this.built = built.then((devices) => devices >= 0);
    this.#movedAnswer = moved.then((devices) => Math.max(0, devices));
  }

  /**
   * Starts building the index of every queued device on another thread, or answers null when this database's index
   * does not qualify (it holds devices, or devices to drop, or none are queued) or the thread cannot start.
   */
  static start(db: Db): SearchIndexBuild | null {
    return SearchIndexBuild.#launch(db, null);
  }

  /**
   * Starts building the index of the queue while a bulk load fills it (the load's first page may not be written yet):
   * the thread indexes each whole chunk of the queue as soon as it is committed, and the rest once told the load has
   * ended (`loadEnded`). Null as `start`, but for an empty queue.
   */
  static follow(db: Db, niceness: number = FOLLOWING_NICENESS): SearchIndexBuild | null {
    return SearchIndexBuild.#launch(db, niceness);
  }

  /** `niceness` null: the queue is complete (`start`); else the thread follows a load at that niceness. */
  static #launch(db: Db, niceness: number | null): SearchIndexBuild | null {
    const following = niceness !== null;
    if (db.memory || db.name === '') return null;
    // Whether or not this one qualifies, a file a crash left (a load killed while its thread followed it) goes.
    SearchIndexBuild.removeFile(db.name);
    const qualifies = db
      .prepare(
        `SELECT ${following ? '' : 'EXISTS (SELECT 1 FROM devices_fts_pending) AND'} NOT EXISTS (SELECT 1 FROM devices_fts_pending WHERE indexed = 1) AND NOT EXISTS (SELECT 1 FROM devices_fts_docsize)`,
      )
      .pluck()
      .get();
    if (qualifies !== 1) return null;
    const buildFile = searchIndexBuildFile(db.name);
    try {
      // Owner-only, as the database: it holds the devices' identifiers.
      fs.closeSync(createExclusiveFile(buildFile, 'search index build file'));
      return new SearchIndexBuild(db.name, buildFile, niceness);
    } catch {
      SearchIndexBuild.removeFile(db.name);
      return null;
    }
  }

  /** Tells a thread that follows a load (`follow`) that every device of it is committed: it indexes the rest. */
  loadEnded(): void {
    Atomics.store(this.#signals, QUEUE_COMPLETE, 1);
    Atomics.notify(this.#signals, QUEUE_COMPLETE);
  }

  /** Removes the file a build left (a crash stopped it before it removed its file itself). */
  static removeFile(databaseFile: string): void {
    for (const suffix of ['', '-journal']) fs.rmSync(`${searchIndexBuildFile(databaseFile)}${suffix}`, { force: true });
  }

  /**
   * Once the thread has built the index, moves it in (the thread commits it) and answers how many devices left the
   * queue; 0 when nothing was moved, and the catch-up indexes them all. Never fails. The thread then ends.
   */
  moveIn(): Promise<number> {
    this.#moved ??= this.built.then(async (built) => {
      if (!built) return 0;
      this.#worker.postMessage('move');
      const devices = await this.#movedAnswer;
      await this.#exited;
      return devices;
    });
    return this.#moved;
  }

  /**
   * How many devices the thread had indexed before it saw that the load had ended (`loadEnded`; 0 for `start`), once
   * it has built the index: what bench:sync reports of following the load.
   */
  get indexedWhileLoading(): number | null {
    return this.#indexedWhileLoading;
  }

  /** The page cache (KiB) of each database the thread's connection built with, once it has built the index. */
  get pageCacheKib(): { main: number; build: number } | null {
    return this.#pageCacheKib;
  }

  /** Stops the thread, after its current chunk or move, and waits until it has ended (its file removed). */
  async stop(): Promise<void> {
    Atomics.store(this.#signals, STOP, 1);
    Atomics.notify(this.#signals, QUEUE_COMPLETE);
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}

/**
 * CommonJS, evaluated in the thread: no bundler sees it, so it names better-sqlite3 by the path main resolved. The
 * index is made in the file attached as `build` from a copy of each chunk's source columns (`sources`), by the same
 * expressions catchUp writes, each chunk one transaction as catchUp's. It says 'built', and moves the index in when
 * told to; it removes its file whatever happens.
 */
const BUILD_SOURCE = `
const fs = require('node:fs');
const { MessageChannel, Worker, parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const { file, buildFile, sourceColumns, columns, expressions, chunk, backlogAutomerge, defaultAutomerge, backlogCrisismerge, defaultCrisismerge, pageCacheKib, pageSize, niceness, pollMs, compareWaitMs, comparerCloseMs } = workerData;
const signals = new Int32Array(workerData.signals);
const [STOP, QUEUE_COMPLETE] = [0, 1];
const [READY, DONE] = [0, 1];
const stopped = () => Atomics.load(signals, STOP) !== 0;
if (niceness !== null && niceness !== 0) {
  // For this thread alone (FOLLOWING_NICENESS): on Linux a thread id names the thread to setpriority. lowerThreadPriority
  // (app/thread-priority.ts) does the same; this thread's source is a string, run in a bundle, and cannot import it.
  try { require('node:os').setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), niceness); } catch {}
}
const db = new Database(file, { timeout: 5000, nativeBinding: workerData.nativeBinding });
const sources = sourceColumns.join(', ');
const values = (alias) => sourceColumns.map((c) => alias + '.' + c).join(', ');
// The devices the thread read whose rows have changed or gone since, as the move compares them (SearchIndexBuild).
const changed = 'FROM build.sources s LEFT JOIN main.devices d ON d.id = s.id WHERE d.id IS NULL OR (' + values('d') + ') IS NOT (' + values('s') + ')';
// COMPARE_SOURCE's thread, started once the index is built: null until then, or when it cannot start.
let comparer = null;
const startComparer = () => {
  try {
    const { port1, port2 } = new MessageChannel();
    const state = new Int32Array(new SharedArrayBuffer(4 * 2));
    // Each changed device, and whether it was queued as not indexed (1) before the move dequeued it.
    const changedSql = 'SELECT s.id, EXISTS (SELECT 1 FROM main.devices_fts_pending p WHERE p.device_id = s.id AND p.indexed = 0) ' + changed;
    const worker = new Worker(workerData.compareSource, {
      eval: true,
      workerData: { modulePath: workerData.modulePath, nativeBinding: workerData.nativeBinding, file, buildFile, pageCacheKib, changedSql, state: state.buffer, port: port2 },
      transferList: [port2],
      resourceLimits: workerData.threadLimits,
    });
    worker.on('error', () => {});
    return { worker, port: port1, state };
  } catch {
    return null;
  }
};
const end = () => {
  if (comparer !== null) {
    // Its connection closed before the file goes: one that attached it after would make it again.
    comparer.port.postMessage('close');
    Atomics.wait(comparer.state, DONE, 0, comparerCloseMs);
    comparer.port.close();
    void comparer.worker.terminate();
  }
  db.close();
  for (const suffix of ['', '-journal']) fs.rmSync(buildFile + suffix, { force: true });
  parentPort.close();
};
try {
  db.prepare('ATTACH ? AS build').run(buildFile);
  // SEARCH_INDEX_BUILD_PAGE_CACHE_KIB: what the thread's malloc grows, it keeps after the thread ends.
  db.pragma('main.cache_size = ' + -pageCacheKib);
  db.pragma('build.cache_size = ' + -pageCacheKib);
  // SEARCH_INDEX_BUILD_PAGE_SIZE: set while the file is empty, before its first table.
  db.pragma('build.page_size = ' + pageSize);
  // Nothing in it must survive a crash: no journal, no syncs.
  db.pragma('build.journal_mode = OFF');
  db.pragma('build.synchronous = OFF');
  const declaration = db.prepare("SELECT sql FROM main.sqlite_schema WHERE name = 'devices_fts'").pluck().get();
  db.exec(declaration.replace(/^CREATE VIRTUAL TABLE devices_fts\\b/i, 'CREATE VIRTUAL TABLE build.devices_fts'));
  db.exec('CREATE TABLE build.sources (id INTEGER PRIMARY KEY, ' + sources + ')');
  const automerge = BigInt(db.prepare("SELECT v FROM main.devices_fts_config WHERE k = 'automerge'").pluck().get() ?? defaultAutomerge);
  const boundary = db.prepare('SELECT device_id FROM main.devices_fts_pending WHERE device_id > ? ORDER BY device_id LIMIT 1 OFFSET ?').pluck();
  const copy = db.prepare('INSERT INTO build.sources (id, ' + sources + ') SELECT d.id, ' + values('d') + ' FROM main.devices_fts_pending p JOIN main.devices d ON d.id = p.device_id WHERE p.device_id > ? AND p.device_id <= ?');
  const index = db.prepare('INSERT INTO build.devices_fts (rowid, ' + columns.join(', ') + ') SELECT d.id, ' + expressions.join(', ') + ' FROM build.sources d WHERE d.id > ? AND d.id <= ?');
  const set = db.prepare('INSERT INTO build.devices_fts (devices_fts, rank) VALUES (?, ?)');
  const optimize = db.prepare("INSERT INTO build.devices_fts (devices_fts) VALUES ('optimize')");
  let devices = 0;
  let behindBacklog = false;
  // Indexed before the thread saw the load's end: what following it saved the end of the load (SearchIndexBuild).
  let indexedWhileLoading = null;
  for (let last = 0; !stopped(); ) {
    // Read before the queue: once the queue is complete every device of it is committed.
    const complete = Atomics.load(signals, QUEUE_COMPLETE) !== 0;
    if (complete && indexedWhileLoading === null) indexedWhileLoading = devices;
    const upTo = boundary.get(last, chunk - 1);
    // As catchUp: more than a chunk still queued is a chunk of a backlog, merged by the chunk that ends it.
    const backlog = upTo !== undefined && boundary.get(last, chunk) !== undefined;
    // Until the queue is complete, only a chunk known to be a backlog's (the queue only grows): each chunk then ends
    // where catchUp's would, and is merged as it would be.
    if (!backlog && !complete) {
      Atomics.wait(signals, QUEUE_COMPLETE, 0, pollMs);
      continue;
    }
    const through = upTo ?? Number.MAX_SAFE_INTEGER;
    // Read in a transaction of its own: the main database is read only while a chunk is copied (~1.4 us a device),
    // not while it is indexed, so checkpoints of the other connections' writes are held back no longer than that.
    const copied = copy.run(last, through).changes;
    db.transaction(() => {
      set.run('automerge', backlog || behindBacklog ? BigInt(backlogAutomerge) : automerge);
      if (backlog && !behindBacklog) set.run('crisismerge', BigInt(backlogCrisismerge));
      index.run(last, through);
      if (!backlog && behindBacklog) {
        optimize.run();
        set.run('crisismerge', BigInt(defaultCrisismerge));
      }
      set.run('automerge', automerge);
    })();
    behindBacklog = backlog;
    devices += copied;
    if (upTo === undefined || copied === 0) break;
    last = upTo;
  }
  if (stopped()) {
    end();
  } else {
    const cacheKib = (schema) => -db.pragma(schema + '.cache_size', { simple: true });
    // Started now, so that it is ready when the move is asked for (after the explorer's index builds).
    comparer = startComparer();
    parentPort.postMessage({ type: 'built', devices, indexedWhileLoading, pageCacheKib: { main: cacheKib('main'), build: cacheKib('build') } });
    parentPort.once('message', (message) => {
      if (message !== 'move') return end();
      let moved = 0;
      // The checkpoint that copies the moved index into the database file is the WAL checkpointer's, on its thread, as
      // the run ends (WalCheckpointer.commitLargeLast): left on, SQLite's automatic checkpoint copied it here, inside
      // the move's commit, before the move was answered.
      db.pragma('wal_autocheckpoint = 0');
      db.unsafeMode(true);
      try {
        moved = db.transaction(() => {
          const written = db.prepare('SELECT EXISTS (SELECT 1 FROM main.devices_fts_docsize)').pluck().get() === 1;
          // The merge settings steer only how the index is merged (BACKLOG_AUTOMERGE), not what it holds.
          const settings = "SELECT k, v FROM %.devices_fts_config WHERE k NOT IN ('automerge', 'crisismerge')";
          const differ = db.prepare('SELECT EXISTS (' + settings.replace('%', 'main') + ' EXCEPT ' + settings.replace('%', 'build') + ') OR EXISTS (' + settings.replace('%', 'build') + ' EXCEPT ' + settings.replace('%', 'main') + ')').pluck().get() === 1;
          if (written || differ) return 0;
          // Started as the index was built: ready long before the move at a million devices, maybe not yet at a few
          // thousand.
          if (comparer !== null) Atomics.wait(comparer.state, READY, 0, comparerCloseMs);
          const beside = comparer !== null && Atomics.load(comparer.state, READY) === 1;
          // Asked once this transaction holds the write lock: no other connection can commit until it does, so the
          // comparing thread's snapshot is the rows and the queue as they are at the move's commit, less its own writes.
          if (beside) comparer.port.postMessage('compare');
          for (const shadow of ['data', 'idx', 'docsize']) {
            db.exec('DELETE FROM main.devices_fts_' + shadow);
            db.exec('INSERT INTO main.devices_fts_' + shadow + ' SELECT * FROM build.devices_fts_' + shadow);
          }
          const dequeue = db.prepare('DELETE FROM main.devices_fts_pending WHERE indexed = 0 AND device_id IN (SELECT id FROM build.sources)');
          if (!beside) {
            db.exec('INSERT INTO main.devices_fts_pending (device_id, indexed) SELECT s.id, 1 ' + changed + ' ON CONFLICT (device_id) DO UPDATE SET indexed = 1');
            return dequeue.run().changes;
          }
          const dequeued = dequeue.run().changes;
          Atomics.wait(comparer.state, DONE, 0, compareWaitMs);
          const found = receiveMessageOnPort(comparer.port)?.message;
          // No answer: nothing is moved (the transaction rolls back), and the catch-up indexes every device.
          if (!Array.isArray(found)) throw new Error('The comparing thread did not answer.');
          // Queued again as indexed; those that were queued as not indexed were dequeued above, but did not leave the
          // queue as they are.
          const requeue = db.prepare('INSERT INTO main.devices_fts_pending (device_id, indexed) VALUES (?, 1) ON CONFLICT (device_id) DO UPDATE SET indexed = 1');
          for (const [id] of found) requeue.run(id);
          return dequeued - found.filter(([, wasQueued]) => wasQueued === 1).length;
        }).immediate();
      } catch {
        moved = 0;
      }
      db.unsafeMode(false);
      parentPort.postMessage({ type: 'moved', devices: moved });
      end();
    });
  }
} catch {
  end();
}
`;

/**
 * CommonJS, evaluated in a thread the build's thread starts once it has built the index: a second connection that
 * finds the devices changed since the build's thread read them (the move's compare) while that thread, holding the
 * write lock, copies the index into the database and dequeues. It answers once, then closes its connection.
 */
const COMPARE_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const state = new Int32Array(workerData.state);
const [READY, DONE] = [0, 1];
const port = workerData.port;
let db = null;
const done = () => {
  try { db?.close(); } catch {}
  Atomics.store(state, DONE, 1);
  Atomics.notify(state, DONE);
  port.close();
};
try {
  db = new Database(workerData.file, { timeout: 5000, nativeBinding: workerData.nativeBinding });
  db.prepare('ATTACH ? AS build').run(workerData.buildFile);
  db.pragma('main.cache_size = ' + -workerData.pageCacheKib);
  db.pragma('build.cache_size = ' + -workerData.pageCacheKib);
  const changed = db.prepare(workerData.changedSql).raw();
  port.once('message', (message) => {
    let found = null;
    try {
      if (message === 'compare') found = changed.all();
    } catch {}
    if (message === 'compare') port.postMessage(found);
    done();
  });
  Atomics.store(state, READY, 1);
  Atomics.notify(state, READY);
} catch {
  // Could not start: the move compares on its own thread.
  Atomics.store(state, READY, 2);
  Atomics.notify(state, READY);
  done();
}
`;
