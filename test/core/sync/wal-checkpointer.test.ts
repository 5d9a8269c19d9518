import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { WalCheckpointer } from '../../../src-main/core/sync/wal-checkpointer';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-wal-');

describe('WAL checkpoints while a sync writes', () => {
  it('are taken by a worker thread instead of the writing thread, and the automatic setting comes back afterwards', async () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const { db } = openDatabase({ file, migrations });
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fs.statSync(file).size;
    const checkpointer = new WalCheckpointer(db, 20);

    checkpointer.acquire();
    checkpointer.acquire();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
    for (let i = 0; i < 40; i++) db.transaction(() => insert.run(Buffer.alloc(64 * 1024, i)))();
    // This connection never checkpoints now, so only the worker can have copied the WAL into the database file.
    for (let waited = 0; fs.statSync(file).size <= before && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(fs.statSync(file).size).toBeGreaterThan(before + 1024 * 1024);

    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect((db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check).toBe('ok');
    db.close();
  });
});
