import type { Migration } from '../migration';

/**
 * Setup wizard drafts, integration tombstones and legacy-to-App-Config migration links.
 *
 * - `wizard_drafts.state` is JSON of non-secret values only. The API password goes to the keychain the moment it is
 *   entered; the draft records only that it is stored (`passwordStored`), so quitting mid-way loses nothing and writes
 *   no secret to this file.
 * - A deleted integration stays as a tombstone (`deleted_at`), disabled and without credentials, because the admin
 *   may keep its synced devices, and its certificates must stay on record as invalidated: devices and sync runs
 *   reference it with ON DELETE CASCADE, so removing the row would silently take them along. Names of live
 *   integrations stay unique; a tombstone's name may be reused.
 * - `migrated_from` links an App Config integration to the legacy certificate integration it replaces.
 */
export const wizardAndTrust: Migration = {
  version: 3,
  name: 'wizard drafts, integration tombstones, legacy migration link',
  up(db) {
    db.exec(`
      ALTER TABLE integrations ADD COLUMN deleted_at INTEGER;
      ALTER TABLE integrations ADD COLUMN migrated_from TEXT REFERENCES integrations (id) ON DELETE SET NULL;
      DROP INDEX integrations_name;
      CREATE UNIQUE INDEX integrations_live_name ON integrations (name COLLATE NOCASE) WHERE deleted_at IS NULL;

      CREATE TABLE wizard_drafts (
        id             TEXT PRIMARY KEY,
        integration_id TEXT REFERENCES integrations (id) ON DELETE CASCADE,
        step           TEXT NOT NULL,
        -- JSON, never a secret (see WizardDraftState in src-shared/contract/wizard.ts)
        state          TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        finished_at    INTEGER
      ) STRICT;
      CREATE INDEX wizard_drafts_open ON wizard_drafts (finished_at, updated_at DESC);
    `);
  },
};
