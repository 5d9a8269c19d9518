import { expect } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';

/**
 * Every index of `devices` has its planner statistics (sqlite_stat1), as a console that a sync analysed has them: a
 * migration that drops and rebuilds an index drops its statistics with it, and the explorer's plans would guess until
 * the next sync.
 */
export function expectEveryDeviceIndexAnalyzed(db: Db): void {
  const analyzed = db.prepare("SELECT idx FROM sqlite_stat1 WHERE tbl = 'devices' AND idx IS NOT NULL ORDER BY idx").pluck().all();
  const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL ORDER BY name").pluck().all();
  expect(analyzed).toEqual(indexes);
}
