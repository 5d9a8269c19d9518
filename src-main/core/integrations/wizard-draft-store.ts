import type { WizardStep } from '../../../src-shared/contract/wizard';
import type { Db } from '../db/database';

/** A stored setup: its state is the JSON of `WizardDraftState`, parsed by the wizard on the way in and out. */
export interface DraftRow {
  id: string;
  integration_id: string | null;
  step: WizardStep;
  state: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** The owner of `wizard_drafts` (docs/architecture.md, "Data"): the setup wizard's saved drafts. */
export class WizardDraftStore {
  constructor(private readonly db: Db) {}

  find(id: string): DraftRow | null {
    return (this.db.prepare('SELECT * FROM wizard_drafts WHERE id = ?').get(id) as DraftRow | undefined) ?? null;
  }

  /** Unfinished drafts, the most recently touched first. */
  unfinished(): DraftRow[] {
    return this.db.prepare('SELECT * FROM wizard_drafts WHERE finished_at IS NULL ORDER BY updated_at DESC').all() as DraftRow[];
  }

  /** The integration's unfinished setup to resume (the most recently touched), or null. */
  openDraftId(integrationId: string): string | null {
    const id = this.db
      .prepare('SELECT id FROM wizard_drafts WHERE integration_id = ? AND finished_at IS NULL ORDER BY updated_at DESC LIMIT 1')
      .pluck()
      .get(integrationId) as string | undefined;
    return id ?? null;
  }

  /** The integrations whose setup is still open. */
  integrationsWithOpenDraft(): Set<string> {
    const ids = this.db.prepare('SELECT DISTINCT integration_id FROM wizard_drafts WHERE integration_id IS NOT NULL AND finished_at IS NULL').pluck().all() as string[];
    return new Set(ids);
  }

  insert(id: string, step: WizardStep, state: string, at: number): void {
    this.db.prepare('INSERT INTO wizard_drafts (id, integration_id, step, state, created_at, updated_at) VALUES (?, NULL, ?, ?, ?, ?)').run(id, step, state, at, at);
  }

  save(id: string, step: WizardStep, state: string, at: number): void {
    this.db.prepare('UPDATE wizard_drafts SET step = ?, state = ?, updated_at = ? WHERE id = ?').run(step, state, at, id);
  }

  attachIntegration(id: string, integrationId: string, step: WizardStep, state: string, at: number): void {
    this.db.prepare('UPDATE wizard_drafts SET integration_id = ?, step = ?, state = ?, updated_at = ? WHERE id = ?').run(integrationId, step, state, at, id);
  }

  finish(id: string, at: number): void {
    this.db.prepare('UPDATE wizard_drafts SET step = ?, updated_at = ?, finished_at = ? WHERE id = ?').run('done', at, at, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM wizard_drafts WHERE id = ?').run(id);
  }

  deleteForIntegration(integrationId: string): void {
    this.db.prepare('DELETE FROM wizard_drafts WHERE integration_id = ?').run(integrationId);
  }
}
