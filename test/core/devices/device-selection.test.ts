import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { SORT_COLUMNS, sortIndexColumns, sortIndexName } from '../../../src-main/core/devices/device-selection';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir();
let db: Db | undefined;
afterEach(() => db?.close());

it('names, for every sortable column, an index the migrations created with exactly the columns its order repeats', () => {
  const opened = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db;
  db = opened;
  for (const column of Object.values(SORT_COLUMNS)) {
    const indexed = (opened.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(sortIndexName(column)) as { name: string }[]).map((r) => r.name);
    const partial = opened.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(sortIndexName(column)) as string;
    // Current devices only: a partial index of them, or one that holds removed_at (walked where it is NULL): first,
    // or last in the identifier's, which the lookups share (migration 0034).
    if (partial.endsWith('WHERE removed_at IS NULL') || sortIndexColumns(column).includes('removed_at')) expect(indexed, column).toEqual(sortIndexColumns(column));
    else expect(indexed, column).toEqual(['removed_at', ...sortIndexColumns(column)]);
  }
});
