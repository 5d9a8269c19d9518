import { DeviceQuery, type SavedSearch } from '../../../src-shared/domain/device';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';

interface SavedSearchRecord {
  id: number;
  name: string;
  query: string;
  created_at: number;
  updated_at: number;
}

/** Named explorer searches (text, filters, order). Saving under an existing name replaces it: names are how admins find them. */
export class SavedSearchStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  list(): SavedSearch[] {
    const records = this.db.prepare('SELECT * FROM saved_searches ORDER BY name COLLATE NOCASE').all() as SavedSearchRecord[];
    return records.flatMap((r) => {
      // A search saved by another version whose query no longer parses is skipped rather than breaking the list.
      const query = DeviceQuery.safeParse(JSON.parse(r.query));
      return query.success ? [toSavedSearch(r, query.data)] : [];
    });
  }

  save(name: string, query: DeviceQuery): SavedSearch {
    const at = this.now().getTime();
    const record = this.db
      .prepare(
        `INSERT INTO saved_searches (name, query, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name COLLATE NOCASE) DO UPDATE SET name = excluded.name, query = excluded.query, updated_at = excluded.updated_at
         RETURNING *`,
      )
      .get(name, JSON.stringify(query), at, at) as SavedSearchRecord;
    return toSavedSearch(record, query);
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM saved_searches WHERE id = ?').run(id).changes === 0) {
      throw new AppError('NOT_FOUND', 'That saved search no longer exists.', { id });
    }
  }
}

function toSavedSearch(r: SavedSearchRecord, query: DeviceQuery): SavedSearch {
  return { id: r.id, name: r.name, query, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString() };
}
