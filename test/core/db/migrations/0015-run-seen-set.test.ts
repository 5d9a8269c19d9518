import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();
const VERSION = 15;

describe(`migration ${VERSION}: a sync run's seen set`, () => {
  it('creates the seen set, keeps finished runs as they were, and ends runs left unfinished (which recorded presence the old way) as failed, saying why', () => {
    const before = databases.at(VERSION - 1);
    before.exec(`
      INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at)
        VALUES ('int-a', 'Phones', 'ivanti-neurons', 'android', 'all-users', 1, 1);
      INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete, errors)
        VALUES (1, 'int-a', 'manual', 'completed', 10, 20, 1, '[]');
      INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, heartbeat_at, owner, checkpoint, errors)
        VALUES (2, 'int-a', 'manual', 'interrupted', 30, 35, '1@host#x', '{"version":1}', '[{"code":"IVANTI_SERVER_ERROR","message":"Ivanti answered 503."}]');
      INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, owner, errors) VALUES (3, 'int-a', 'cli', 'running', 40, '2@host#y', 'not json');
    `);
    const finished = before.prepare('SELECT * FROM sync_runs WHERE id = 1').get();

    const db = databases.upgrade(before, VERSION);
    expect(databases.lastUpgrade().schemaVersion).toBe(VERSION);
    expect(db.prepare('SELECT * FROM sync_runs WHERE id = 1').get()).toEqual(finished);
    expect(db.prepare('SELECT id, status, complete, owner, finished_at AS finishedAt FROM sync_runs WHERE id > 1 ORDER BY id').all()).toEqual([
      { id: 2, status: 'failed', complete: 0, owner: null, finishedAt: 35 },
      { id: 3, status: 'failed', complete: 0, owner: null, finishedAt: 40 },
    ]);
    const errors = (id: number) => JSON.parse(db.prepare('SELECT errors FROM sync_runs WHERE id = ?').pluck().get(id) as string) as unknown;
    const why = { code: 'SYNC_FAILED', message: expect.stringContaining('the next sync reads the tenant again from the start') as unknown };
    expect(errors(2)).toEqual([{ code: 'IVANTI_SERVER_ERROR', message: 'Ivanti answered 503.' }, why]);
    expect(errors(3)).toEqual([why]);

    // One row per run, space, pass and block of bits; gone with its run.
    db.prepare('INSERT INTO sync_seen (run_id, space_id, pass, block, bits) VALUES (1, 7, 1, 0, ?)').run(Buffer.alloc(1024, 0xff));
    expect(() => db.prepare('INSERT INTO sync_seen (run_id, space_id, pass, block, bits) VALUES (1, 7, 1, 0, ?)').run(Buffer.alloc(1))).toThrow(/UNIQUE/);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM sync_runs WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM sync_seen').pluck().get()).toBe(0);
  });
});
