import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { schemaDump, useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

/**
 * Migrations are never edited once shipped. The one exception (issue 16: 0004 spelled out the names it used to import
 * from runtime code) must not change what they create; this dump was taken before that edit, and holds them to it.
 */
it('a new database built by migrations 1 to 5 has exactly the schema they have always created', () => {
  const expected = fs.readFileSync(path.join(__dirname, 'schema-v5.sql'), 'utf8');
  expect(`${schemaDump(databases.at(5))}\n`).toBe(expected);
});
