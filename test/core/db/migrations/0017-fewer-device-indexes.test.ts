import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

describe('migration 0017: one device index fewer', () => {
  it('drops devices_by_integration_id and walks devices_facets for the integration order instead, sorting nothing', () => {
    const before = databases.at(16);
    expect(before.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'devices_by_integration_id'").pluck().get()).toBe(1);
    // As a bulk load that stopped before its index build left it: dropped, its definition listed to build again.
    before.exec("INSERT INTO deferred_indexes (name, table_name, sql) SELECT name, tbl_name, sql FROM sqlite_schema WHERE name = 'devices_by_integration_id'");
    const db = databases.upgrade(before, 17);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'devices_by_integration_id'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    const plan = queryPlan(
      db,
      `SELECT d.id FROM devices d INDEXED BY devices_facets WHERE d.removed_at IS NULL AND +d.platform_type = ?
        ORDER BY d.integration_id DESC, d.platform_type DESC, d.registration_state DESC, d.compliant DESC, d.last_checkin DESC,
                 d.space_name DESC, d.has_client_id DESC, d.id DESC LIMIT 100`,
      ['IOS'],
    );
    expect(plan).toMatch(/devices_facets/);
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
