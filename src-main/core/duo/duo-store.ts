/**
 * Owns the duo_* tables (migration 6): the connection row and the copies of what was read from Duo. Each list is
 * replaced whole, in one transaction, only when its read completed: a cancelled or failed read keeps the last copy.
 */
import type { DuoConnection, DuoGroup, DuoRead, DuoReadKind } from '../../../src-shared/domain/duo';
import type { Db } from '../db/database';
import { nameKey } from './name-key';

export interface StoredConnection {
  apiHostname: string;
  integrationKey: string;
  secretRef: string;
  updatedAt: number;
}

export interface DuoUserRow {
  userId: string;
  username: string;
  realname: string | null;
  email: string | null;
  status: string | null;
  aliases: string[];
}

export interface DuoEndpointRow {
  epkey: string;
  username: string | null;
  email: string | null;
  osFamily: string | null;
  osVersion: string | null;
  model: string | null;
  deviceName: string | null;
  /** Null when Duo sent no `trusted_endpoint` (non-Premier accounts). */
  trustedEndpoint: 'yes' | 'no' | 'unknown' | null;
  deviceIdentifier: string | null;
  deviceIdentifierType: string | null;
  deviceUdid: string | null;
  lastUpdated: number | null;
}

/** Every name Duo knows a user by: username, aliases, email. */
export function userIdentities(user: Pick<DuoUserRow, 'username' | 'aliases' | 'email'>): string[] {
  return [user.username, ...user.aliases, ...(user.email ? [user.email] : [])];
}

export interface DuoUserFound {
  user: DuoUserRow;
  matchedBy: 'username' | 'alias' | 'email';
}

/**
 * Duo's users as one read left them, resolving a sign-in name as Duo does: by username, then an alias, then the email,
 * without regard to case (nameKey); the first user in the read wins a tie.
 */
export class DuoUserNames {
  readonly #byUsername = new Map<string, DuoUserRow>();
  readonly #byAlias = new Map<string, DuoUserRow>();
  readonly #byEmail = new Map<string, DuoUserRow>();

  constructor(private readonly users: readonly DuoUserRow[]) {
    const keep = (map: Map<string, DuoUserRow>, name: string, user: DuoUserRow) => {
      if (!map.has(nameKey(name))) map.set(nameKey(name), user);
    };
    for (const user of users) {
      keep(this.#byUsername, user.username, user);
      for (const alias of user.aliases) keep(this.#byAlias, alias, user);
      if (user.email) keep(this.#byEmail, user.email, user);
    }
  }

  find(name: string): DuoUserFound | null {
    const wanted = nameKey(name);
    const byUsername = this.#byUsername.get(wanted);
    if (byUsername) return { user: byUsername, matchedBy: 'username' };
    const byAlias = this.#byAlias.get(wanted);
    if (byAlias) return { user: byAlias, matchedBy: 'alias' };
    const byEmail = this.#byEmail.get(wanted);
    return byEmail ? { user: byEmail, matchedBy: 'email' } : null;
  }

  /** Every name of the user `name` resolves to (userIdentities); empty when it resolves to none. */
  namesOf(name: string): string[] {
    const found = this.find(name);
    return found ? userIdentities(found.user) : [];
  }

  /** Every name of every user known by one of `names` (as username, alias or email), whatever it resolves to first. */
  namesOfUsersNamed(names: readonly string[]): string[] {
    const wanted = new Set(names.map(nameKey));
    return this.users.filter((u) => userIdentities(u).some((n) => wanted.has(nameKey(n)))).flatMap(userIdentities);
  }
}

export class DuoStore {
  constructor(private readonly db: Db) {}

  connection(): StoredConnection | null {
    const row = this.db.prepare('SELECT api_hostname, integration_key, secret_ref, updated_at FROM duo_connection WHERE id = 1').get() as
      | { api_hostname: string; integration_key: string; secret_ref: string; updated_at: number }
      | undefined;
    return row ? { apiHostname: row.api_hostname, integrationKey: row.integration_key, secretRef: row.secret_ref, updatedAt: row.updated_at } : null;
  }

  saveConnection(connection: Omit<StoredConnection, 'updatedAt'>, at: number): void {
    this.db
      .prepare(
        `INSERT INTO duo_connection (id, api_hostname, integration_key, secret_ref, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET api_hostname = excluded.api_hostname, integration_key = excluded.integration_key,
           secret_ref = excluded.secret_ref, updated_at = excluded.updated_at`,
      )
      .run(connection.apiHostname, connection.integrationKey, connection.secretRef, at, at);
  }

  /** Removes the connection and every copy read through it. */
  forget(): void {
    this.db.transaction(() => {
      for (const table of ['duo_group_members', 'duo_groups', 'duo_users', 'duo_endpoints', 'duo_reads', 'duo_connection']) this.db.exec(`DELETE FROM ${table}`);
    })();
  }

  /** The hostname or integration key changed: what was read belongs to another account, so it goes. */
  clearCopies(): void {
    this.db.transaction(() => {
      for (const table of ['duo_group_members', 'duo_groups', 'duo_users', 'duo_endpoints', 'duo_reads']) this.db.exec(`DELETE FROM ${table}`);
    })();
  }

  reads(): DuoRead[] {
    const rows = this.db.prepare('SELECT kind, status, started_at, finished_at, count, error_code, error_message FROM duo_reads ORDER BY kind').all() as Array<{
      kind: DuoReadKind;
      status: DuoRead['status'];
      started_at: number;
      finished_at: number;
      count: number | null;
      error_code: string | null;
      error_message: string | null;
    }>;
    return rows.map((r) => ({
      kind: r.kind,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      count: r.count,
      error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    }));
  }

  counts(): DuoConnection['counts'] {
    const count = (table: string) => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { groups: count('duo_groups'), members: count('duo_group_members'), users: count('duo_users'), endpoints: count('duo_endpoints') };
  }

  recordRead(read: DuoRead): void {
    this.db
      .prepare(
        `INSERT INTO duo_reads (kind, status, started_at, finished_at, count, error_code, error_message) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind) DO UPDATE SET status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at,
           count = excluded.count, error_code = excluded.error_code, error_message = excluded.error_message`,
      )
      .run(read.kind, read.status, read.startedAt, read.finishedAt, read.count, read.error?.code ?? null, read.error?.message ?? null);
  }

  replaceGroups(groups: DuoGroup[], fetchedAt: number, read: DuoRead): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM duo_group_members; DELETE FROM duo_groups;');
      const group = this.db.prepare('INSERT INTO duo_groups (group_id, name, description, status, fetched_at) VALUES (?, ?, ?, ?, ?)');
      const member = this.db.prepare('INSERT OR IGNORE INTO duo_group_members (group_id, user_id, username) VALUES (?, ?, ?)');
      for (const g of groups) {
        group.run(g.groupId, g.name, g.description, g.status, fetchedAt);
        for (const m of g.members) member.run(g.groupId, m.userId, m.username);
      }
      this.recordRead(read);
    })();
  }

  replaceUsers(users: DuoUserRow[], fetchedAt: number, read: DuoRead): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM duo_users');
      const insert = this.db.prepare('INSERT OR REPLACE INTO duo_users (user_id, username, realname, email, status, aliases, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const u of users) insert.run(u.userId, u.username, u.realname, u.email, u.status, JSON.stringify(u.aliases), fetchedAt);
      this.recordRead(read);
    })();
  }

  replaceEndpoints(endpoints: DuoEndpointRow[], fetchedAt: number, read: DuoRead): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM duo_endpoints');
      const insert = this.db.prepare(
        `INSERT OR REPLACE INTO duo_endpoints (epkey, username, email, os_family, os_version, model, device_name, trusted_endpoint,
           device_identifier, device_identifier_type, device_udid, last_updated, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const e of endpoints) {
        insert.run(e.epkey, e.username, e.email, e.osFamily, e.osVersion, e.model, e.deviceName, e.trustedEndpoint, e.deviceIdentifier, e.deviceIdentifierType, e.deviceUdid, e.lastUpdated, fetchedAt);
      }
      this.recordRead(read);
    })();
  }

  groups(): DuoGroup[] {
    const groups = this.db.prepare('SELECT group_id, name, description, status FROM duo_groups ORDER BY name COLLATE NOCASE').all() as Array<{
      group_id: string;
      name: string;
      description: string | null;
      status: string | null;
    }>;
    const members = this.db.prepare('SELECT user_id, username FROM duo_group_members WHERE group_id = ? ORDER BY username COLLATE NOCASE');
    return groups.map((g) => ({
      groupId: g.group_id,
      name: g.name,
      description: g.description,
      status: g.status,
      members: (members.all(g.group_id) as Array<{ user_id: string; username: string | null }>).map((m) => ({ userId: m.user_id, username: m.username })),
    }));
  }

  /** findUser for several names, reading the users once. */
  findUsers(names: readonly string[]): Array<DuoUserFound | null> {
    const users = this.userNames();
    return names.map((name) => users.find(name));
  }

  /** The users of the last read, read once, to resolve as many sign-in names as needed (a page, an export, a filter). */
  userNames(): DuoUserNames {
    const rows = this.db.prepare('SELECT user_id, username, realname, email, status, aliases FROM duo_users').all() as Array<{
      user_id: string;
      username: string;
      realname: string | null;
      email: string | null;
      status: string | null;
      aliases: string;
    }>;
    return new DuoUserNames(
      rows.map((r) => ({
        userId: r.user_id,
        username: r.username,
        realname: r.realname,
        email: r.email,
        status: r.status,
        aliases: JSON.parse(r.aliases) as string[],
      })),
    );
  }

  /** Duo's endpoints of one user (by the username Duo links them to), most recently seen first. */
  endpointsOf(username: string): DuoEndpointRow[] {
    const rows = this.db
      .prepare(
        `SELECT epkey, username, email, os_family, os_version, model, device_name, trusted_endpoint, device_identifier, device_identifier_type,
                device_udid, last_updated FROM duo_endpoints WHERE username = ? COLLATE NOCASE ORDER BY last_updated DESC`,
      )
      .all(username) as Array<Record<string, unknown>>;
    return rows.map(toEndpointRow);
  }

  /** The usernames of a group's members in the last read, or null when the read has no such group. */
  groupMemberUsernames(groupId: string): string[] | null {
    if (this.db.prepare('SELECT 1 FROM duo_groups WHERE group_id = ?').get(groupId) === undefined) return null;
    return this.db.prepare('SELECT username FROM duo_group_members WHERE group_id = ? AND username IS NOT NULL').pluck().all(groupId) as string[];
  }

  /** Usernames that have endpoints, for the disagreement overview. */
  endpointUsernames(): string[] {
    return (this.db.prepare('SELECT DISTINCT username FROM duo_endpoints WHERE username IS NOT NULL ORDER BY username').all() as Array<{ username: string }>).map((r) => r.username);
  }

  /** Whether any endpoint carries Duo's trusted_endpoint flag (Premier accounts only). */
  trustedEndpointAvailable(): boolean {
    return this.db.prepare('SELECT 1 FROM duo_endpoints WHERE trusted_endpoint IS NOT NULL LIMIT 1').get() !== undefined;
  }
}

function toEndpointRow(r: Record<string, unknown>): DuoEndpointRow {
  return {
    epkey: r.epkey as string,
    username: r.username as string | null,
    email: r.email as string | null,
    osFamily: r.os_family as string | null,
    osVersion: r.os_version as string | null,
    model: r.model as string | null,
    deviceName: r.device_name as string | null,
    trustedEndpoint: r.trusted_endpoint as DuoEndpointRow['trustedEndpoint'],
    deviceIdentifier: r.device_identifier as string | null,
    deviceIdentifierType: r.device_identifier_type as string | null,
    deviceUdid: r.device_udid as string | null,
    lastUpdated: r.last_updated as number | null,
  };
}
