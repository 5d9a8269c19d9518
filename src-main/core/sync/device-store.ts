import type { Statement } from 'better-sqlite3';
import { normalizeDeviceIdentifier } from '../../../src-shared/domain/device-identifier';
import { AppError } from '../../../src-shared/errors';
import { DeviceRecord, type IvantiDevice } from '../ivanti/ivanti-wire';
import type { SyncedDevice } from '../../../src-shared/domain/sync';
import type { Db } from '../db/database';
import { DeferredIndexes } from '../db/deferred-indexes';
import { changedFields, DEVICE_COLUMNS, deviceColumns, type PreparedRecord, type PreparedRecords } from './device-row';
import { compareRecordHashes, recordHash } from './record-hash';
import { DeviceRecordCodec, RECORD_CONTEXT_COLUMNS, type PreparedBlock, type StoredRecordRow } from './device-record-codec';
import { GuidLookup } from './guid-lookup';
import { COVERED_PLATFORM_TYPE, integrationCovers } from '../integrations/device-inventory';
import { integrationIdOfKeySql, integrationKeysOfIdsSql, IntegrationStore, type IntegrationDirectory, type IntegrationFacts } from '../integrations/integration-store';
import { spaceLastReadAtSql } from './integration-space-store';
import { spaceLastReadRunSql } from './sync-run-store';
import type { RunSeenSet } from './run-seen-set';

/** Where a page of devices was seen: the fetch, the run, its page counter and the space's current pass. */
export interface PageContext {
  /** The tenant the devices belong to (core/integrations/device-inventory.ts): devices are keyed by (tenant, guid). */
  tenant: string;
  /**
   * The integrations this fetch reads for: the run's own first, then those sharing its API user on the tenant. Each
   * gets a sighting of every device read; presence is judged on the first one's (they are the same).
   */
  integrationIds: readonly string[];
  runId: number;
  /** The run's page counter for this page (1-based, monotonic across resumes). */
  page: number;
  /** The space's current pass in this run: presence is judged on what the last pass over each space saw. */
  pass: number;
  space: { id: number; name: string };
  /** What the run has seen so far; the page's devices are added to it (the caller saves it with the checkpoint). */
  seen: RunSeenSet;
  at: number;
}

export interface PageWriteResult {
  /** Devices in this page not seen earlier in this run. */
  newInRun: number;
  /** Devices in this page not seen earlier in the space's current pass. */
  newInPass: number;
  added: number;
  changed: number;
  restored: number;
  /** Rows the page wrote, its triggers' included: none for a page of devices found unchanged and sighted. */
  rowsWritten: number;
  /** The page's records that could not be parsed, in their order: nothing was written or sighted for them. */
  unusable: DeviceRecord[];
}

/** A space read to its end by the run, and the pass that did it. */
export interface SpacePass {
  id: number;
  pass: number;
}

/**
 * The stored device, with the fetch's own sighting of it when there is one: a row as an array (`.raw()`), read for every
 * device of every sync. Named rows cost ~1.6 µs more a device at 100,000 devices (an object with 11 named members per
 * row), as much as the statement's own seeks.
 */
type ExistingRow = [
  guid: string,
  id: number,
  /** recordHash's 16 bytes (anything else, an older format, compares as changed). */
  recordHash: unknown,
  lastCheckin: number | null,
  removedAt: number | null,
  /** The integration it is listed under, by its key (migration 0018; its id left the row in 0039). */
  integrationKey: number,
  spaceId: number | null,
  spaceName: string | null,
  sighted: number,
  sightingSpace: number | null,
  sightingRemovedAt: number | null,
];

/** The columns a new device's row is inserted with, in the order DeviceStore's insertValues gives their values. */
const INSERTED_COLUMNS = ['tenant_key', 'integration_key', 'space_key', ...DEVICE_COLUMNS, 'first_seen_at', 'last_seen_at', 'last_seen_run', 'last_seen_page'];

/** A record whose content did not change (or only its check-in times) has no field change to record. */
const NO_FIELD_CHANGES: Readonly<Record<string, [unknown, unknown]>> = Object.freeze({});

interface FoundRow {
  id: number;
  integration_id: string;
  guid: string;
  ivanti_id: number | null;
  client_device_identifier: string | null;
  platform_type: string | null;
  registration_state: string | null;
  device_name: string | null;
  model: string | null;
  uid: string | null;
  space_name: string | null;
  last_checkin: number | null;
  first_seen_at: number;
  removed_at: number | null;
}

interface FoundSighting {
  device_id: number;
  integration_id: string;
  space_name: string | null;
  last_seen_at: number;
  removed_at: number | null;
}

/** A synced record as the trust prediction weighs it: one device as one integration saw it. */
export interface TrustRecord {
  integrationId: string;
  guid: string;
  registrationState: string | null;
  platformType: string | null;
  spaceId: number | null;
  spaceName: string | null;
  uid: string | null;
  email: string | null;
  lastSeenAt: number;
  removedAt: number | null;
}

/**
 * The index (tenant_key, ivanti_id), through which the sync looks stored devices up by their Ivanti ids: an unparsable
 * record is sighted by its id (touchUnparsed), and a re-sync seeks its chunks by id first (#storedOf). A bulk load
 * keeps it, except a load of a tenant with no device, which sets it aside with the unique key (DeviceStore.deferIndexes):
 * such a load looks its devices up in its guid lookup, not through an index, and a tenant's ids come space by space,
 * so those of one space go in between those of another already stored. Measured at 100,000 devices (the bench's load,
 * chunks of 500, interleaved x3, load 5.8-7.4): the writing thread's chunk transactions 11.7-11.9 µs a device with it
 * maintained, 10.2-10.9 without; built at the load's end instead, 34-44 ms of CPU (0.4 µs a device, in one sorted
 * pass). Built there right after the key, or at once (buildNow) when the load meets an unparsable record or a store
 * must look devices up through the key (#keyAside).
 */
const IVANTI_ID_INDEX = 'devices_ivanti_id';

/** Indexes of `devices` a bulk load of a tenant that has devices keeps: the sync's own writes look rows up through them. */
const KEPT_THROUGH_BULK_LOAD: ReadonlySet<string> = new Set([IVANTI_ID_INDEX]);

/**
 * The insert trigger that corrects a new row's space key (migration 0019), set aside through a bulk load
 * (DeferredIndexes.setAside) and created again with the indexes. Nothing but a DeviceStore inserts devices, and it
 * writes the key as the trigger would: the space name's looked up in the page's own transaction (#keyOfSpaceName). So
 * during a load the trigger only tests, each row with a sub-program and a lookup, and the loaded rows need no correcting
 * pass afterwards (one was once measured at ~1.7 µs a device and judged to cost what setting it aside saves). Measured
 * with the integration key's trigger beside it, which migration 0039 dropped with `devices.integration_id` (CPU, 30,000
 * rows in chunks of 125 through the load's insert, interleaved, load 4.6-6.3): 11.1-11.8 µs a row with both, 10.1-10.7
 * without.
 */
export const KEY_CORRECTING_TRIGGERS: readonly string[] = ['devices_space_key_insert'];

/**
 * The unique key (tenant_key, guid), which a bulk load of a tenant with no device sets aside (DeviceStore.deferIndexes).
 * It was the load's largest single cost (issue 19): guids are random, so each new device dirties about one leaf page of
 * it that its commit writes whole to the WAL. Measured at 100,000 devices (one insert statement a device as writePage
 * runs it, commits of 125): 40 µs CPU and 8.4 KB of WAL a device with it, 18 µs and 1.8 KB without; a 64 MB page cache
 * changed little (36 µs). Built first when the load ends, in one sorted pass.
 */
const DEVICES_KEY = 'devices_key';

/** Sightings markUnseenRemoved reads per statement. */
const PRESENT_BATCH = 1024;

/** The name of the space a sighting `s` names by its key (migration 0029). */
const SIGHTING_SPACE_NAME = '(SELECT n.name FROM device_space_names n WHERE n.key = s.space_key)';

/** The id of the integration a sighting `s` names by its key (migration 0032). */
const SIGHTING_INTEGRATION_ID = integrationIdOfKeySql('s.integration_key');

/** A device as each integration that saw it saw it (TrustRecord). */
function trustRecordsSelect(): string {
  return `SELECT ${SIGHTING_INTEGRATION_ID} AS integrationId, d.guid, d.registration_state AS registrationState, d.platform_type AS platformType,
                 s.space_id AS spaceId, ${SIGHTING_SPACE_NAME} AS spaceName, d.uid, d.email, ${sightingLastSeenAtSql('s')} AS lastSeenAt, s.removed_at AS removedAt
            FROM devices d JOIN device_sightings s ON s.device_id = d.id`;
}

const FOUND_COLUMNS = `d.id, ${integrationIdOfKeySql('d.integration_key')} AS integration_id, d.guid, d.ivanti_id, d.client_device_identifier, d.platform_type,
  d.registration_state, d.device_name, d.model, d.uid, d.space_name, d.last_checkin, d.first_seen_at, d.removed_at`;

/**
 * SQL for when the sighting's integration last saw the device (epoch ms), `s` naming the sighting. A re-sync that finds
 * a device unchanged writes nothing about it, so a live sighting's own time is when it was last written; but every
 * completed run that read its space to its end since saw it too (it marks the devices it did not see removed), so the
 * later of the two. A removed sighting keeps the time (and run) it had when it was marked (markUnseenRemoved folds them in).
 */
export function sightingLastSeenAtSql(s: string): string {
  return `CASE WHEN ${s}.removed_at IS NULL THEN MAX(${s}.last_seen_at, COALESCE(${spaceLastReadAtSql(`${s}.integration_key`, `${s}.space_id`)}, 0)) ELSE ${s}.last_seen_at END`;
}

/**
 * SQL for the run that last saw the device through the sighting `s` (its fetching run), by the same reasoning as
 * sightingLastSeenAtSql: the run that last wrote the sighting, or a later completed run that read its space to its end.
 * `devices.last_seen_run` is not it: an unchanged re-sync writes no device row.
 */
export function sightingLastSeenRunSql(s: string): string {
  return `CASE WHEN ${s}.removed_at IS NULL THEN MAX(${s}.last_seen_run, COALESCE(${spaceLastReadRunSql(`${s}.integration_key`, `${s}.space_id`)}, 0)) ELSE ${s}.last_seen_run END`;
}

/**
 * `EXISTS` a sighting of the device row `d` matching `where` (over the sighting `s`): read by the primary key
 * (device_id, integration_key), for the explorer's filters (core/devices/device-coverage.ts, trusted-device-filter.ts).
 */
export function sightingExists(where: string): string {
  return `EXISTS (SELECT 1 FROM device_sightings s WHERE s.device_id = d.id AND ${where})`;
}

/**
 * The same test as sightingExists for a statement that checks every device (a count): `d.id IN` the devices with such
 * a sighting, which SQLite gathers once per statement (one pass over the table, kept with a Bloom filter) instead of
 * seeking the table's primary key for each device in the order of the index walked.
 */
export function sightingAmong(where: string): string {
  return `d.id IN (SELECT s.device_id FROM device_sightings s WHERE ${where})`;
}

/**
 * Forgets what an integration synced (the admin chose to purge it on deletion): its sightings, the devices no other
 * integration sees, and the change history its runs recorded.
 */
export function purgeSyncedDevices(db: Db, integrationId: string, integrations: IntegrationDirectory = new IntegrationStore(db)): void {
  // Changes (migration 0026) and sightings (0032) name their integration by its key.
  const key = integrations.facts().get(integrationId)?.key;
  if (key === undefined) return;
  db.prepare('DELETE FROM device_changes WHERE integration_key = ?').run(key);
  db.prepare(
    `DELETE FROM devices WHERE id IN (SELECT device_id FROM device_sightings s WHERE s.integration_key = ?)
       AND NOT EXISTS (SELECT 1 FROM device_sightings o WHERE o.device_id = devices.id AND o.integration_key <> ?)`,
  ).run(key, key);
  db.prepare('DELETE FROM device_sightings WHERE integration_key = ?').run(key);
}

/**
 * An integration deleted with its devices kept sees nothing any more: its sightings are retired, so a device it kept
 * alive is judged on the integrations that remain (a later sync of another one marks it removed when the tenant no
 * longer has it). The device rows and their history stay for the audit.
 */
export function retireSightings(db: Db, integrationId: string, at: number, integrations: IntegrationDirectory = new IntegrationStore(db)): void {
  const key = integrations.facts().get(integrationId)?.key;
  if (key === undefined) return;
  db.prepare(
    `UPDATE device_sightings SET removed_at = ?, last_seen_at = ${sightingLastSeenAtSql('device_sightings')} WHERE integration_key = ? AND removed_at IS NULL`,
  ).run(at, key);
}

/**
 * The synced devices of every tenant, which integration saw each in which space (sightings), and the change history a
 * sync writes about them. Page writes run inside the caller's transaction, so a page and the run's checkpoint commit
 * together.
 *
 * A device row is rewritten only when its record changed: a re-sync that finds it unchanged updates its narrow
 * sighting rows only (docs/architecture.md, "One device per tenant").
 */
export class DeviceStore {
  readonly #select: Statement;
  readonly #selectByIvantiIds: Statement;
  readonly #selectByGuids: Statement;
  readonly #totalChanges: Statement;
  /** Whether the last chunk found most of its devices stored: the next is sought by Ivanti id first (#storedOf). */
  #seekByIvantiId = false;
  /** The run whose page texts were found to differ from the records' JSON.stringify (#textOf). */
  #textsUnlikeStored: number | null = null;
  readonly #selectRecord: Statement;
  readonly #insert: Statement;
  readonly #rewrite: Statement;
  readonly #checkedIn: Statement;
  readonly #relist: Statement;
  readonly #sight: Statement;
  readonly #codec: DeviceRecordCodec;
  readonly #sightIfGone: Statement;
  readonly #idsByIvantiId: Statement;
  readonly #insertChange: Statement;
  readonly #insertAdded: Statement;
  readonly #sightAdded: Statement;
  readonly #present: Statement;
  readonly #markSightingRemoved: Statement;
  readonly #markRemovedIfUnseen: Statement;
  readonly #find: { tenants: Statement; byIdentifier: Statement; byKey: Statement; sightings: Statement };
  readonly #trustRecordsOfDevice: Statement;
  /** The integrations' facts, read once per run (they only say which integration a new device is listed under). */
  #facts: { runId: number; facts: Map<string, IntegrationFacts>; idOfKey: Map<number, string> } | null = null;
  readonly #addSpaceName: Statement;
  readonly #spaceKey: Statement;
  readonly #addTenant: Statement;
  readonly #tenantKey: Statement;

  readonly #deferred: DeferredIndexes;
  /**
   * The tenant whose unique key this store set aside, with its guids, while the schema is as the set-aside left it
   * (`PRAGMA schema_version`): see #keyAside.
   */
  #aside: { tenantKey: number; schemaVersion: number; guids: GuidLookup } | null = null;
  readonly #selectById: Statement;

  constructor(
    private readonly db: Db,
    private readonly integrations: IntegrationDirectory = new IntegrationStore(db),
  ) {
    this.#deferred = new DeferredIndexes(db);
    const existing = `SELECT d.guid, d.id, d.record_hash, d.last_checkin, d.removed_at, d.integration_key, d.space_id, d.space_name, s.device_id IS NOT NULL AS sighted,
              s.space_id AS sighting_space, s.removed_at AS sighting_removed_at
         FROM devices d LEFT JOIN device_sightings s ON s.device_id = d.id AND s.integration_key = ?`;
    this.#select = db.prepare(`${existing} WHERE d.tenant_key = ? AND d.guid = ?`).raw();
    // A row the guid lookup points to, taken only if it is still that device (GuidLookup confirms every match).
    this.#selectById = db.prepare(`${existing} WHERE d.id = ? AND d.tenant_key = ? AND d.guid = ?`).raw();
    // The whole chunk's stored devices in one statement: a statement per device cost more in the calls than in the seeks.
    // Sought by the devices' Ivanti ids first: a page comes in id order, and the devices a sync stored were inserted in
    // that order, so these seeks walk devices_ivanti_id and the table nearly in order, where the guids (random) seek
    // a random leaf of devices_key each. Measured at 100,000 devices, every chunk of a re-sync: 2.9 against 4.4 µs CPU a
    // device (the key is 51 MB at a million, far beyond the page cache). A row found by an id is the device's only when
    // its guid is the device's (the key is (tenant, guid)); the devices not found so (new, or an id given to another
    // device) are sought by guid.
    this.#selectByIvantiIds = db.prepare(`${existing} WHERE d.tenant_key = ? AND d.ivanti_id IN (SELECT value FROM json_each(?))`).raw();
    this.#selectByGuids = db.prepare(`${existing} WHERE d.tenant_key = ? AND d.guid IN (SELECT value FROM json_each(?))`).raw();
    this.#codec = DeviceRecordCodec.of(db);
    this.#totalChanges = db.prepare('SELECT total_changes()').pluck();
    this.#addSpaceName = db.prepare('INSERT OR IGNORE INTO device_space_names (name) VALUES (?)');
    this.#spaceKey = db.prepare('SELECT key FROM device_space_names WHERE name = ?').pluck();
    this.#addTenant = db.prepare('INSERT OR IGNORE INTO device_tenants (tenant) VALUES (?)');
    this.#tenantKey = db.prepare('SELECT key FROM device_tenants WHERE tenant = ?').pluck();
    this.#selectRecord = db.prepare(`SELECT raw_record, record_block, ${RECORD_CONTEXT_COLUMNS.join(', ')} FROM devices WHERE id = ?`);
    // Parameters by position (insertValues), passed as the call's arguments: better-sqlite3 finds each named one by a
    // property lookup, which for 36 cost 5.7 µs a row against 3.6 as an array, 4.4 with the array built from the row's
    // object (CPU, 100,000 inserts into an in-memory table); and it reads an array's elements one generic lookup each
    // (v8::Object::Get: a fifth of the insert's CPU in a profile of the load), where it takes arguments as they are.
    // Measured on the load's insert (CPU, 30,000 rows in transactions of 500, interleaved x7, load 6.3): median 8.71
    // µs a row with the array, 8.06 with its elements as arguments. A first sync inserts every device through it.
    this.#insert = db.prepare(`INSERT INTO devices (${INSERTED_COLUMNS.join(', ')}) VALUES (${INSERTED_COLUMNS.map(() => '?').join(', ')})`);
    this.#rewrite = db.prepare(
      `UPDATE devices SET integration_key = @integration_key, space_key = @space_key, ${DEVICE_COLUMNS.filter((c) => c !== 'guid').map((c) => `${c} = @${c}`).join(', ')},
         last_seen_at = @at, last_seen_run = @run, last_seen_page = @page, removed_at = NULL, removed_run = NULL
       WHERE id = @id`,
    );
    // A record whose only change is in VOLATILE_FIELDS: the stored text becomes the new one (the drawer and the raw
    // export give what Ivanti last sent), and of the other columns only last_checkin can differ. Naming no indexed
    // search column, it fires no search-index trigger and moves only the check-in indexes' entries.
    // Kept in its block, patched (DeviceRecordCodec.patchInBlock), or stored alone with `record_block` NULL: either way
    // migration 0037's triggers count it out of the block it was in.
    this.#checkedIn = db.prepare('UPDATE devices SET raw_record = @raw_record, record_block = @record_block, record_hash = @record_hash, last_checkin = @last_checkin WHERE id = @id');
    // The integration's key (migration 0018), which the device indexes hold, is all the row says of it (0039).
    this.#relist = db.prepare('UPDATE devices SET integration_key = @integration_key WHERE id = @id');
    // The space named by its name's key (migration 0029), as the device row names it.
    const sightInto = 'INSERT INTO device_sightings (device_id, integration_key, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, last_seen_page)';
    const sightAgain = `ON CONFLICT (device_id, integration_key) DO UPDATE SET space_id = @spaceId, space_key = @spaceKey, last_seen_at = @at,
         last_seen_run = @run, last_seen_page = @page, removed_at = NULL, removed_run = NULL`;
    const sight = `${sightInto} VALUES (@device, @integration, @spaceId, @spaceKey, @at, @at, @run, @page) ${sightAgain}`;
    this.#sight = db.prepare(sight);
    // The devices a chunk added (a JSON array of ids), sighted in one statement: a statement a device, its eight named
    // parameters bound each time, cost 2.15 µs a device against 0.85 (CPU, 100,000 sightings in chunks of 125).
    this.#sightAdded = db.prepare(`${sightInto} SELECT value, @integration, @spaceId, @spaceKey, @at, @at, @run, @page FROM json_each(@devices) WHERE true ${sightAgain}`);
    // For the fetch's other integrations when the device is unchanged: writes only a sighting that is missing, gone or
    // in another space; an upsert whose WHERE fails leaves the row (and its page) untouched.
    this.#sightIfGone = db.prepare(`${sight} WHERE device_sightings.removed_at IS NOT NULL OR device_sightings.space_id IS NOT @spaceId`);
    this.#idsByIvantiId = db.prepare('SELECT id FROM devices WHERE tenant_key = (SELECT key FROM device_tenants WHERE tenant = ?) AND ivanti_id = ?').pluck();
    // The guid is '' while the device row holds it (migration 0022: a trigger writes it in when the row is deleted);
    // the integration is named by its key (migration 0026).
    this.#insertChange = db.prepare(
      "INSERT INTO device_changes (run_id, integration_key, device_id, guid, kind, fields, at) VALUES (?, ?, ?, '', ?, ?, ?)",
    );
    // The 'added' rows of the devices a chunk added, in their order, in one statement: 3.7 µs a device one statement
    // each, 1.7 in one (CPU, 100,000 rows in chunks of 125).
    this.#insertAdded = db.prepare("INSERT INTO device_changes (run_id, integration_key, device_id, guid, kind, fields, at) SELECT ?, ?, value, '', 'added', NULL, ? FROM json_each(?)");
    // In rowid order from a cursor, so that marking a large number of removals in batches reads each sighting once. The
    // sightings alone, as [id, space] arrays: every live sighting of the integration is read at the end of every complete
    // run, and reading each device row's guid beside it (a seek into the wide devices table) was most of that pass. Read
    // PRESENT_BATCH at a time: a row at a time through iterate() cost 0.6-0.7 µs a sighting, .all() of 1,024 0.4 µs
    // (100,000 sightings, load 7).
    this.#present = db.prepare(
      'SELECT s.device_id, s.space_id FROM device_sightings s WHERE s.integration_key = ? AND s.removed_at IS NULL AND s.device_id > ? ORDER BY s.device_id LIMIT ?',
    ).raw();
    this.#markSightingRemoved = db.prepare(
      `UPDATE device_sightings SET removed_at = ?, removed_run = ?, last_seen_at = ${sightingLastSeenAtSql('device_sightings')},
         last_seen_run = ${sightingLastSeenRunSql('device_sightings')}
        WHERE device_id = ? AND integration_key IN (SELECT value FROM json_each(?)) AND removed_at IS NULL`,
    );
    // The device itself is gone only when no integration sees it any more.
    this.#markRemovedIfUnseen = db.prepare(
      `UPDATE devices SET removed_at = ?, removed_run = ? WHERE id = ? AND removed_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM device_sightings s WHERE s.device_id = devices.id AND s.removed_at IS NULL)`,
    );
    this.#trustRecordsOfDevice = db.prepare(`${trustRecordsSelect()} WHERE d.id = ? AND s.integration_key IN ${integrationKeysOfIdsSql('?')}`);
    // find's statements: the lookup behind "has it synced?" (goal p99 ≤ 1 ms at a million devices, issue 19), where
    // preparing four statements per call cost more than running them.
    this.#find = {
      // The tenants, one index seek each (a DISTINCT reads the whole devices_key index: 37 ms at a million devices).
      tenants: db
        .prepare(
          `WITH RECURSIVE t (tenant_key) AS (SELECT MIN(tenant_key) FROM devices
             UNION ALL SELECT (SELECT MIN(tenant_key) FROM devices WHERE tenant_key > t.tenant_key) FROM t WHERE t.tenant_key IS NOT NULL)
           SELECT tenant_key FROM t WHERE tenant_key IS NOT NULL`,
        )
        .pluck(),
      byIdentifier: db.prepare(`SELECT ${FOUND_COLUMNS} FROM devices d WHERE d.identifier_key = ?`),
      // guid and the Ivanti id are unique per tenant, indexed behind it: looked up one tenant at a time.
      byKey: db.prepare(`SELECT ${FOUND_COLUMNS} FROM devices d WHERE d.tenant_key = @tenant AND (d.guid IN (@text, @lower) OR d.ivanti_id = @number)`),
      sightings: db.prepare(
        `SELECT s.device_id, ${SIGHTING_INTEGRATION_ID} AS integration_id, ${SIGHTING_SPACE_NAME} AS space_name, ${sightingLastSeenAtSql('s')} AS last_seen_at, s.removed_at
           FROM device_sightings s WHERE s.device_id IN (SELECT value FROM json_each(?)) ORDER BY s.device_id, integration_id`,
      ),
    };
  }

  /**
   * Upserts one page by (tenant, guid), adds each device to the run's seen set and records what changed. Call inside a
   * transaction. A device found unchanged, already sighted by the fetch's integrations in this space, writes nothing:
   * the seen set says it is present (docs/architecture.md, "One device per tenant"). A bulk load passes the page's
   * records `prepared` (prepareRecords): hashed and compressed before the write; any other sync's are hashed here.
   *
   * The page's devices come parsed, or as DeviceRecords, parsed only when something of the device is written: a record
   * whose hash and check-in time equal the stored ones is never parsed (issue 19, an unchanged re-sync). That is exact
   * because a stored record hash is only ever of a record the parse accepted (every row this store writes is of a parsed
   * device): the same text minus VOLATILE_FIELDS passes the same checks, and of those fields the parse checks only the
   * two check-in times, which DeviceRecord.checkIn reads. A parse made stricter must therefore let the next sync hash
   * again (an older format compares as changed: compareRecordHashes), or a stored record would pass unchecked.
   */
  writePage(ctx: PageContext, records: readonly (IvantiDevice | DeviceRecord)[], prepared?: PreparedRecords): PageWriteResult {
    const changesBefore = this.#totalChanges.get() as number;
    const result: PageWriteResult = { newInRun: 0, newInPass: 0, added: 0, changed: 0, restored: 0, rowsWritten: 0, unusable: [] };
    const owner = ctx.integrationIds[0]!;
    const siblings = ctx.integrationIds.slice(1);
    const facts = this.#factsFor(ctx.runId);
    const idOfKey = this.#idOfKeyFor(ctx.runId);
    const ownerKey = keyOf(facts, owner);
    // Sightings name their integrations by key (migration 0032).
    const siblingKeys = siblings.map((id) => keyOf(facts, id));
    // Looked up once per page, not cached across pages: a key added by a write that rolled back is gone, and the
    // sightings (migration 0029) have no trigger to correct one.
    const space_key = this.#keyOfSpaceName(ctx.space.name);
    const tenant_key = this.#tenantKeyFor(ctx.tenant);
    // Each sighting's parameters built whole: a spread followed by more properties takes V8's slow path (~4.5 µs each).
    const sighting = (device: number, integration: number) => ({ device, integration, spaceId: ctx.space.id, spaceKey: space_key, at: ctx.at, run: ctx.runId, page: ctx.page });
    // One object per written row (the columns, then the rest added in place): a first sync builds a million of them.
    // A function of the page, not a closure made for each device: a re-sync that writes nothing would make it for every one.
    const columnsOf = (device: IvantiDevice, ready: PreparedRecord | undefined, hash: Buffer) =>
      deviceColumns(device, ctx.space, blocksOnce, ready ?? { raw: JSON.stringify(device.raw), record_hash: hash });
    // A bulk load's block stored (or found stored) once a chunk, not once a device: storeBlock binds and compares the
    // block's ~4 KB, 1.4-1.8 us a call (CPU, 32,000 calls, load 7.7), on the writing thread.
    const blockIds = new Map<PreparedBlock, number>();
    const blocksOnce: Pick<DeviceRecordCodec, 'encode' | 'storeBlock'> = {
      encode: (json, row) => this.#codec.encode(json, row),
      storeBlock: (block) => {
        let id = blockIds.get(block);
        if (id === undefined) blockIds.set(block, (id = this.#codec.storeBlock(block)));
        return id;
      },
    };
    // The rows a chunk inserts into each block of a bulk load's records, counted into it (migration 0037) in one statement
    // a block before anything else is written about a device already stored (writeAdded): its triggers count a rewritten
    // record out of its block, which must not find the block short of the rows inserted before.
    const entering = new Map<PreparedBlock, number>();
    const enterBlocks = () => {
      for (const [block, rows] of entering) this.#codec.enterBlock(block.id!, rows);
      entering.clear();
    };
    // A rewrite's record is counted into its block before the update counts the old one out: it may be the same block.
    const values = (device: IvantiDevice, ready: PreparedRecord | undefined, hash: Buffer, listed: string) => {
      const columns = columnsOf(device, ready, hash);
      if (columns.record_block !== null) this.#codec.enterBlock(columns.record_block, 1);
      return Object.assign(columns, { tenant_key, at: ctx.at, run: ctx.runId, page: ctx.page, space_key }, listing(facts, listed));
    };
    // #insert's parameters, in INSERTED_COLUMNS' order.
    const insertValues = (device: IvantiDevice, ready: PreparedRecord | undefined, hash: Buffer, listed: string): unknown[] => {
      const columns = columnsOf(device, ready, hash);
      if (ready !== undefined) entering.set(ready.block, (entering.get(ready.block) ?? 0) + 1);
      const params: unknown[] = [tenant_key, listing(facts, listed).integration_key, space_key];
      for (const column of DEVICE_COLUMNS) params.push(columns[column]);
      params.push(ctx.at, ctx.at, ctx.runId, ctx.page);
      return params;
    };
    const guids = this.#keyAside(tenant_key);
    const known = guids === null ? this.#storedOf(ownerKey, tenant_key, records) : null;
    // A guid the chunk repeats is looked up again after its first write, which changed what is stored.
    const written = new Set<string>();
    // Devices inserted whose 'added' change and sightings are still to write: written together (#insertAdded,
    // #sightAdded) before anything else is written or read about a device already stored, and at the chunk's end, so
    // the history's order and every lookup are as if each had been written with its row. A first sync's chunk is one
    // batch.
    const added: number[] = [];
    const writeAdded = () => {
      enterBlocks();
      if (added.length === 0) return;
      const ids = JSON.stringify(added);
      this.#insertAdded.run(ctx.runId, ownerKey, ctx.at, ids);
      for (const integration of [ownerKey, ...siblingKeys]) this.#sightAdded.run({ devices: ids, integration, spaceId: ctx.space.id, spaceKey: space_key, at: ctx.at, run: ctx.runId, page: ctx.page });
      added.length = 0;
    };
    for (const record of records) {
      // Parsed below only when something of the device is written (or, in a bulk load, prepared already).
      let device = record instanceof DeviceRecord ? (prepared === undefined ? null : record.device()) : record;
      const guid = device === null ? guidOf(record) : device.guid;
      if (guid === null || (device === null && prepared !== undefined)) {
        result.unusable.push(record as DeviceRecord);
        continue;
      }
      // A record with a guid is an object (the parse would say so otherwise).
      const raw = record.raw as Record<string, unknown>;
      const ready = device === null ? undefined : prepared?.get(device);
      if (written.has(guid)) writeAdded();
      const existing =
        known === null
          ? guids!.find(guid, (candidate) => this.#selectById.get(ownerKey, candidate, tenant_key, guid) as ExistingRow | undefined)
          : ((written.has(guid) ? this.#select.get(ownerKey, tenant_key, guid) : known.get(guid)) as ExistingRow | undefined);
      // Hashed before the rest: the record's text and the other columns (the compressed record above all) are built only for a
      // row to write. A stored device's record from its text in the page (#textOf): a hash that the stored one does
      // not equal is made again from the record before anything is written with it.
      const text = ready === undefined && existing !== undefined ? this.#textOf(record, ctx.runId) : null;
      let hash = ready?.record_hash ?? recordHash(raw, ctx.space.id, text ?? undefined);
      let id: number;
      let sightAll: boolean;
      if (existing === undefined) {
        device ??= (record as DeviceRecord).device();
        if (device === null) {
          result.unusable.push(record as DeviceRecord);
          continue;
        }
        written.add(guid);
        id = Number(this.#insert.run(...insertValues(device, ready, hash, listedUnder(facts, ctx.integrationIds, device.platformType, owner))).lastInsertRowid);
        guids?.add(guid, id);
        added.push(id);
        result.added++;
        sightAll = false;
      } else {
        writeAdded();
        const [, storedId, storedHash, lastCheckin, removedAt, integrationKey, spaceId, spaceName, sightedFlag, sightingSpace, sightingRemovedAt] = existing;
        // Every key names an integration: the console only marks one deleted, and one deleted outright takes its devices
        // with it (migration 0040's trigger), so no row keeps a key of none. The owner would stand in for one.
        const integrationId = idOfKey.get(integrationKey) ?? owner;
        let compared = compareRecordHashes(storedHash, hash);
        if (compared === 'changed' && text !== null) {
          hash = recordHash(raw, ctx.space.id);
          compared = compareRecordHashes(storedHash, hash);
          // The same record, its text not as JSON.stringify writes it: this run's records are hashed as before.
          if (compared !== 'changed') this.#textsUnlikeStored = ctx.runId;
        }
        // The stored check-in time is compared exactly, beside the hash's 32 bits of check-in times; undefined (a
        // check-in field the parse refuses) never equals it, and the parse below finds the record unusable.
        const verdict = compared === 'unchanged' && lastCheckin !== (device === null ? (record as DeviceRecord).checkIn() : device.lastCheckin) ? 'checked-in' : compared;
        const unchanged = verdict === 'unchanged';
        // Left unparsed: a record as stored, of a device not removed (writePage's comment says why that is exact).
        if (!unchanged || removedAt !== null) {
          device ??= (record as DeviceRecord).device();
          if (device === null) {
            result.unusable.push(record as DeviceRecord);
            continue;
          }
        }
        written.add(guid);
        // A guid is a usable record's: its platform is the parse's (a non-empty string).
        const platformType = device === null ? (raw.platformType as string) : device.platformType;
        id = storedId;
        const sighted = sightedFlag === 1;
        // Restored: gone for every integration, or for this fetch's, and back.
        const restored = removedAt !== null || (sighted && sightingRemovedAt !== null);
        // The stored row's copied columns (RECORD_CONTEXT_COLUMNS) with its record: the check-in update below encodes
        // the new record with them, since it leaves them as they are. Only a record whose content changed is inflated
        // and compared; one whose check-in times alone moved has no field change to record.
        const stored = unchanged ? null : this.#stored(id);
        const fields =
          stored === null || verdict !== 'changed' ? NO_FIELD_CHANGES : changedFields(JSON.parse(this.#codec.decode(stored.raw_record, stored, id)) as Record<string, unknown>, raw);
        const hasFields = fields !== NO_FIELD_CHANGES && Object.keys(fields).length > 0;
        // Only check-in times moved (every device that checked in since the last sync, in a real fleet): the row keeps
        // its columns, listing and sightings; the record, its hash and last_checkin are updated in place.
        const checkedIn = !unchanged && removedAt === null && !hasFields && spaceId === ctx.space.id && spaceName === ctx.space.name;
        const rewrite = removedAt !== null || (!unchanged && !checkedIn);
        // Both write the device, which was parsed above for them (not unchanged, or removed).
        if (checkedIn && stored !== null) {
          const text = JSON.stringify(raw);
          // A record in a block stays there, with its new check-in times as a patch, counted into its block again first.
          const inBlock = this.#codec.patchInBlock(stored.raw_record, stored, text, id);
          const record_block = inBlock === null ? null : stored.record_block!;
          if (record_block !== null) this.#codec.enterBlock(record_block, 1);
          this.#checkedIn.run({ raw_record: inBlock ?? this.#codec.encode(text, stored), record_block, record_hash: hash, last_checkin: device!.lastCheckin, id });
        }
        if (rewrite) {
          const listed = integrationCoversRecord(facts, integrationId, platformType) ? integrationId : listedUnder(facts, ctx.integrationIds, platformType, integrationId);
          this.#rewrite.run(Object.assign(values(device!, ready, hash, listed), { id }));
        } else if (!integrationCoversRecord(facts, integrationId, platformType)) {
          // Unchanged, but listed under an integration that does not cover it (none of its platform had seen it, or
          // that one was deleted): listed under one of this fetch's that covers it, so it is shown under every
          // integration that covers it (core/devices/device-coverage.ts). Once per device at most.
          const listed = listedUnder(facts, ctx.integrationIds, platformType, integrationId);
          if (listed !== integrationId) this.#relist.run({ ...listing(facts, listed), id });
        }
        if (!sighted) {
          // Known from another API user's fetch; new to this one.
          this.#insertChange.run(ctx.runId, ownerKey, id, 'added', hasFields ? JSON.stringify(fields) : null, ctx.at);
          result.added++;
        } else if (restored) {
          this.#insertChange.run(ctx.runId, ownerKey, id, 'restored', hasFields ? JSON.stringify(fields) : null, ctx.at);
          result.restored++;
        } else if (hasFields) {
          this.#insertChange.run(ctx.runId, ownerKey, id, 'changed', JSON.stringify(fields), ctx.at);
          result.changed++;
        }
        sightAll = rewrite || restored || !sighted || sightingSpace !== ctx.space.id;
      }
      if (sightAll) {
        this.#sight.run(sighting(id, ownerKey));
        for (const integration of siblingKeys) this.#sight.run(sighting(id, integration));
      } else if (existing !== undefined) {
        for (const integration of siblingKeys) this.#sightIfGone.run(sighting(id, integration));
      }
      const seen = ctx.seen.add(ctx.space.id, ctx.pass, id);
      if (seen.newInRun) result.newInRun++;
      if (seen.newInPass) result.newInPass++;
    }
    writeAdded();
    result.rowsWritten = (this.#totalChanges.get() as number) - changesBefore;
    return result;
  }

  /**
   * The chunk's stored devices by guid. Sought by their Ivanti ids first (#selectByIvantiIds says why) while the chunks
   * before found most of theirs stored (a re-sync), by guid alone otherwise (a first sync finds nothing stored): a
   * chunk's devices are sought once either way, the rows found are the same.
   */
  #storedOf(ownerKey: number, tenantKey: number, records: readonly (IvantiDevice | DeviceRecord)[]): Map<string, ExistingRow> {
    const known = new Map<string, ExistingRow>();
    // A record without a guid is unusable: nothing to seek.
    let guids = records.map(guidOf).filter((guid) => guid !== null);
    if (this.#seekByIvantiId) {
      for (const row of this.#selectByIvantiIds.all(ownerKey, tenantKey, JSON.stringify(records.map((r) => r.id))) as ExistingRow[]) known.set(row[0], row);
      guids = guids.filter((guid) => !known.has(guid));
    }
    if (guids.length > 0) {
      for (const row of this.#selectByGuids.all(ownerKey, tenantKey, JSON.stringify(guids)) as ExistingRow[]) known.set(row[0], row);
    }
    this.#seekByIvantiId = known.size * 2 > records.length;
    return known;
  }

  /**
   * The record's JSON text in its page, for its hash (DeviceRecord.text), unless this run already met a record whose
   * text differs from what JSON.stringify writes for it: a stored hash is of that (record-hash.ts), so a text that is not
   * never equals one, and each such record would be hashed twice. Equal to a stored hash, it is exact: the text then is
   * the stored record's, so `raw`, parsed from it, is that record (its check-in times aside, which the hash takes from
   * `raw`). Hashing the text saves serialising `raw` again: texts found and hashed in 4.87 us a record against 7.58
   * (20,000 simulator records in pages of 500, median of 7, load 6).
   */
  #textOf(record: IvantiDevice | DeviceRecord, runId: number): string | null {
    return record instanceof DeviceRecord && this.#textsUnlikeStored !== runId ? record.text() : null;
  }

  /** Devices stored for the tenant, or in every tenant (the table's size), removed ones included. */
  storedDevices(tenant?: string): number {
    return (
      tenant === undefined
        ? this.db.prepare('SELECT COUNT(*) FROM devices').pluck().get()
        : this.db.prepare('SELECT COUNT(*) FROM devices WHERE tenant_key = (SELECT key FROM device_tenants WHERE tenant = ?)').pluck().get(tenant)
    ) as number;
  }

  /**
   * Starts a bulk load of the tenant (issue 19): drops the explorer's secondary indexes of `devices`, recording them to
   * be built again (DeferredIndexes); inside the caller's transaction. Reads stay correct meanwhile (the explorer leaves
   * out an index it cannot find), only slower. When the tenant has no device yet, the unique key (tenant, guid) goes
   * first, built first again: this store keeps the tenant's guids itself while it writes (#keyAside); the Ivanti id
   * index goes with it (IVANTI_ID_INDEX). The
   * key-correcting insert triggers go too (KEY_CORRECTING_TRIGGERS), created again next. Returns how many were set
   * aside.
   */
  deferIndexes(tenant: string): number {
    // Whether any device of the tenant exists, one seek (the caller has counted them already to decide on a bulk load;
    // counting again would read every index entry of a large tenant).
    const keyAside =
      this.#deferred.exists(DEVICES_KEY) &&
      this.db.prepare('SELECT NOT EXISTS (SELECT 1 FROM devices WHERE tenant_key = (SELECT key FROM device_tenants WHERE tenant = ?))').pluck().get(tenant) === 1;
    let keys = 0;
    if (keyAside) {
      this.#deferred.setAside(DEVICES_KEY);
      keys++;
      // Built second, right after the key.
      if (this.#deferred.exists(IVANTI_ID_INDEX)) {
        this.#deferred.setAside(IVANTI_ID_INDEX);
        keys++;
      }
    }
    // After the key and before the indexes: the first built again, in a moment, when the load ends.
    const triggers = KEY_CORRECTING_TRIGGERS.filter((trigger) => this.#deferred.exists(trigger));
    for (const trigger of triggers) this.#deferred.setAside(trigger);
    const deferred = this.#deferred.defer('devices', KEPT_THROUGH_BULK_LOAD);
    // The schema as this transaction leaves it: a change after it is someone else's.
    if (keyAside) this.#aside = { tenantKey: this.#tenantKeyFor(tenant), schemaVersion: this.#schemaVersion(), guids: new GuidLookup() };
    return deferred + triggers.length + keys;
  }

  /**
   * Takes over a bulk load that a crash or shutdown stopped with the unique key set aside, for the resuming run's tenant
   * (its guids read from its rows); inside the caller's transaction. Returns whether the key was set aside. Taking it
   * over changes the schema (an index made and dropped again): a store that held it before, in this process or another,
   * finds the schema changed and builds the key before it writes again (#keyAside), so one store at a time inserts
   * without the key, with a lookup that holds every device of its tenant.
   */
  resumeKeyAside(tenant: string): boolean {
    if (this.#deferred.exists(DEVICES_KEY)) return false;
    const tenantKey = this.#tenantKeyFor(tenant);
    const guids = new GuidLookup();
    for (const [id, guid] of this.db.prepare('SELECT id, guid FROM devices WHERE tenant_key = ?').raw().iterate(tenantKey) as IterableIterator<[number, string]>) guids.add(guid, id);
    this.db.exec('CREATE INDEX devices_key_taken_over ON deferred_indexes (name); DROP INDEX devices_key_taken_over');
    this.#aside = { tenantKey, schemaVersion: this.#schemaVersion(), guids };
    return true;
  }

  /** Indexes a bulk load set aside that are not built yet (a load in progress, or one a crash or shutdown stopped). */
  deferredIndexes(): string[] {
    return this.#deferred.pending();
  }

  /** Whether the next of them is a key-correcting trigger (KEY_CORRECTING_TRIGGERS), not an index. */
  nextDeferredIsTrigger(): boolean {
    return this.#deferred.nextIsTrigger();
  }

  /** Builds the next deferred index in one pass over the table, in its own transaction; its name, or null when done. */
  buildDeferredIndex(): string | null {
    return this.#deferred.buildNext();
  }

  /**
   * A record the console could not parse still proves its device exists: the stored device with that numeric id counts
   * as seen, so the run does not report it removed. Returns whether one was known.
   */
  touchUnparsed(ctx: PageContext, ivantiId: number): boolean {
    this.#buildIvantiIdIndex();
    const ids = this.#idsByIvantiId.all(ctx.tenant, ivantiId) as number[];
    for (const id of ids) ctx.seen.add(ctx.space.id, ctx.pass, id);
    return ids.length > 0;
  }

  /**
   * Marks devices the run did not see as removed for the fetch's integrations, and the device itself as removed (kept,
   * never deleted) when no other integration still sees it; records each removal. A sighting in one of `spaces` (those
   * read to their end) is removed when the last pass over its space did not see it; a sighting in any other space only
   * when `everySpaceRead` (a complete run: its space is no longer listed), otherwise it keeps its last known state.
   * Reads the sightings in rowid order from `after` and marks at most `limit`; returns how many it marked and where to
   * go on (null once every sighting was read). Call again, each call in its own transaction, until `next` is null.
   */
  markUnseenRemoved(
    ctx: { integrationIds: readonly string[]; runId: number; at: number; seen: RunSeenSet },
    spaces: readonly SpacePass[],
    everySpaceRead: boolean,
    limit: number,
    after = 0,
  ): { marked: number; next: number | null } {
    const facts = this.#factsFor(ctx.runId);
    const ownerKey = keyOf(facts, ctx.integrationIds[0]!);
    // What the last pass over each space read saw, by space id.
    const seenBy = new Map(spaces.map((s) => [s.id, ctx.seen.pass(s.id, s.pass)]));
    const unseen: number[] = [];
    let next: number | null = null;
    for (let from = after; next === null; ) {
      const present = this.#present.all(ownerKey, from, PRESENT_BATCH) as [number, number | null][];
      for (const [id, spaceId] of present) {
        const seen = spaceId === null ? undefined : seenBy.get(spaceId);
        const gone = seen === undefined ? everySpaceRead : !seen.has(id);
        if (!gone) continue;
        unseen.push(id);
        if (unseen.length >= limit) {
          next = id;
          break;
        }
      }
      if (present.length < PRESENT_BATCH) break;
      from = present[present.length - 1]![0];
    }
    const group = JSON.stringify(ctx.integrationIds.map((id) => keyOf(facts, id)));
    for (const id of unseen) {
      this.#markSightingRemoved.run(ctx.at, ctx.runId, id, group);
      this.#markRemovedIfUnseen.run(ctx.at, ctx.runId, id);
      this.#insertChange.run(ctx.runId, ownerKey, id, 'removed', null, ctx.at);
    }
    return { marked: unseen.length, next };
  }

  /**
   * Spaces as a run read them, any of them renamed in Ivanti: the fetch's sightings in each take its name (only those
   * that still have another). One statement for all the spaces: no index leads with a sighting's space, so a statement
   * per space read every sighting of the table once per space, at the end of every complete run. Measured at 100,000
   * devices, the simulator's two readable spaces, unchanged re-syncs interleaved (load 5.7-7.6): 24-72 ms (median 34)
   * a run with a statement per space, 14 ms with this one.
   */
  renameSpaces(integrationIds: readonly string[], spaces: readonly { id: number; name: string }[]): void {
    if (spaces.length === 0) return;
    // [id, key] of each space, as the CASE below takes them.
    const keys = spaces.flatMap((space) => [space.id, this.#keyOfSpaceName(space.name)]);
    const named = `CASE space_id ${spaces.map(() => 'WHEN ? THEN ?').join(' ')} END`;
    this.db
      .prepare(
        `UPDATE device_sightings SET space_key = ${named}
          WHERE integration_key IN ${integrationKeysOfIdsSql('?')} AND space_id IN (${spaces.map(() => '?').join(', ')}) AND space_key IS NOT ${named}`,
      )
      .run(...keys, JSON.stringify(integrationIds), ...spaces.map((space) => space.id), ...keys);
  }

  /**
   * "Has this device synced?": the Device Client ID compared as every lookup compares it (normalizeDeviceIdentifier),
   * or the device guid or numeric Ivanti id. Each device once, with the integrations that cover it; with
   * `integrationId`, only the devices that integration saw, as it saw them (its space, whether still there).
   */
  find(identifier: string, integrationId?: string): SyncedDevice[] {
    const text = identifier.trim();
    const key = normalizeDeviceIdentifier(identifier);
    const number = /^\d{1,15}$/.test(text) ? Number(text) : null;
    const { tenants, byIdentifier, byKey, sightings: sightingsOf } = this.#find;
    const rows = byIdentifier.all(key) as FoundRow[];
    for (const tenant of tenants.all() as number[]) rows.push(...(byKey.all({ tenant, text, lower: text.toLowerCase(), number }) as FoundRow[]));
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    if (unique.length === 0) return [];
    const sightings = sightingsOf.all(JSON.stringify(unique.map((r) => r.id))) as FoundSighting[];
    const facts = this.integrations.facts();
    return unique.flatMap((row) => {
      const seen = sightings.filter((s) => s.device_id === row.id);
      const own = integrationId === undefined ? null : seen.find((s) => s.integration_id === integrationId);
      if (integrationId !== undefined && own === undefined) return [];
      return [toSyncedDevice(row, seen, own ?? null, facts)];
    });
  }

  /** How many devices the integration covers (of its platform) and still sees. */
  currentCount(integrationId: string): number {
    const platform = this.integrations.facts().get(integrationId)?.platform;
    if (platform === undefined) return 0;
    return this.db
      .prepare(
        `SELECT COUNT(*) FROM device_sightings s JOIN devices d ON d.id = s.device_id
          WHERE s.integration_key IN ${integrationKeysOfIdsSql('?')} AND s.removed_at IS NULL AND d.platform_type = ?`,
      )
      .pluck()
      .get(JSON.stringify([integrationId]), COVERED_PLATFORM_TYPE[platform]) as number;
  }

  /** The integration's active (registered, still seen) devices of its platform, as a coverage comparison lists them. */
  activeDevices(integrationId: string): { guid: string; identifier: string | null; deviceName: string | null }[] {
    const platform = this.integrations.facts().get(integrationId)?.platform;
    if (platform === undefined) return [];
    return this.db
      .prepare(
        `SELECT d.guid, d.client_device_identifier AS identifier, d.device_name AS deviceName
           FROM device_sightings s JOIN devices d ON d.id = s.device_id
          WHERE s.integration_key IN ${integrationKeysOfIdsSql('?')} AND s.removed_at IS NULL AND d.registration_state = 'ACTIVE' AND d.platform_type = ?`,
      )
      .all(JSON.stringify([integrationId]), COVERED_PLATFORM_TYPE[platform]) as { guid: string; identifier: string | null; deviceName: string | null }[];
  }

  /**
   * Every synced record with this Device Client ID (in any form: normalizeDeviceIdentifier), once per integration of
   * `integrationIds` that saw it, as that integration saw it: its space, and whether it is still there for it.
   */
  trustRecords(identifier: string, integrationIds: readonly string[]): TrustRecord[] {
    return this.db
      .prepare(`${trustRecordsSelect()} WHERE d.identifier_key = ? AND s.integration_key IN ${integrationKeysOfIdsSql('?')}`)
      .all(normalizeDeviceIdentifier(identifier), JSON.stringify(integrationIds)) as TrustRecord[];
  }

  /**
   * One device's records as trustRecords gives them (the device-level answer of the explorer and the exports). The
   * statement is prepared once per store: a page or an export asks it for every row.
   */
  trustRecordsOfDevice(deviceId: number, integrationIds: readonly string[]): TrustRecord[] {
    return this.#trustRecordsOfDevice.all(deviceId, JSON.stringify(integrationIds)) as TrustRecord[];
  }

  /**
   * Whether this page may be written without the unique key, and the tenant's guids to write it with; inside the page's
   * transaction. Only while the key is missing, this store set it aside (or took it over: resumeKeyAside) for this
   * tenant, and the schema is as it left it: every device of the tenant was then inserted by this store, which added it
   * to the lookup. Anything else (another tenant's page; a store that neither set it aside nor took it over, another
   * integration's or process's; any schema change since, such as another writer building the key or taking the load
   * over) builds the key first, as a bulk load's end would, so that two writers never insert the same guid; the load
   * goes on with it, as fast as before.
   */
  #keyAside(tenantKey: number): GuidLookup | null {
    if (this.#deferred.exists(DEVICES_KEY)) {
      this.#aside = null;
      // A load the key was built in (or whose end a crash stopped between the two builds) may seek by Ivanti id.
      this.#buildIvantiIdIndex();
      return null;
    }
    if (this.#aside?.tenantKey === tenantKey && this.#aside.schemaVersion === this.#schemaVersion()) return this.#aside.guids;
    this.#aside = null;
    this.#deferred.buildNow(DEVICES_KEY);
    this.#buildIvantiIdIndex();
    return null;
  }

  /**
   * Builds the Ivanti id index now if a bulk load set it aside (IVANTI_ID_INDEX), inside the caller's transaction: a
   * lookup by id without it would read the whole table. This store's own schema change keeps its hold on the unique
   * key set aside (#keyAside) when it had it: the load goes on without the key.
   */
  #buildIvantiIdIndex(): void {
    if (this.#deferred.exists(IVANTI_ID_INDEX)) return;
    const held = this.#aside !== null && this.#aside.schemaVersion === this.#schemaVersion();
    if (this.#deferred.buildNow(IVANTI_ID_INDEX) && held) this.#aside!.schemaVersion = this.#schemaVersion();
  }

  #schemaVersion(): number {
    return this.db.pragma('schema_version', { simple: true }) as number;
  }

  /**
   * The tenant's key (migration 0027), which the device rows and their keys hold in place of its text. Looked up once per
   * page, not cached: a key added by a write that rolled back is gone, and nothing would correct a row written with it.
   */
  #tenantKeyFor(tenant: string): number {
    this.#addTenant.run(tenant);
    return this.#tenantKey.get(tenant) as number;
  }

  /** The key of a space name (migration 0019), keying a name not seen before: written with the device rows and sightings. */
  #keyOfSpaceName(name: string): number {
    this.#addSpaceName.run(name);
    return this.#spaceKey.get(name) as number;
  }

  #factsFor(runId: number): Map<string, IntegrationFacts> {
    if (this.#facts?.runId !== runId) {
      const facts = this.integrations.facts();
      this.#facts = { runId, facts, idOfKey: new Map([...facts.values()].map((f) => [f.key, f.id])) };
    }
    return this.#facts.facts;
  }

  /** The run's integrations' ids by key: a device row names the one it is listed under by its key (migration 0039). */
  #idOfKeyFor(runId: number): Map<number, string> {
    this.#factsFor(runId);
    return this.#facts!.idOfKey;
  }

  #stored(id: number): StoredRecordRow & { raw_record: Buffer } {
    return this.#selectRecord.get(id) as StoredRecordRow & { raw_record: Buffer };
  }
}

/** A page record's guid, read without parsing a DeviceRecord: null when it has none (it is unusable). */
function guidOf(record: IvantiDevice | DeviceRecord): string | null {
  return record instanceof DeviceRecord ? record.guid() : record.guid;
}

/** The row's column naming the integration it is listed under: its key (migrations 0018, 0039). */
function listing(facts: Map<string, IntegrationFacts>, integrationId: string): { integration_key: number | null } {
  return { integration_key: facts.get(integrationId)?.key ?? null };
}

/** The key (migration 0018) of one of the run's integrations, which exist for as long as the run does. */
function keyOf(facts: Map<string, IntegrationFacts>, integrationId: string): number {
  const integration = facts.get(integrationId);
  if (integration === undefined) throw new AppError('INTEGRATION_NOT_FOUND', 'The integration being synced is no longer stored; start the sync again.', { integrationId });
  return integration.key;
}

/** Whether the integration (by id) covers a record of this platform. */
function integrationCoversRecord(facts: Map<string, IntegrationFacts>, integrationId: string, platformType: string | null): boolean {
  const integration = facts.get(integrationId);
  return integration !== undefined && !integration.deleted && integrationCovers(integration.platform, platformType);
}

/** The integration a device is listed under: the first of the fetch's integrations that covers its platform, else `fallback`. */
function listedUnder(facts: Map<string, IntegrationFacts>, integrationIds: readonly string[], platformType: string | null, fallback: string): string {
  return integrationIds.find((id) => integrationCoversRecord(facts, id, platformType)) ?? fallback;
}

function toSyncedDevice(row: FoundRow, seen: FoundSighting[], own: FoundSighting | null, facts: Map<string, IntegrationFacts>): SyncedDevice {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const name = (id: string) => facts.get(id)?.name ?? id;
  const listed = own?.integration_id ?? row.integration_id;
  const lastSeen = Math.max(row.first_seen_at, ...seen.map((s) => s.last_seen_at));
  return {
    integrationId: listed,
    integrationName: name(listed),
    coveredBy: seen
      .filter((s) => integrationCoversRecord(facts, s.integration_id, row.platform_type))
      .map((s) => ({ integrationId: s.integration_id, integrationName: name(s.integration_id), removedAt: iso(s.removed_at) })),
    guid: row.guid,
    ivantiId: row.ivanti_id,
    clientDeviceIdentifier: row.client_device_identifier,
    platformType: row.platform_type,
    registrationState: row.registration_state,
    deviceName: row.device_name,
    model: row.model,
    uid: row.uid,
    spaceName: own?.space_name ?? row.space_name,
    lastCheckin: iso(row.last_checkin),
    firstSeenAt: new Date(row.first_seen_at).toISOString(),
    lastSeenAt: new Date(own?.last_seen_at ?? lastSeen).toISOString(),
    removedAt: own === null ? iso(row.removed_at) : iso(own.removed_at),
  };
}
