import { createHash } from 'node:crypto';
import type { Db } from '../db/database';
import type { AuditChoices, AuditEntry, AuditFilter, AuditVerification } from '../../../src-shared/domain/audit';

const GENESIS = '0'.repeat(64);

export interface AuditRecord {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Tamper-evident log of admin actions. Each entry's hash covers its own fields and the previous entry's hash, so
 * editing, deleting or reordering any stored entry breaks the chain at exactly that entry.
 * Invariant: details must never hold a secret; callers pass names and ids, not credentials.
 */
export class AuditLog {
  /** Told after each append (the head signer); runs inside the caller's transaction, so it must only schedule work. */
  onAppend: ((seq: number) => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  append(record: AuditRecord): AuditEntry {
    const last = this.db.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
    const prevHash = last?.hash ?? GENESIS;
    const at = this.now().getTime();
    const details = canonicalJson(record.details ?? {});
    const seqRow = this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM audit_log').get() as { next: number };
    const entry = { seq: seqRow.next, at, actor: record.actor, action: record.action, target: record.target ?? null, details };
    const hash = entryHash(prevHash, entry);
    this.db
      .prepare('INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.seq, at, entry.actor, entry.action, entry.target, details, prevHash, hash);
    this.onAppend?.(entry.seq);
    return toEntry({ ...entry, prev_hash: prevHash, hash });
  }

  list(options: { limit: number; beforeSeq?: number } & AuditFilter): AuditEntry[] {
    const filters: [string, string | number | undefined][] = [
      ['seq < ?', options.beforeSeq ?? Number.MAX_SAFE_INTEGER],
      ['actor = ?', options.actor],
      ['action = ?', options.action],
      ['target = ?', options.target],
      ['at >= ?', options.from === undefined ? undefined : Date.parse(options.from)],
      ['at < ?', options.to === undefined ? undefined : Date.parse(options.to)],
    ];
    const used = filters.filter((f): f is [string, string | number] => f[1] !== undefined);
    const conditions = used.map(([condition]) => condition);
    const params = used.map(([, value]) => value);
    const rows = this.db
      .prepare(`SELECT * FROM audit_log WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT ?`)
      .all(...params, options.limit) as AuditRow[];
    return rows.map(toEntry);
  }

  /**
   * The actors, actions and targets the log holds, for its filters. A target's name is the newest `name` an entry about
   * it recorded, so a deleted integration keeps its name here.
   */
  choices(): AuditChoices {
    const distinct = (column: 'actor' | 'action') =>
      this.db.prepare(`SELECT DISTINCT ${column} FROM audit_log ORDER BY ${column}`).pluck().all() as string[];
    const targets = this.db
      .prepare(
        `SELECT target, (SELECT json_extract(n.details, '$.name') FROM audit_log n
                          WHERE n.target = t.target AND json_extract(n.details, '$.name') IS NOT NULL ORDER BY n.seq DESC LIMIT 1) AS name
           FROM (SELECT DISTINCT target FROM audit_log WHERE target IS NOT NULL) t ORDER BY target`,
      )
      .all() as { target: string; name: string | null }[];
    return { actors: distinct('actor'), actions: distinct('action'), targets: targets.map((t) => ({ target: t.target, name: typeof t.name === 'string' ? t.name : null })) };
  }

  /** The newest entry's sequence and hash, or null for an empty log. */
  head(): { seq: number; hash: string } | null {
    return (this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null;
  }

  hashAt(seq: number): string | null {
    return (this.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(seq) as string | undefined) ?? null;
  }

  /** Set once the first signed head is in the keychain (see audit-signature.ts). */
  signingStarted(): { publicKey: string; startedSeq: number } | null {
    return (this.db.prepare('SELECT public_key AS publicKey, started_seq AS startedSeq FROM audit_signing WHERE id = 1').get() as { publicKey: string; startedSeq: number } | undefined) ?? null;
  }

  recordSigningStarted(publicKey: string, startedSeq: number): void {
    this.db.prepare('INSERT OR IGNORE INTO audit_signing (id, public_key, started_seq) VALUES (1, ?, ?)').run(publicKey, startedSeq);
  }

  /**
   * The whole log oldest first, each entry with its stored hashes, as the query an export runs on its own snapshot
   * connection, and how many entries it holds now (for progress).
   */
  exportQuery(): { sql: string; params: unknown[]; total: number } {
    return {
      sql: 'SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit_log ORDER BY seq',
      params: [],
      total: this.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number,
    };
  }

  /** Walks the whole chain; reports the first entry whose stored hash or link does not match. */
  verify(): AuditVerification {
    return verifyChain(this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>);
  }

  /** Checks only the entries after a known-good one (the signed head), linking from its hash; the whole chain when null. */
  verifyAfter(start: { seq: number; hash: string } | null): AuditVerification {
    if (!start) return this.verify();
    const rows = this.db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq').iterate(start.seq) as IterableIterator<AuditRow>;
    return verifyChain(rows, start);
  }
}

/** The chain check over rows in sequence order, from the database or from an export read offline. */
export function verifyChain(rows: Iterable<AuditRow>, start: { seq: number; hash: string } | null = null): AuditVerification {
  let prevHash = start?.hash ?? GENESIS;
  let checked = 0;
  let expectedSeq: number | null = start ? start.seq + 1 : null;
  for (const row of rows) {
    if (expectedSeq !== null && row.seq !== expectedSeq) {
      return { ok: false, checked, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
    }
    if (row.prev_hash !== prevHash) {
      return { ok: false, checked, brokenAt: row.seq, reason: `entry ${row.seq} does not link to the entry before it` };
    }
    if (entryHash(prevHash, row) !== row.hash) {
      return { ok: false, checked, brokenAt: row.seq, reason: `entry ${row.seq} was changed after it was written` };
    }
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
    checked += 1;
  }
  return { ok: true, checked, brokenAt: null, reason: null };
}

/** An audit_log row as stored (schema 1). */
export interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

function entryHash(prevHash: string, e: Pick<AuditRow, 'seq' | 'at' | 'actor' | 'action' | 'target' | 'details'>): string {
  const body = canonicalJson({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, target: e.target, details: e.details });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    hash: row.hash,
  };
}

/** JSON with object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
