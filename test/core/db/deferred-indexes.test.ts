import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { DeferredIndexes, withSortsOnDisk } from '../../../src-main/core/db/deferred-indexes';
import { migrations } from '../../../src-main/core/db/migrations';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-deferred-indexes-');
const closeAfterEach = useCloseAfterEach();

const MEMORY = 2;
const FILE = 1;
const tempStore = (db: Db) => db.pragma('temp_store', { simple: true });

function open(): Db {
  return closeAfterEach(openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db);
}

describe('index builds sort on disk', () => {
  it('sorts an index build in temporary files, and gives the connection back its temporary storage in memory, even when the build fails', () => {
    const db = open();
    expect(tempStore(db)).toBe(MEMORY);
    expect(withSortsOnDisk(db, () => tempStore(db))).toBe(FILE);
    expect(tempStore(db)).toBe(MEMORY);
    expect(() =>
      withSortsOnDisk(db, () => {
        throw new Error('index build failed');
      }),
    ).toThrow('index build failed');
    expect(tempStore(db)).toBe(MEMORY);
  });

  it('sorts an index build with two helper threads, and gives the connection back its own setting, even when the build fails', () => {
    const db = open();
    const threads = () => db.pragma('threads', { simple: true });
    expect(threads()).toBe(0);
    expect(withSortsOnDisk(db, threads)).toBe(2);
    expect(db.transaction(() => withSortsOnDisk(db, threads))()).toBe(2);
    expect(threads()).toBe(0);
    expect(() =>
      withSortsOnDisk(db, () => {
        throw new Error('index build failed');
      }),
    ).toThrow('index build failed');
    expect(threads()).toBe(0);
  });

  it('sorts an index build with a 2,000 KiB page cache, and gives the connection back its own, even when the build fails', () => {
    const db = open();
    const cacheSize = () => db.pragma('cache_size', { simple: true });
    db.pragma('cache_size = -16000');
    expect(withSortsOnDisk(db, cacheSize)).toBe(-2000);
    expect(db.transaction(() => withSortsOnDisk(db, cacheSize))()).toBe(-2000);
    expect(cacheSize()).toBe(-16000);
    expect(() =>
      withSortsOnDisk(db, () => {
        throw new Error('index build failed');
      }),
    ).toThrow('index build failed');
    expect(cacheSize()).toBe(-16000);
  });

  it('leaves a connection that has TEMP objects as it is (changing the setting would delete them), and one inside a transaction', () => {
    const db = open();
    db.exec('CREATE TEMP TABLE counters (n INTEGER)');
    expect(withSortsOnDisk(db, () => tempStore(db))).toBe(MEMORY);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_temp_master WHERE name = 'counters'").pluck().get()).toBe(1);
    db.exec('DROP TABLE temp.counters');
    expect(db.transaction(() => withSortsOnDisk(db, () => tempStore(db)))()).toBe(MEMORY);
  });
});

describe('a trigger set aside', () => {
  const trigger = 'devices_space_key_insert';
  const definition = (db: Db) => db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").pluck().get(trigger);

  it('is dropped and listed in one transaction, and created again as it was by the build, in the order it was listed', () => {
    const db = open();
    const sql = definition(db);
    expect(sql).toMatch(/^CREATE TRIGGER devices_space_key_insert /);
    const deferred = new DeferredIndexes(db);
    db.transaction(() => {
      deferred.setAside('devices_key');
      deferred.setAside(trigger);
    })();
    expect(definition(db)).toBeUndefined();
    expect(deferred.exists(trigger)).toBe(false);
    expect(deferred.pending()).toEqual(['devices_key', trigger]);
    // Said of the next build only: an index first, then the trigger (built without a checkpoint of its own), then none.
    expect(deferred.nextIsTrigger()).toBe(false);
    expect(deferred.buildNext()).toBe('devices_key');
    expect(definition(db)).toBeUndefined();
    expect(deferred.nextIsTrigger()).toBe(true);
    expect(deferred.buildNext()).toBe(trigger);
    expect(definition(db)).toBe(sql);
    expect(deferred.exists(trigger)).toBe(true);
    expect(deferred.pending()).toEqual([]);
    expect(deferred.nextIsTrigger()).toBe(false);
  });

  it('rolls back with the transaction that set it aside, and is only forgotten when something created it meanwhile', () => {
    const db = open();
    const sql = definition(db) as string;
    const deferred = new DeferredIndexes(db);
    expect(() =>
      db.transaction(() => {
        deferred.setAside(trigger);
        throw new Error('the load failed to start');
      })(),
    ).toThrow('the load failed to start');
    expect(definition(db)).toBe(sql);
    expect(deferred.pending()).toEqual([]);
    db.transaction(() => deferred.setAside(trigger))();
    db.exec(sql);
    expect(deferred.buildNext()).toBe(trigger);
    expect(definition(db)).toBe(sql);
    expect(deferred.pending()).toEqual([]);
  });
});
