import type { Statement } from 'better-sqlite3';
import { normalizeDeviceIdentifier } from '../../../src-shared/domain/device-identifier';
import type { IvantiDevice } from '../ivanti/ivanti-wire';
import type { SyncedDevice } from '../../../src-shared/domain/sync';
import type { Db } from '../db/database';
import { changedFields, DEVICE_COLUMNS, deviceColumns } from './device-row';

/** Where a page of devices was seen: the run, its page counter and the space's current pass. */
export interface PageContext {
  integrationId: string;
  runId: number;
  /** The run's page counter for this page (1-based, monotonic across resumes). */
  page: number;
  /** First page of the space's current pass: a device last seen before it was not (yet) seen by this pass. */
  passStartPage: number;
  space: { id: number; name: string };
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
}

export interface SpacePass {
  id: number;
  passStartPage: number;
}

interface ExistingRow {
  id: number;
  record_hash: string;
  removed_at: number | null;
  last_seen_run: number;
  last_seen_page: number;
}

interface FoundRow {
  integration_id: string;
  integration_name: string;
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
  last_seen_at: number;
  removed_at: number | null;
}


/** A synced record as the trust prediction weighs it. */
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

const FOUND_COLUMNS = `d.integration_id, i.name AS integration_name, d.guid, d.ivanti_id, d.client_device_identifier, d.platform_type,
  d.registration_state, d.device_name, d.model, d.uid, d.space_name, d.last_checkin, d.first_seen_at, d.last_seen_at, d.removed_at`;

/** Forgets an integration's synced devices and their change history (the admin chose to purge them on deletion). */
export function purgeSyncedDevices(db: Db, integrationId: string): void {
  db.prepare('DELETE FROM device_changes WHERE integration_id = ?').run(integrationId);
  db.prepare('DELETE FROM devices WHERE integration_id = ?').run(integrationId);
}

/**
 * The synced devices of every integration and the change history a sync writes about them. Page writes run inside the
 * caller's transaction, so a page and the run's checkpoint commit together.
 */
export class DeviceStore {
  readonly #select: Statement;
  readonly #selectRaw: Statement;
  readonly #insert: Statement;
  readonly #rewrite: Statement;
  readonly #touch: Statement;
  readonly #touchByIvantiId: Statement;
  readonly #insertChange: Statement;
  readonly #notSeenThisRun: Statement;
  readonly #notSeenThisPass: Statement;
  readonly #notSeenThisRunInSpaces: Statement;
  readonly #markRemoved: Statement;

  constructor(private readonly db: Db) {
    this.#select = db.prepare(
      'SELECT id, record_hash, removed_at, last_seen_run, last_seen_page FROM devices WHERE integration_id = ? AND guid = ?',
    );
    this.#selectRaw = db.prepare('SELECT raw FROM devices WHERE id = ?').pluck();
    this.#insert = db.prepare(
      `INSERT INTO devices (integration_id, ${DEVICE_COLUMNS.join(', ')}, first_seen_at, last_seen_at, last_seen_run, last_seen_page)
       VALUES (@integration_id, ${DEVICE_COLUMNS.map((c) => `@${c}`).join(', ')}, @at, @at, @run, @page)`,
    );
    this.#rewrite = db.prepare(
      `UPDATE devices SET ${DEVICE_COLUMNS.filter((c) => c !== 'guid').map((c) => `${c} = @${c}`).join(', ')},
         last_seen_at = @at, last_seen_run = @run, last_seen_page = @page, removed_at = NULL, removed_run = NULL
       WHERE id = @id`,
    );
    this.#touch = db.prepare('UPDATE devices SET last_seen_at = ?, last_seen_run = ?, last_seen_page = ? WHERE id = ?');
    this.#touchByIvantiId = db.prepare(
      'UPDATE devices SET last_seen_at = ?, last_seen_run = ?, last_seen_page = ? WHERE integration_id = ? AND ivanti_id = ? AND removed_at IS NULL',
    );
    this.#insertChange = db.prepare('INSERT INTO device_changes (run_id, integration_id, guid, kind, fields, at) VALUES (?, ?, ?, ?, ?, ?)');
    // Both read the partial index devices_presence (… WHERE removed_at IS NULL), never the wide rows.
    this.#notSeenThisRun = db.prepare(
      'SELECT id, guid FROM devices WHERE integration_id = ? AND last_seen_run < ? AND removed_at IS NULL LIMIT ?',
    );
    this.#notSeenThisRunInSpaces = db.prepare(
      'SELECT id, guid FROM devices WHERE integration_id = ? AND last_seen_run < ? AND removed_at IS NULL AND space_id IN (SELECT value FROM json_each(?)) LIMIT ?',
    );
    this.#notSeenThisPass = db.prepare(
      'SELECT id, guid FROM devices WHERE integration_id = ? AND last_seen_run = ? AND space_id = ? AND last_seen_page < ? AND removed_at IS NULL LIMIT ?',
    );
    this.#markRemoved = db.prepare('UPDATE devices SET removed_at = ?, removed_run = ? WHERE id = ?');
  }

  /** Upserts one page by (integration, guid) and records what changed. Call inside a transaction. */
  writePage(ctx: PageContext, devices: readonly IvantiDevice[]): PageWriteResult {
    const result: PageWriteResult = { newInRun: 0, newInPass: 0, added: 0, changed: 0, restored: 0 };
    for (const device of devices) {
      const columns = deviceColumns(device, ctx.space);
      const existing = this.#select.get(ctx.integrationId, columns.guid) as ExistingRow | undefined;
      const seenThisRun = existing !== undefined && existing.last_seen_run === ctx.runId;
      if (!seenThisRun) result.newInRun++;
      if (!seenThisRun || existing.last_seen_page < ctx.passStartPage) result.newInPass++;
      const values = { ...columns, integration_id: ctx.integrationId, at: ctx.at, run: ctx.runId, page: ctx.page };
      if (existing === undefined) {
        this.#insert.run(values);
        this.#insertChange.run(ctx.runId, ctx.integrationId, columns.guid, 'added', null, ctx.at);
        result.added++;
        continue;
      }
      const restored = existing.removed_at !== null;
      if (!restored && existing.record_hash === columns.record_hash) {
        this.#touch.run(ctx.at, ctx.runId, ctx.page, existing.id);
        continue;
      }
      const fields = existing.record_hash === columns.record_hash ? {} : this.#diff(existing.id, device.raw);
      this.#rewrite.run({ ...values, id: existing.id });
      const hasFields = Object.keys(fields).length > 0;
      if (restored) {
        this.#insertChange.run(ctx.runId, ctx.integrationId, columns.guid, 'restored', hasFields ? JSON.stringify(fields) : null, ctx.at);
        result.restored++;
      } else if (hasFields) {
        this.#insertChange.run(ctx.runId, ctx.integrationId, columns.guid, 'changed', JSON.stringify(fields), ctx.at);
        result.changed++;
      }
    }
    return result;
  }

  /**
   * A record the console could not parse still proves its device exists: mark the stored device with that numeric id
   * seen, so a complete run does not report it removed. Returns whether one was known.
   */
  touchUnparsed(ctx: PageContext, ivantiId: number): boolean {
    return this.#touchByIvantiId.run(ctx.at, ctx.runId, ctx.page, ctx.integrationId, ivantiId).changes > 0;
  }

  /**
   * Marks up to `limit` devices the run did not see as removed (kept, never deleted) and records each removal.
   * `spaces` are the passes of the spaces read to their end: only their devices are judged when `onlyThoseSpaces` (a run
   * that could not read some spaces: theirs keep their last known state); otherwise (every space read) a device of a
   * space no longer listed is removed too. Returns how many were marked: call again until it answers 0, each call in
   * its own transaction.
   */
  markUnseenRemoved(
    ctx: { integrationId: string; runId: number; at: number },
    spaces: readonly SpacePass[],
    limit: number,
    onlyThoseSpaces = false,
  ): number {
    let rows = (
      onlyThoseSpaces
        ? this.#notSeenThisRunInSpaces.all(ctx.integrationId, ctx.runId, JSON.stringify(spaces.map((s) => s.id)), limit)
        : this.#notSeenThisRun.all(ctx.integrationId, ctx.runId, limit)
    ) as { id: number; guid: string }[];
    for (const space of spaces) {
      if (rows.length >= limit) break;
      rows = rows.concat(
        this.#notSeenThisPass.all(ctx.integrationId, ctx.runId, space.id, space.passStartPage, limit - rows.length) as { id: number; guid: string }[],
      );
    }
    for (const row of rows) {
      this.#markRemoved.run(ctx.at, ctx.runId, row.id);
      this.#insertChange.run(ctx.runId, ctx.integrationId, row.guid, 'removed', null, ctx.at);
    }
    return rows.length;
  }

  /**
   * "Has this device synced?": the Device Client ID compared as every lookup compares it (normalizeDeviceIdentifier),
   * or the device guid or numeric Ivanti id.
   */
  find(identifier: string, integrationId?: string): SyncedDevice[] {
    const text = identifier.trim();
    const key = normalizeDeviceIdentifier(identifier);
    // The unary + keeps the planner off the integration_id-led indexes: without statistics (before the first ANALYZE)
    // it would otherwise walk every device of the integration instead of the identifier index.
    const scope = integrationId === undefined ? '' : ' AND +d.integration_id = @integrationId';
    const rows = this.db
      .prepare(
        `SELECT ${FOUND_COLUMNS} FROM devices d JOIN integrations i ON i.id = d.integration_id
         WHERE d.identifier_key = @key${scope}`,
      )
      .all({ key, integrationId }) as FoundRow[];
    // guid and ivanti id are indexed behind integration_id, so they are looked up one integration at a time.
    const integrationIds =
      integrationId === undefined ? (this.db.prepare('SELECT id FROM integrations').pluck().all() as string[]) : [integrationId];
    const byKey = this.db.prepare(
      `SELECT ${FOUND_COLUMNS} FROM devices d JOIN integrations i ON i.id = d.integration_id
       WHERE d.integration_id = @id AND (d.guid IN (@text, @lower) OR d.ivanti_id = @number)`,
    );
    const number = /^\d{1,15}$/.test(text) ? Number(text) : null;
    for (const id of integrationIds) rows.push(...(byKey.all({ id, text, lower: text.toLowerCase(), number }) as FoundRow[]));
    const unique = new Map(rows.map((r) => [`${r.integration_id}\0${r.guid}`, r]));
    return [...unique.values()].map(toSyncedDevice);
  }

  /** How many of the integration's devices are current (not removed). */
  currentCount(integrationId: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM devices WHERE integration_id = ? AND removed_at IS NULL').pluck().get(integrationId) as number;
  }

  /** The integration's active (registered, not removed) devices, as a coverage comparison lists them. */
  activeDevices(integrationId: string): { guid: string; identifier: string | null; deviceName: string | null }[] {
    return this.db
      .prepare(
        `SELECT guid, client_device_identifier AS identifier, device_name AS deviceName FROM devices
          WHERE integration_id = ? AND registration_state = 'ACTIVE' AND removed_at IS NULL`,
      )
      .all(integrationId) as { guid: string; identifier: string | null; deviceName: string | null }[];
  }

  /** Every synced record with this Device Client ID (in any form: normalizeDeviceIdentifier), in live integrations. */
  trustRecords(identifier: string): TrustRecord[] {
    return this.db
      .prepare(
        `SELECT d.integration_id AS integrationId, d.guid, d.registration_state AS registrationState, d.platform_type AS platformType,
                d.space_id AS spaceId, d.space_name AS spaceName, d.uid, d.email, d.last_seen_at AS lastSeenAt, d.removed_at AS removedAt
           FROM devices d JOIN integrations i ON i.id = d.integration_id
          WHERE d.identifier_key = ? AND i.deleted_at IS NULL`,
      )
      .all(normalizeDeviceIdentifier(identifier)) as TrustRecord[];
  }

  #diff(id: number, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
    const before = JSON.parse(this.#selectRaw.get(id) as string) as Record<string, unknown>;
    return changedFields(before, after);
  }
}

function toSyncedDevice(row: FoundRow): SyncedDevice {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    integrationId: row.integration_id,
    integrationName: row.integration_name,
    guid: row.guid,
    ivantiId: row.ivanti_id,
    clientDeviceIdentifier: row.client_device_identifier,
    platformType: row.platform_type,
    registrationState: row.registration_state,
    deviceName: row.device_name,
    model: row.model,
    uid: row.uid,
    spaceName: row.space_name,
    lastCheckin: iso(row.last_checkin),
    firstSeenAt: new Date(row.first_seen_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    removedAt: iso(row.removed_at),
  };
}
