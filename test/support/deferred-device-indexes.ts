import Database from 'better-sqlite3';
import { DeferredIndexes } from '../../src-main/core/db/deferred-indexes';

/**
 * Leaves the devices' non-unique indexes in the database at `file` deferred, as a bulk load killed before its end
 * leaves them (DeferredIndexes.defer, in one transaction), and closes it again; returns how many it deferred.
 */
export function deferDeviceIndexes(file: string): number {
  const db = new Database(file);
  try {
    const deferred = new DeferredIndexes(db);
    return db.transaction(() => deferred.defer('devices', new Set()))();
  } finally {
    db.close();
  }
}
