import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { refreshPlannerStatistics } from '../../../src-main/core/db/planner-statistics';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { seedDevices } from '../../support/seed-devices';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';
import { segmentDeletePlan, statisticsOf } from '../../support/planner-statistics';

const tempDir = useTempDir('tec-planner-statistics-');
const closeAfterEach = useCloseAfterEach();

const SHADOW_TABLES = ['devices_fts_config', 'devices_fts_data', 'devices_fts_docsize', 'devices_fts_idx'];

describe('planner statistics', () => {
  it('are kept for the device tables, and not for the search index’s own tables, whose segments FTS5 deletes by range', () => {
    const db = closeAfterEach(openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db);
    // A small index, as after a small first sync: analyzed now, its data table would count a handful of rows.
    seedDevices(db, { count: 200, seed: 'planner-statistics', referenceTime: Date.parse('2026-11-28T12:00:00Z') });
    new DeviceSearchIndex(db).catchUp();
    refreshPlannerStatistics(db);
    const stats = statisticsOf(db);
    expect(stats.get('devices')).toMatch(/^\d+/);
    expect(SHADOW_TABLES.filter((table) => stats.has(table))).toEqual([]);
    expect(segmentDeletePlan(db)).toMatch(/^SEARCH devices_fts_data USING INTEGER PRIMARY KEY/);
  });

  it('a refresh drops what an earlier version stored for the search index’s tables, and the delete seeks again', () => {
    const db = closeAfterEach(openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db);
    seedDevices(db, { count: 50, seed: 'planner-statistics-old', referenceTime: Date.parse('2026-11-28T12:00:00Z') });
    new DeviceSearchIndex(db).catchUp();
    // As an earlier version left a file: its data table analyzed at 2 rows, and SQLite then scans it for the range.
    db.exec("ANALYZE; INSERT OR REPLACE INTO sqlite_stat1 (tbl, idx, stat) VALUES ('devices_fts_data', NULL, '2'); ANALYZE sqlite_schema");
    expect(segmentDeletePlan(db)).toBe('SCAN devices_fts_data');
    refreshPlannerStatistics(db);
    expect(statisticsOf(db).has('devices_fts_data')).toBe(false);
    expect(segmentDeletePlan(db)).toMatch(/^SEARCH devices_fts_data USING INTEGER PRIMARY KEY/);
  });
});
