import type { Migration } from '../migration';

/**
 * The Duo group an integration's test group was chosen from. Duo identifies a group by `group_id`; its name can be
 * changed in Duo at any time, so the editor finds the chosen group again by this id, not by its name or its members.
 * `test_group_duo_name` is the name when it was chosen, shown when the group is missing from the last read. Both are
 * NULL for a test group typed by hand, and for every test group saved before this version (the console then still
 * recognises the group by its members).
 */
export const testGroupDuoId: Migration = {
  version: 10,
  name: 'Duo group id of the test group',
  up(db) {
    db.exec(`
      ALTER TABLE integrations ADD COLUMN test_group_duo_id TEXT;
      ALTER TABLE integrations ADD COLUMN test_group_duo_name TEXT;
    `);
  },
};
