import { describe, expect, it } from 'vitest';
import { SavedSearchStore } from '../../../src-main/core/devices/saved-search-store';
import { AppError } from '../../../src-shared/errors';
import { useTempDir } from '../../support/temp-dir';
import { NOW, openDeviceDatabase } from './device-fixture';

const tempDir = useTempDir('tec-saved-');

describe('saved searches', () => {
  it('keep the text, filters and order under a name, listed by name', () => {
    const { db } = openDeviceDatabase(tempDir());
    const store = new SavedSearchStore(db, () => new Date(NOW));
    store.save('Stale Androids', { platformType: 'ANDROID', checkinAge: 'older', sort: { column: 'lastCheckin', direction: 'asc' } });
    store.save('ada', { text: 'ada' });
    expect(store.list().map((s) => [s.name, s.query])).toEqual([
      ['ada', { text: 'ada' }],
      ['Stale Androids', { platformType: 'ANDROID', checkinAge: 'older', sort: { column: 'lastCheckin', direction: 'asc' } }],
    ]);
  });

  it('replace a search saved under the same name, whatever its case', () => {
    const { db } = openDeviceDatabase(tempDir());
    const store = new SavedSearchStore(db, () => new Date(NOW));
    const first = store.save('Retired', { registrationState: 'RETIRED' });
    const second = store.save('RETIRED', { registrationState: 'RETIRE_PENDING' });
    expect(second.id).toBe(first.id);
    expect(store.list()).toEqual([expect.objectContaining({ name: 'RETIRED', query: { registrationState: 'RETIRE_PENDING' } })]);
  });

  it('forget a deleted search, and say so when it was already gone', () => {
    const { db } = openDeviceDatabase(tempDir());
    const store = new SavedSearchStore(db, () => new Date(NOW));
    const saved = store.save('x', {});
    store.delete(saved.id);
    expect(store.list()).toEqual([]);
    expect(() => store.delete(saved.id)).toThrow(AppError);
  });

  it('skip a stored search that no longer parses instead of failing the list', () => {
    const { db } = openDeviceDatabase(tempDir());
    const store = new SavedSearchStore(db, () => new Date(NOW));
    store.save('good', { text: 'ok' });
    db.prepare("INSERT INTO saved_searches (name, query, created_at, updated_at) VALUES ('bad', '{\"compliance\":\"maybe\"}', 0, 0)").run();
    expect(store.list().map((s) => s.name)).toEqual(['good']);
  });
});
