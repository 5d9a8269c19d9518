/**
 * One owner per table (docs/architecture.md, "Data"; issue 16): only the owning store's file may name the table in
 * SQL. Everything else asks the owner (device code reads integrations through IntegrationDirectory). Migrations create
 * the tables and are exempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { useCloseAfterEach } from '../support/close-after-each';
import { useTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const CORE = path.join(ROOT, 'src-main');

const DEVICE_STORE = 'src-main/core/sync/device-store.ts';
const DEVICE_REPOSITORY = 'src-main/core/devices/device-repository.ts';
const DEVICE_SEARCH_INDEX = 'src-main/core/devices/device-search-index.ts';
const DUO_STORE = 'src-main/core/duo/duo-store.ts';

/**
 * Table → the files (relative to the repository) allowed to name it in SQL: every table of a migrated database.
 * A table has one owner, except the device tables, which docs/architecture.md ("Data") splits on purpose between
 * the sync's write side (DeviceStore: writes and exact lookups) and the explorer's read side (DeviceRepository with
 * its search index and selection, which join devices to their sightings, changes and full-text index).
 */
const OWNERS: Record<string, string[]> = {
  integrations: ['src-main/core/integrations/integration-store.ts'],
  integration_test_group: ['src-main/core/integrations/integration-store.ts'],
  wizard_drafts: ['src-main/core/integrations/wizard-draft-store.ts'],
  // The search index reads the device rows it indexes.
  // The selection's loose scans list a sort column's few current values for the sort index's seek (sortIndexSeek).
  devices: [DEVICE_STORE, DEVICE_REPOSITORY, DEVICE_SEARCH_INDEX, 'src-main/core/devices/device-selection.ts'],
  device_sightings: [DEVICE_STORE, DEVICE_REPOSITORY],
  // DeviceStore records the changes; the read side (a device's history, a run's changes, the change export) reads
  // them with the devices.
  device_changes: [DEVICE_STORE, DEVICE_REPOSITORY],
  device_record_dictionaries: ['src-main/core/sync/device-record-codec.ts'],
  // Written by the sync through the codec (storeBlock, enterBlock), with the devices whose records they hold.
  device_record_blocks: ['src-main/core/sync/device-record-codec.ts'],
  // DeviceStore keys the names it writes (migration 0019); the explorer's space filter reads a name's key.
  device_space_names: [DEVICE_STORE, 'src-main/core/devices/device-selection.ts'],
  // DeviceStore keys the tenants it writes (migration 0027); every other reader goes through its keys.
  device_tenants: [DEVICE_STORE],
  // The explorer's filters (device-selection.ts builds the repository's WHERE) match against the index.
  devices_fts: [DEVICE_SEARCH_INDEX, DEVICE_REPOSITORY, 'src-main/core/devices/device-selection.ts'],
  devices_fts_pending: [DEVICE_SEARCH_INDEX],
  // fts5vocab over devices_fts (migration 0030): the search asks a typed prefix as the terms it lists.
  devices_fts_terms: [DEVICE_SEARCH_INDEX],
  // fts5vocab over devices_fts (migration 0031): the same terms, one seek each.
  devices_fts_instances: [DEVICE_SEARCH_INDEX],
  saved_searches: ['src-main/core/devices/saved-search-store.ts'],
  // Follow-up: a device's history (DeviceRepository.detail) joins the runs itself.
  sync_runs: ['src-main/core/sync/sync-run-store.ts', DEVICE_REPOSITORY],
  integration_spaces: ['src-main/core/sync/integration-space-store.ts'],
  deferred_indexes: ['src-main/core/db/deferred-indexes.ts'],
  sync_seen: ['src-main/core/sync/run-seen-set.ts'],
  ca_profiles: ['src-main/core/certificates/ca-profile-service.ts'],
  certificates: ['src-main/core/certificates/certificate-inventory.ts'],
  settings: ['src-main/core/settings/settings-store.ts'],
  audit_log: ['src-main/core/audit/audit-log.ts'],
  audit_signing: ['src-main/core/audit/audit-log.ts'],
  duo_connection: [DUO_STORE],
  duo_reads: [DUO_STORE],
  duo_users: [DUO_STORE],
  duo_groups: [DUO_STORE],
  duo_group_members: [DUO_STORE],
  duo_endpoints: [DUO_STORE],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Where a file names the table in SQL: after FROM, JOIN, INTO, UPDATE or DELETE FROM. */
export function namesTableInSql(text: string, table: string): boolean {
  return new RegExp(`\\b(FROM|JOIN|INTO|UPDATE)\\s+${table}\\b`, 'i').test(text);
}

describe('one owner per table', () => {
  const tempDir = useTempDir('tec-table-owners-');
  const closeAfterEach = useCloseAfterEach();

  it('names an owner for every table of a freshly migrated database', () => {
    const { db } = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations });
    closeAfterEach(db);
    // FTS5 keeps its index in shadow tables that only SQLite writes; the virtual table itself is listed.
    const tables = (db.prepare("SELECT name, type FROM pragma_table_list WHERE schema = 'main'").all() as { name: string; type: string }[])
      .filter((t) => t.type !== 'shadow' && !t.name.startsWith('sqlite_'))
      .map((t) => t.name);
    expect(tables.filter((t) => !(t in OWNERS))).toEqual([]);
    expect(Object.keys(OWNERS).filter((t) => !tables.includes(t))).toEqual([]);
  });

  it.each(Object.entries(OWNERS))('only the owner of %s names it in SQL', (table, owners) => {
    const offenders = sourceFiles(CORE)
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !owners.includes(file) && namesTableInSql(fs.readFileSync(path.join(ROOT, file), 'utf8'), table));
    expect(offenders).toEqual([]);
  });

  it('spots SQL naming a table, and not the word in prose', () => {
    expect(namesTableInSql("db.prepare('SELECT id, name FROM integrations')", 'integrations')).toBe(true);
    expect(namesTableInSql('JOIN integrations i ON i.key = d.integration_key', 'integrations')).toBe(true);
    expect(namesTableInSql('the live integrations of the platform', 'integrations')).toBe(false);
    expect(namesTableInSql('FROM integrations_archive', 'integrations')).toBe(false);
  });
});
