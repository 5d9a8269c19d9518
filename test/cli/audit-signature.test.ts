import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { createCore } from '../../src-main/core/app/composition-root';
import { DATABASE_FILE } from '../../src-main/core/app/data-dir';
import { AuditLog } from '../../src-main/core/audit/audit-log';
import { dataDirId, verifySignedLog } from '../../src-main/core/audit/audit-signature';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { KeytarSecretStore } from '../../src-main/core/secrets/keytar-secret-store';
import { SECRET_SERVICE_NAME, secretAccount } from '../../src-main/core/secrets/secret-store';
import { requirePrivateKeyring } from '../support/keyring';
import { useTempDir } from '../support/temp-dir';
import { ensureCliBuilt, TEC_BIN } from './built-cli';

requirePrivateKeyring();
const tempDir = useTempDir('tec-audit-signature-');
const keychain = new KeytarSecretStore(SECRET_SERVICE_NAME);
const ENTRIES = 10;
let dataDir: string;

beforeAll(() => ensureCliBuilt());

/** A console that wrote ten entries and signed its head, as the app leaves it after ten actions. */
beforeEach(async () => {
  dataDir = tempDir();
  const core = createCore({ dataDir, version: '0.0.0-test', transport: 'cli' });
  for (let i = 1; i <= ENTRIES; i++) core.services.audit.append({ actor: 'admin', action: 'settings.changed', details: { step: i } });
  await core.close();
});

/** The real `tec`, as its own process, sharing the private keyring of with-keyring.sh unless env says otherwise. */
function tec(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [TEC_BIN, ...args, '--data-dir', dataDir], { env, encoding: 'utf8' });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** The local editor: the database file, without the keychain. */
function editDatabase(edit: (db: Database.Database) => void): void {
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  try {
    edit(db);
  } finally {
    db.close();
  }
}

type ChainedFields = { seq: number; at: number; actor: string; action: string; target: string | null; details: string };

/** The attacker's hash, rebuilt from the export's documentation: sha256(prev || "\n" || sorted-key JSON of the entry). */
function attackerHash(prev: string, e: ChainedFields): string {
  const body = JSON.stringify({ action: e.action, actor: e.actor, at: e.at, details: e.details, seq: e.seq, target: e.target });
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

/** The attacker's ~20-line script: recomputes every hash so the chain alone verifies again (no code of ours used). */
function recomputeChain(db: Database.Database): void {
  let prev = '0'.repeat(64);
  const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as ChainedFields[]) {
    const hash = attackerHash(prev, r);
    update.run(prev, hash, r.seq);
    prev = hash;
  }
}

/** Renumbers the entries after a deleted one, so no sequence number is missing. */
function closeGap(db: Database.Database, deleted: number): void {
  db.prepare('UPDATE audit_log SET seq = -seq WHERE seq > ?').run(deleted);
  db.prepare('UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0').run();
}

function expectAltered(message: string): void {
  const result = tec(['audit', 'verify']);
  expect(result.stderr).toContain(`AUDIT_CHAIN_BROKEN: ${message}`);
  expect(result.code).toBe(EXIT.negative);
}

describe('the signed audit log against a local editor without the keychain', () => {
  it('verifies an untouched log and names the key that signed it', () => {
    const result = tec(['audit', 'verify']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^The audit log is intact: 10 entries verified\. Signed through entry 10 by key SHA256:[A-Za-z0-9+/]{43}\.\n$/);
  });

  it('detects truncation by one entry', () => {
    editDatabase((db) => db.prepare('DELETE FROM audit_log WHERE seq = 10').run());
    expectAltered('The audit log was altered: truncated after 9: the signed head is entry 10, so 1 entry newer than it was removed.');
  });

  it('detects truncation by several entries', () => {
    editDatabase((db) => db.prepare('DELETE FROM audit_log WHERE seq > 6').run());
    expectAltered('The audit log was altered: truncated after 6: the signed head is entry 10, so 4 entries newer than it were removed.');
  });

  it('names a deleted middle entry, and still catches it when the rest is renumbered and the chain recomputed', () => {
    editDatabase((db) => db.prepare('DELETE FROM audit_log WHERE seq = 5').run());
    expectAltered('The audit log was altered at entry 5: entry 5 is missing. The 4 entries before it are intact.');
    editDatabase((db) => {
      closeGap(db, 5);
      recomputeChain(db);
    });
    expectAltered('The audit log was altered: truncated after 9: the signed head is entry 10, so 1 entry newer than it was removed.');
  });

  it('names the first entry of a swapped pair, and still catches the swap when the chain is recomputed', () => {
    const swap = (db: Database.Database) => {
      db.prepare('UPDATE audit_log SET seq = -1 WHERE seq = 4').run();
      db.prepare('UPDATE audit_log SET seq = 4 WHERE seq = 5').run();
      db.prepare('UPDATE audit_log SET seq = 5 WHERE seq = -1').run();
    };
    editDatabase(swap);
    expectAltered('The audit log was altered at entry 4: entry 4 does not link to the entry before it. The 3 entries before it are intact.');
    editDatabase(recomputeChain);
    expectAltered('The audit log was altered: entry 10 no longer matches the signed head: an entry at or before it was changed and the chain recomputed.');
  });

  it('detects an edited entry whose chain was recomputed, and never signs over it', () => {
    editDatabase((db) => {
      db.prepare(`UPDATE audit_log SET details = '{"step":999}' WHERE seq = 3`).run();
      recomputeChain(db);
    });
    // An action taken afterwards must not launder the rewrite into a fresh signature.
    expect(tec(['export', 'audit', '--format', 'csv', '--out', path.join(dataDir, 'after.csv')]).code).toBe(EXIT.ok);
    expectAltered('The audit log was altered: entry 10 no longer matches the signed head: an entry at or before it was changed and the chain recomputed.');
  });

  it('detects the signed head removed from the keychain', async () => {
    expect(await keychain.delete(secretAccount.auditSignedHead(dataDirId(dataDir)))).toBe(true);
    expectAltered('The audit log was altered: the signed head is missing from the keychain although signing started at entry 10: it was removed, so truncation and rewrites cannot be ruled out.');
  });
});

describe('signing that cannot keep up', () => {
  it('reports a head behind by the entries of an unsigned transaction, and signs them late at the next start', async () => {
    // A crash between the commit and the keychain write: the entry is in the database, the head is not updated.
    const { db } = openDatabase({ file: path.join(dataDir, DATABASE_FILE), migrations });
    const log = new AuditLog(db, () => new Date());
    log.append({ actor: 'admin', action: 'settings.changed', details: { step: 11 } });
    const verification = await verifySignedLog(log, keychain, secretAccount.auditSignedHead(dataDirId(dataDir)));
    db.close();
    expect(verification).toMatchObject({ ok: true, checked: 11, signature: { state: 'behind', signedThrough: 10, unsigned: 1 } });
    expect(verification.signature?.note).toBe('head behind by 1 entry whose chain verifies (signed at the next start).');
    const result = tec(['audit', 'verify']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/intact: 11 entries verified\. Signed through entry 11 by key \S+ Signed late: entry 11\.\n$/);
  });

  it('never blocks an action when the keychain is missing, and reports the stretch written meanwhile', () => {
    const noKeychain = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tec-no-bus', DISPLAY: '' };
    for (const name of ['a.json', 'b.json']) {
      const exported = tec(['export', 'audit', '--format', 'json', '--out', path.join(dataDir, name)], noKeychain);
      expect(exported.code).toBe(EXIT.ok);
    }
    const offline = JSON.parse(fs.readFileSync(path.join(dataDir, 'a.json'), 'utf8')) as { verification: { signature: { state: string } } };
    expect(offline.verification.signature.state).toBe('unavailable');
    const result = tec(['audit', 'verify']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/intact: 12 entries verified\. Signed through entry 12 by key \S+ Signed late: entries 11–12\.\n$/);
  });
});

describe('an audit export verified offline', () => {
  it('carries the public key and signed head; a rewritten file with a recomputed chain fails', () => {
    const file = path.join(dataDir, 'audit.json');
    expect(tec(['export', 'audit', '--format', 'json', '--out', file]).code).toBe(EXIT.ok);
    const local = tec(['audit', 'verify', '--json']);
    const fingerprint = (JSON.parse(local.stdout) as { signature: { publicKey: string } }).signature.publicKey;
    const offline = spawnSync(process.execPath, [TEC_BIN, 'audit', 'verify', '--file', file], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(offline.status).toBe(EXIT.ok);
    expect(offline.stdout).toBe(`The audit log is intact: 10 entries verified. Signed through entry 10 by key ${fingerprint}.\n`);

    type Exported = { audit: { seq: number; atMs: number; actor: string; action: string; target: string | null; details: string; prevHash: string; hash: string }[] };
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as Exported;
    let prev = '0'.repeat(64);
    for (const e of exported.audit) {
      if (e.seq === 3) e.details = '{"step":999}';
      e.prevHash = prev;
      e.hash = prev = attackerHash(prev, { ...e, at: e.atMs });
    }
    fs.writeFileSync(file, JSON.stringify(exported));
    const forged = spawnSync(process.execPath, [TEC_BIN, 'audit', 'verify', '--file', file], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(forged.status).toBe(EXIT.negative);
    expect(forged.stderr).toContain('AUDIT_CHAIN_BROKEN: The audit log was altered: entry 10 no longer matches the signed head: an entry at or before it was changed and the chain recomputed.');
  });
});
