import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex, INDEXED_TEXT_SQL } from '../../../../src-main/core/devices/device-search-index';
import { ftsMatchExpression, PHRASE_CHECK, searchWords } from '../../../../src-main/core/devices/device-search-text';
import { orderDevices } from '../../../../src-main/core/devices/device-selection';
import { withSortMarkers } from '../../../../src-main/core/devices/device-sort-markers';
import type { DeviceQuery } from '../../../../src-shared/domain/device';

/** Devices and searches the upgrade tests of the search index's migrations (0021, 0025) share. */
export const NOW = Date.parse('2026-11-28T12:00:00Z');
const FIRST = ['Ada', 'Acme', 'Grace', 'Alan', 'Adèle', 'Lovisa', 'Loïc', 'Acmeville'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Lovell', 'Acker'];
const MODELS = [['Galaxy S23', 'samsung'], ['iPhone 15', 'Apple'], ['moto g', 'motorola'], ['Pixel 8', 'Google']];

/**
 * Stores `count` devices whose text shares two- and three-character starts in many ways into a console's database
 * (schema 19 or later: integration and space keys) and indexes them for search.
 */
export function seedSearchableDevices(db: Db, count: number): Db {
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at)
      VALUES ('i-1', 'Acme Android', 'ivanti-neurons', 'android', 'all-users', 'acmecorp.mobileiron.com', 'api@acme.example', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'i-1', 'manual', 'completed', 10, 20, 1);
  `);
  const insert = db.prepare(
    `INSERT INTO devices (id, tenant, integration_id, integration_key, guid, platform_type, registration_state, space_id, space_name, last_checkin,
                          record_hash, first_seen_at, last_seen_at, last_seen_run, uid, email, display_name, device_name, model, manufacturer,
                          wifi_mac, client_device_identifier, removed_at)
     VALUES (@id, 't', 'i-1', 1, 'guid-' || @id, 'ANDROID', 'ACTIVE', 1, 'Default Space', @checkin, x'00', 15, 20, 1, @uid, @uid, @name, @device,
             @model, @maker, @mac, @client, @removed)`,
  );
  const sight = db.prepare("INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run) VALUES (?, 'i-1', 1, 'Default Space', 15, 20, 1)");
  for (let id = 1; id <= count; id++) {
    const first = FIRST[id % FIRST.length]!;
    const last = LAST[(id * 7) % LAST.length]!;
    const [model, maker] = MODELS[(id * 3) % MODELS.length]!;
    // GDPR-masked users (every fifth) sort first by uid and match no name.
    const masked = id % 5 === 0;
    const hex = ((id * 2654435761) >>> 0).toString(16).padStart(8, '0');
    insert.run({
      id,
      checkin: NOW - id * 60_000,
      uid: masked ? '********' : `${first.toLowerCase()}.${last.toLowerCase()}${id}@acmecorp.example`,
      name: masked ? '********' : `${first} ${last}`,
      device: `${first}'s ${model}`,
      model,
      maker,
      mac: hex.match(/../g)!.join(':') + ':ac:e1',
      client: `${hex}acm${id}`,
      removed: id % 17 === 0 ? NOW : null,
    });
    sight.run(id);
  }
  return indexForSearch(db);
}

/**
 * Applies the search index's queue with plain SQL of the columns every schema from 0004 on declares, as a console of
 * that version did: today's catch-up writes today's columns (the sort markers since migration 0035).
 */
export function indexForSearch(db: Db): Db {
  db.exec(`
    DELETE FROM devices_fts WHERE rowid IN (SELECT device_id FROM devices_fts_pending WHERE indexed = 1);
    INSERT INTO devices_fts (rowid, identifier, serial, imei, udid, mac, user, email, name, model)
      SELECT d.id, ${INDEXED_TEXT_SQL.join(', ')} FROM devices_fts_pending p JOIN devices d ON d.id = p.device_id;
    DELETE FROM devices_fts_pending;
  `);
  return db;
}

export const SORTS: DeviceQuery['sort'][] = [undefined, { column: 'uid', direction: 'asc' }, { column: 'model', direction: 'asc' }, { column: 'lastCheckin', direction: 'desc' }];

/** Every page of every text in every order, and the counts: what an admin searching sees. */
export function searchAnswers(db: Db, texts: readonly string[], probeCostRatio?: number): { text: string; count: number; pages: number[][][] }[] {
  const repository = () => new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW), probeCostRatio);
  return texts.map((text) => ({
    text,
    count: repository().count({ text }),
    pages: SORTS.map((sort) => [0, 30].map((offset) => repository().search({ text, sort }, { offset, limit: 30 }).map((r) => r.id))),
  }));
}

/**
 * searchAnswers from SQL alone: what every search must keep answering. Over an index that keeps token positions (before
 * migration 0025), words of several tokens are tested in FTS5's phrase syntax; without them (`positions` false), by
 * the phrase check on the device's own text. Runs on any schema from 0019 on.
 */
export function indexAnswers(db: Db, texts: readonly string[], positions = true): { text: string; count: number; pages: number[][][] }[] {
  // Before migration 0028 there are no platform and state codes to order by: the text orders the same for the values
  // Ivanti documents, which are the seed's.
  const orderOf = (sort: DeviceQuery['sort']) => orderDevices(sort, false).replaceAll('d.platform_code', 'd.platform_type').replaceAll('d.state_code', 'd.registration_state');
  const matching = (text: string, order: string, limit = -1, offset = 0) =>
    (positions
      ? db
          .prepare(`SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?) AND d.removed_at IS NULL ${order} LIMIT ? OFFSET ?`)
          .pluck()
          .all(phraseMatch(text), limit, offset)
      : db
          .prepare(
            `SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?) AND ${PHRASE_CHECK}(?, ${INDEXED_TEXT_SQL.join(', ')})
               AND d.removed_at IS NULL ${order} LIMIT ? OFFSET ?`,
          )
          .pluck()
          .all(ftsMatchExpression(text), JSON.stringify(searchWords(text)), limit, offset)) as number[];
  return texts.map((text) => ({
    text,
    count: matching(text, '').length,
    pages: SORTS.map((sort) => [0, 30].map((offset) => matching(text, orderOf(sort), 30, offset))),
  }));
}

/** The typed text in FTS5's phrase syntax: each word's tokens side by side, in order, the last one a prefix. */
function phraseMatch(text: string): string {
  return searchWords(text)
    .map((w) => `"${w.tokens.join(' ')}"${w.prefix ? '*' : ''}`)
    .join(' AND ');
}

export const ftsBytes = (db: Db) => db.prepare("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'devices_fts%'").pluck().get() as number;

/**
 * The devices (ids, ascending) that hold every one of `marks` (sort markers, sortMarkersOf's text) and match one of the
 * seeded common words: who a walk's question about a run with those markers would find.
 */
export function devicesHoldingMarkers(db: Db, marks: string): number[] {
  return db.prepare('SELECT rowid FROM devices_fts WHERE devices_fts MATCH ? ORDER BY rowid').pluck().all(withSortMarkers('acmecorp OR hopper OR turing OR lovelace OR acker OR lovell', marks)) as number[];
}
