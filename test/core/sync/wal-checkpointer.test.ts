import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { WalCheckpointer } from '../../../src-main/core/sync/wal-checkpointer';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-wal-');
const closeAfterEach = useCloseAfterEach();
const BLOB = 64 * 1024;

describe('WAL checkpoints while a sync writes', () => {
  it('are taken by a worker thread, keep the WAL small however much is written, and the automatic setting comes back', async () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const db = closeAfterEach(openDatabase({ file, migrations }).db);
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fs.statSync(file).size;
    const checkpointer = new WalCheckpointer(db, 4);
    const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');

    checkpointer.acquire();
    checkpointer.acquire();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const writes = 200;
    for (let i = 0; i < writes; i++) await checkpointer.commit(() => db.transaction(() => insert.run(Buffer.alloc(BLOB, i % 251)))());
    // The last checkpoint requested is done before the next write may start.
    await checkpointer.commit(() => undefined);

    // This connection never checkpointed: the data reached the database file through the worker.
    expect(fs.statSync(file).size).toBeGreaterThan(before + (writes - 8) * BLOB);
    // ~13 MB went through the WAL, yet it restarted from its beginning after each checkpoint instead of growing.
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(12 * BLOB * 2);

    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    checkpointer.release();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect((db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check).toBe('ok');
  });
});
