import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { segmentDeletePlan, statisticsOf } from '../../../support/planner-statistics';
import { seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();

describe('migration 0038: the search index without planner statistics', () => {
  it('drops the statistics an earlier version stored for the search index’s tables, keeps the others, and the segment delete seeks', () => {
    // Schema 37 with a small search index, analyzed as that console's refresh analyzed it: a data table of 2 rows.
    const at37 = databases.upgrade(seedSearchableDevices(databases.at(24), 30), 37);
    at37.exec("ANALYZE; INSERT OR REPLACE INTO sqlite_stat1 (tbl, idx, stat) VALUES ('devices_fts_data', NULL, '2'); ANALYZE sqlite_schema");
    expect(statisticsOf(at37).get('devices_fts_data')).toBe('2');
    expect(segmentDeletePlan(at37)).toBe('SCAN devices_fts_data');

    const db = databases.upgrade(at37, 38);
    const stats = statisticsOf(db);
    expect(['devices_fts_config', 'devices_fts_data', 'devices_fts_docsize', 'devices_fts_idx'].filter((table) => stats.has(table))).toEqual([]);
    expect(stats.get('devices')).toMatch(/^\d+/);
    expect(segmentDeletePlan(db)).toMatch(/^SEARCH devices_fts_data USING INTEGER PRIMARY KEY/);
  });
});
