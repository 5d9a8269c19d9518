import type { Migration } from '../migration';

/**
 * Fewer device indexes (issue 19). devices_by_integration_id (integration_id and the explorer's filter columns, current
 * devices) held a subset of devices_facets (removed_at, integration_id, the same filter columns and last_checkin): the
 * explorer's integration order now walks devices_facets where removed_at IS NULL (core/devices/device-selection.ts).
 * One index fewer to write on every insert and update, ~74 bytes a device.
 */
export const fewerDeviceIndexes: Migration = {
  version: 17,
  name: 'one device index fewer',
  up(db) {
    // A bulk load interrupted before its index build lists the index to build again (migration 16): forgotten too.
    db.exec(`
      DROP INDEX IF EXISTS devices_by_integration_id;
      DELETE FROM deferred_indexes WHERE name = 'devices_by_integration_id';
    `);
  },
};
