import type { Migration } from '../migration';

/**
 * Record blocks may hold zstd frames from here on (fe79be3, issue 19): versions before it must refuse the file.
 *
 * A bulk load's record blocks (`device_record_blocks`, migration 0037) were raw deflate. Since fe79be3 a block whose
 * first byte carries 0x80 holds zstd frames (DeviceRecordCodec, ZSTD_GROUPS): the compressing thread's CPU a record
 * fell from ~15 to ~10 us. The table and its columns are unchanged, so nothing in the schema told an older console
 * apart from a newer one: a console from before fe79be3 opened such a database, listed its devices, and then called
 * every record in a zstd block damaged (its drawer's raw view, its exports with records), and an unchanged re-sync
 * would not rewrite them. This migration changes no table; it moves the schema version, so an older console refuses the
 * whole file up front, unchanged (openDatabase's DB_NEWER_SCHEMA: "written by a newer version"), and the user updates
 * instead of meeting unreadable records one by one.
 */
export const zstdRecordBlocks: Migration = {
  version: 41,
  name: 'record blocks may be zstd',
  up() {},
};
