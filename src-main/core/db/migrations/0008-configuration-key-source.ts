import type { Migration } from '../migration';

/**
 * Configuration keys come from Duo (pasted by the admin) from now on. `config_key_entered_at` is when the admin entered
 * the current key; earlier versions generated keys themselves, so every key already stored has NULL here and is shown
 * as "not issued by Duo: paste the key from Duo".
 */
export const configurationKeySource: Migration = {
  version: 8,
  name: 'Configuration keys entered from Duo',
  up(db) {
    db.exec('ALTER TABLE integrations ADD COLUMN config_key_entered_at INTEGER');
  },
};
