import type { Statement } from 'better-sqlite3';
import type { IntegrationStatus, Platform, TestGroupDuoGroup } from '../../../src-shared/domain/integration';
import type { Db } from '../db/database';
import { deviceInventory } from './device-inventory';

export interface IntegrationRow {
  id: string;
  name: string;
  mdm: 'ivanti-neurons';
  platform: Platform;
  status: IntegrationStatus;
  domain: string | null;
  email: string | null;
  password_ref: string | null;
  config_key: string | null;
  config_key_entered_at: number | null;
  test_group_duo_id: string | null;
  test_group_duo_name: string | null;
  migrated_from: string | null;
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface NewIntegrationRow {
  id: string;
  name: string;
  platform: Platform;
  domain: string | null;
  email: string | null;
  passwordRef: string | null;
  migratedFrom: string | null;
  at: number;
}

/**
 * SQL for the id of the integration whose key (integrations.key, migration 0018) the caller's query names: the device
 * tables name an integration by its key (sightings since migration 0032), and their readers give the id. One primary-key
 * read of the few integration rows (the unique index integrations_key), tombstones included.
 */
export function integrationIdOfKeySql(key: string): string {
  return `(SELECT i.id FROM integrations i WHERE i.key = ${key})`;
}

/** SQL for the key of the integration whose id the caller's query names (a parameter): for tables keyed by it. */
export function integrationKeyOfIdSql(id: string): string {
  return `(SELECT i.key FROM integrations i WHERE i.id = ${id})`;
}

/**
 * SQL for the keys of the integrations whose ids a JSON array (the caller's parameter) lists, for `key IN …`: read once
 * per statement, for callers that speak of integrations by id.
 */
export function integrationKeysOfIdsSql(json: string): string {
  return `(SELECT i.key FROM integrations i WHERE i.id IN (SELECT value FROM json_each(${json})))`;
}

/** What device code needs to know of each integration, tombstones included (their kept devices still name them). */
export interface IntegrationFacts {
  id: string;
  name: string;
  platform: Platform;
  status: IntegrationStatus;
  deleted: boolean;
  /** The Ivanti tenant its devices belong to (device-inventory.ts); null without API details. */
  tenant: string | null;
  /** Its small integer key (migration 0018): how the device rows and indexes name the integration a device is listed under. */
  key: number;
}

/**
 * The one read of `integrations` that device code (device store, explorer, exports, certificate inventory) is given:
 * the table keeps one owner (docs/architecture.md, "Data").
 */
export interface IntegrationDirectory {
  facts(): Map<string, IntegrationFacts>;
  /** The usernames of the integration's test group (compared without regard to case). */
  testGroup(id: string): string[];
}

/**
 * The owner of `integrations` and `integration_test_group` (docs/architecture.md, "Data"). A deleted integration stays
 * as a tombstone: every read here sees live integrations only.
 */
export class IntegrationStore implements IntegrationDirectory {
  constructor(private readonly db: Db) {}

  /** Prepared once: "has it synced?" and every explorer page read the facts (issue 19). */
  #facts: Statement | undefined;

  facts(): Map<string, IntegrationFacts> {
    this.#facts ??= this.db.prepare('SELECT id, name, platform, status, deleted_at, domain, email, key FROM integrations');
    const rows = this.#facts.all() as (Omit<IntegrationFacts, 'deleted' | 'tenant'> & {
      deleted_at: number | null;
      domain: string | null;
      email: string | null;
    })[];
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          name: r.name,
          platform: r.platform,
          status: r.status,
          deleted: r.deleted_at !== null,
          tenant: r.domain === null || r.email === null ? null : deviceInventory(r.domain, r.email).tenant,
          key: r.key,
        },
      ]),
    );
  }

  /**
   * The live integrations that share one fetch with this one: same tenant and same API user (device-inventory.ts),
   * itself first. An integration without API details shares with none.
   */
  fetchGroup(id: string): string[] {
    const self = this.find(id);
    if (self?.domain == null || self.email == null) return [id];
    const group = deviceInventory(self.domain, self.email).fetchGroup;
    const others = this.live('oldest-first').filter(
      (r) => r.id !== id && r.domain !== null && r.email !== null && deviceInventory(r.domain, r.email).fetchGroup === group,
    );
    return [id, ...others.map((r) => r.id)];
  }

  find(id: string): IntegrationRow | null {
    return (this.db.prepare('SELECT * FROM integrations WHERE id = ? AND deleted_at IS NULL').get(id) as IntegrationRow | undefined) ?? null;
  }

  /** Live integrations, newest first (the Integrations page's order) or oldest first (the order the trust prediction weighs them). */
  live(order: 'newest-first' | 'oldest-first'): IntegrationRow[] {
    const orderBy = order === 'newest-first' ? 'created_at DESC, name' : 'created_at, name';
    return this.db.prepare(`SELECT * FROM integrations WHERE deleted_at IS NULL ORDER BY ${orderBy}`).all() as IntegrationRow[];
  }

  /** Names compare whatever their case, among live integrations. */
  nameTaken(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM integrations WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL').get(name) !== undefined;
  }

  insert(row: NewIntegrationRow): void {
    this.db
      .prepare(
        `INSERT INTO integrations (id, name, mdm, platform, status, domain, email, password_ref, migrated_from, created_at, updated_at)
         VALUES (?, ?, 'ivanti-neurons', ?, 'disabled', ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.name, row.platform, row.domain, row.email, row.passwordRef, row.migratedFrom, row.at, row.at);
  }

  /** A null passwordRef keeps the stored one. */
  setApiDetails(id: string, domain: string, email: string, passwordRef: string | null, at: number): void {
    this.db.prepare('UPDATE integrations SET domain = ?, email = ?, password_ref = COALESCE(?, password_ref), updated_at = ? WHERE id = ?').run(domain, email, passwordRef, at, id);
  }

  setPasswordRef(id: string, passwordRef: string, at: number): void {
    this.db.prepare('UPDATE integrations SET password_ref = ?, updated_at = ? WHERE id = ?').run(passwordRef, at, id);
  }

  /** A key the admin entered from Duo. */
  setEnteredConfigKey(id: string, key: string, at: number): void {
    this.db.prepare('UPDATE integrations SET config_key = ?, config_key_entered_at = ?, updated_at = ? WHERE id = ?').run(key, at, at, id);
  }

  /**
   * With members, the test group is replaced by them, and by the Duo group they were read from (null: typed by hand);
   * with null members both are left as they are.
   */
  setStatus(id: string, status: IntegrationStatus, members: readonly string[] | null, duoGroup: TestGroupDuoGroup | null, at: number): void {
    this.db.prepare('UPDATE integrations SET status = ?, updated_at = ? WHERE id = ?').run(status, at, id);
    if (members) {
      this.db.prepare('UPDATE integrations SET test_group_duo_id = ?, test_group_duo_name = ? WHERE id = ?').run(duoGroup?.groupId ?? null, duoGroup?.name ?? null, id);
      this.db.prepare('DELETE FROM integration_test_group WHERE integration_id = ?').run(id);
      const insert = this.db.prepare('INSERT INTO integration_test_group (integration_id, username) VALUES (?, ?)');
      for (const username of members) insert.run(id, username);
    }
  }

  testGroup(id: string): string[] {
    return this.db.prepare('SELECT username FROM integration_test_group WHERE integration_id = ? ORDER BY username').pluck().all(id) as string[];
  }

  /** A tombstone, not a DELETE: devices (when kept), sync runs and certificates reference the row (see migration 3). */
  markDeleted(id: string, at: number): void {
    this.db.prepare('DELETE FROM integration_test_group WHERE integration_id = ?').run(id);
    this.db
      .prepare(
        `UPDATE integrations SET deleted_at = ?, status = 'disabled', password_ref = NULL, config_key = NULL, test_group_duo_id = NULL, test_group_duo_name = NULL,
           updated_at = ? WHERE id = ?`,
      )
      .run(at, at, id);
  }
}
