import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../src-main/core/db/database';
import { DeferredIndexes } from '../../../../src-main/core/db/deferred-indexes';
import { migrations } from '../../../../src-main/core/db/migrations';
import { useCloseAfterEach } from '../../../support/close-after-each';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { useTempDir } from '../../../support/temp-dir';

const databases = useDatabaseAtVersion();
const tempDir = useTempDir('tec-deferred-');
const closeAfterEach = useCloseAfterEach();

const devicesIndexes = (db: Db) => db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices' ORDER BY name").all();

describe('migration 0016: indexes deferred during a bulk load', () => {
  it('adds an empty list of deferred indexes and leaves the devices table and its indexes as they were', () => {
    const before = databases.at(15);
    const indexes = devicesIndexes(before);
    const db = databases.upgrade(before, 16);
    expect(devicesIndexes(db)).toEqual(indexes);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
  });

  it('indexes a crashed bulk load left deferred are built before a later migration runs, which may name them', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const current = openDatabase({ file, migrations }).db;
    const indexes = devicesIndexes(current);
    current.transaction(() => new DeferredIndexes(current).defer('devices', new Set()))();
    expect(new DeferredIndexes(current).pending()).toContain('devices_by_model');
    current.close();

    const later = { version: migrations.at(-1)!.version + 1, name: 'a later schema step', up: (db: Db) => db.exec('DROP INDEX devices_by_model') };
    const db = closeAfterEach(openDatabase({ file, migrations: [...migrations, later] }).db);
    expect(devicesIndexes(db)).toEqual(indexes.filter((i) => (i as { name: string }).name !== 'devices_by_model'));
    expect(new DeferredIndexes(db).pending()).toEqual([]);
  });
});
