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
    expect(indexed, column).toEqual(sortIndexColumns(column));
  }
});
