/**
 * One owner per table (docs/architecture.md, "Data"; issue 16): only the owning store's file may name the table in
 * SQL. Everything else asks the owner (device code reads integrations through IntegrationDirectory). Migrations create
 * the tables and are exempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const CORE = path.join(ROOT, 'src-main');

/** Table → the files (relative to the repository) allowed to name it in SQL. */
const OWNERS: Record<string, string[]> = {
  integrations: ['src-main/core/integrations/integration-store.ts'],
  integration_test_group: ['src-main/core/integrations/integration-store.ts'],
  wizard_drafts: ['src-main/core/integrations/wizard-draft-store.ts'],
  device_sightings: ['src-main/core/sync/device-store.ts', 'src-main/core/devices/device-repository.ts'],
  deferred_indexes: ['src-main/core/db/deferred-indexes.ts'],
  integration_spaces: ['src-main/core/sync/integration-space-store.ts'],
  sync_seen: ['src-main/core/sync/run-seen-set.ts'],
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
  it.each(Object.entries(OWNERS))('only the owner of %s names it in SQL', (table, owners) => {
    const offenders = sourceFiles(CORE)
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !owners.includes(file) && namesTableInSql(fs.readFileSync(path.join(ROOT, file), 'utf8'), table));
    expect(offenders).toEqual([]);
  });

  it('spots SQL naming a table, and not the word in prose', () => {
    expect(namesTableInSql("db.prepare('SELECT id, name FROM integrations')", 'integrations')).toBe(true);
    expect(namesTableInSql('JOIN integrations i ON i.id = d.integration_id', 'integrations')).toBe(true);
    expect(namesTableInSql('the live integrations of the platform', 'integrations')).toBe(false);
    expect(namesTableInSql('FROM integrations_archive', 'integrations')).toBe(false);
  });
});
