import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceStore } from '../../../src-main/core/sync/device-store';
import { queryPlan, sqlPreparedDuring, sqlRunDuring } from '../../support/query-plans';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-device-find-');
const closeAfterEach = useCloseAfterEach();

describe('DeviceStore.find', () => {
  it('looks an identifier up by its index, even before SQLite has statistics', () => {
    const db = closeAfterEach(openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'").pluck().get()).toBe(0);
    // The statements the lookup runs, wherever the store prepared them (once, in its constructor).
    const seen = sqlRunDuring(
      db,
      () => new DeviceStore(db),
      (store) => expect(store.find('ABCDEF0123', 'integration-1')).toEqual([]),
    );
    const byIdentifier = seen.find((sql) => sql.includes('identifier_key = ?'));
    expect(byIdentifier).toBeDefined();
    const plan = queryPlan(db, byIdentifier!, ['x']);
    expect(plan).toMatch(/SEARCH d USING INDEX devices_by_identifier_key \(identifier_key=\?\)/);
    // No statement of the lookup reads the devices table or one of its indexes whole (a DISTINCT over the tenants did).
    for (const sql of seen) {
      const params = sql.includes('@tenant') ? { tenant: 't', text: 'x', lower: 'x', number: 1 } : sql.includes('?') ? ['x'] : [];
      expect(queryPlan(db, sql, params), sql).not.toMatch(/SCAN (d|devices)\b/);
    }
  });

  it('prepares its statements once, not on every lookup', () => {
    const db = closeAfterEach(openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db);
    const store = new DeviceStore(db);
    expect(sqlPreparedDuring(db, () => store.find('ABCDEF0123'))).toEqual([]);
  });
});
