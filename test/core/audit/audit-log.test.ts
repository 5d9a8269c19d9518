import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-audit-');
const closeAfterEach = useCloseAfterEach();
const ENTRIES = 12;
const COLUMNS = ['at', 'actor', 'action', 'target', 'details', 'prev_hash', 'hash'] as const;

function logWithEntries(): { db: Db; log: AuditLog; file: string } {
  const file = path.join(tempDir(), 'console.sqlite');
  const db = closeAfterEach(openDatabase({ file, migrations }).db);
  let clock = Date.parse('2026-11-28T12:00:00Z');
  const log = new AuditLog(db, () => new Date((clock += 1000)));
  for (let i = 1; i <= ENTRIES; i++) {
    log.append({ actor: `admin${i % 3}`, action: 'integration.status-changed', target: `integration-${i}`, details: { from: 'disabled', to: 'all-users', marker: `MARKER-${String(i).padStart(3, '0')}` } });
  }
  return { db, log, file };
}

/** Changes one character of one stored column of one entry, as someone editing the database would. */
function editOneCharacter(db: Db, seq: number, column: (typeof COLUMNS)[number]): void {
  const value = db.prepare(`SELECT ${column} FROM audit_log WHERE seq = ?`).pluck().get(seq) as string | number | null;
  if (typeof value === 'number') {
    db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`).run(value ^ 1, seq);
    return;
  }
  const text = value ?? '';
  const at = Math.floor(text.length / 2);
  const replaced = text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1);
  db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`).run(replaced, seq);
}

describe('the audit log', () => {
  it('verifies when nothing was touched, and chains each entry to the one before', () => {
    const { db, log } = logWithEntries();
    expect(log.verify()).toEqual({ ok: true, checked: ENTRIES, brokenAt: null, reason: null });
    const rows = db.prepare('SELECT prev_hash, hash FROM audit_log ORDER BY seq').all() as { prev_hash: string; hash: string }[];
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
  });

  it.each(COLUMNS.flatMap((column) => [1, 7, ENTRIES].map((seq) => [column, seq] as const)))(
    'fails verification at exactly the entry whose %s was edited (entry %i)',
    (column, seq) => {
      const { db, log } = logWithEntries();
      editOneCharacter(db, seq, column);
      const result = log.verify();
      expect(result.ok).toBe(false);
      expect(result.brokenAt).toBe(seq);
      expect(result.checked).toBe(seq - 1);
      expect(result.reason).toContain(`entry ${seq}`);
    },
  );

  it('fails verification at exactly the entry whose bytes were edited in the database file', () => {
    const { db, log, file } = logWithEntries();
    expect(log.verify().ok).toBe(true);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('MARKER-007');
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf('MARKER-007', at + 1)).toBe(-1);
    bytes[at + 'MARKER-00'.length] = '8'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    const reopened = closeAfterEach(new Database(file));
    const result = new AuditLog(reopened, () => new Date()).verify();
    expect(result).toMatchObject({ ok: false, brokenAt: 7, checked: 6 });
  });

  it('names a deleted entry as missing', () => {
    const { db, log } = logWithEntries();
    db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 5, reason: 'entry 5 is missing' });
  });

  it('notices entries swapped in place', () => {
    const { db, log } = logWithEntries();
    const a = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as Record<string, unknown>;
    const b = db.prepare('SELECT * FROM audit_log WHERE seq = 4').get() as Record<string, unknown>;
    const put = db.prepare('UPDATE audit_log SET at = @at, actor = @actor, action = @action, target = @target, details = @details, prev_hash = @prev_hash, hash = @hash WHERE seq = @into');
    put.run({ ...b, into: 3 });
    put.run({ ...a, into: 4 });
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('hashes details the same whatever their key order', () => {
    const { log } = logWithEntries();
    log.append({ actor: 'x', action: 'y', details: { b: 1, a: { d: 2, c: 3 } } });
    expect(log.verify().ok).toBe(true);
    expect(log.list({ limit: 1 })[0].details).toEqual({ a: { c: 3, d: 2 }, b: 1 });
  });
});

describe('the audit log filters', () => {
  it('lists only the entries of one actor, action or target, within a time range, and pages within the filter', () => {
    const { log } = logWithEntries();
    log.append({ actor: 'admin1', action: 'integration.created', target: 'integration-4', details: { name: 'Field Android' } });
    log.append({ actor: 'admin1', action: 'integration.deleted', target: 'integration-4', details: { name: 'Field Android (old)' } });
    expect(log.list({ limit: 100, actor: 'admin1' }).map((e) => e.seq)).toEqual([14, 13, 10, 7, 4, 1]);
    expect(log.list({ limit: 100, action: 'integration.created' }).map((e) => e.seq)).toEqual([13]);
    expect(log.list({ limit: 100, target: 'integration-4' }).map((e) => e.seq)).toEqual([14, 13, 4]);
    // The clock ticks one second per entry from 12:00:00, so entry n is at 12:00:0n.
    expect(log.list({ limit: 100, from: '2026-11-28T12:00:03Z', to: '2026-11-28T12:00:06Z' }).map((e) => e.seq)).toEqual([5, 4, 3]);
    expect(log.list({ limit: 2, beforeSeq: 10, actor: 'admin1' }).map((e) => e.seq)).toEqual([7, 4]);
  });

  it('offers the actors, actions and targets it holds, a target named by the newest name recorded for it', () => {
    const { log } = logWithEntries();
    log.append({ actor: 'admin1', action: 'integration.created', target: 'integration-4', details: { name: 'Field Android' } });
    log.append({ actor: 'settings', action: 'settings.changed', details: { syncIntervalMinutes: 30 } });
    log.append({ actor: 'admin1', action: 'integration.deleted', target: 'integration-4', details: { name: 'Field Android (old)' } });
    const choices = log.choices();
    expect(choices.actors).toEqual(['admin0', 'admin1', 'admin2', 'settings']);
    expect(choices.actions).toEqual(['integration.created', 'integration.deleted', 'integration.status-changed', 'settings.changed']);
    expect(choices.targets).toHaveLength(ENTRIES);
    expect(choices.targets.find((t) => t.target === 'integration-4')).toEqual({ target: 'integration-4', name: 'Field Android (old)' });
    expect(choices.targets.find((t) => t.target === 'integration-5')).toEqual({ target: 'integration-5', name: null });
  });
});
