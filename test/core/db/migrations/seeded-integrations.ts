import type { Db } from '../../../../src-main/core/db/database';

/**
 * Acme's Android integration, the one the upgrade tests seed, by an id as the console makes them (randomUUID): the
 * device rows and indexes of the schemas before 0018 repeat it, so a short made-up id would not be what a console held.
 */
export const ANDROID = '6f0c3a52-8a4e-4c31-9a57-0d2f3b8e1c11';

export interface SeededIntegration {
  id: string;
  name: string;
  platform: 'android' | 'ios-appconfig';
  /** The tenant's API details, for the tests whose devices are keyed by their tenant. */
  domain?: string;
  email?: string;
}

export const ACME_ANDROID: SeededIntegration = { id: ANDROID, name: 'Acme Android', platform: 'android' };

/**
 * Integrations as the schemas these tests start from store them, every user enrolled, inserted and created in the order
 * given (created_at 1, 2, …): migration 0018 keys them in their rowid order.
 */
export function seedIntegrations(db: Db, integrations: readonly SeededIntegration[] = [ACME_ANDROID]): void {
  const insert = db.prepare(
    `INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at) VALUES (?, ?, 'ivanti-neurons', ?, 'all-users', ?, ?, ?, ?)`,
  );
  integrations.forEach((integration, i) => insert.run(integration.id, integration.name, integration.platform, integration.domain ?? null, integration.email ?? null, i + 1, i + 1));
}

/** The integration's completed run 1 (from 10 to 20): the run the seeded devices name as the one that last saw them. */
export function seedFirstRun(db: Db, integrationId = ANDROID): void {
  db.prepare(`INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, ?, 'manual', 'completed', 10, 20, 1)`).run(integrationId);
}
