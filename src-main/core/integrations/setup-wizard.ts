import { randomUUID } from 'node:crypto';
import {
  ApiDetailsFields,
  WIZARD_STEPS,
  WizardDraftState,
  type WizardDraft,
  type WizardStep,
  type WizardValues,
} from '../../../src-shared/contract/wizard';
import { WHERE_DUO_SHOWS_THE_KEY } from '../../../src-shared/domain/configuration-key';
import { IntegrationName } from '../../../src-shared/domain/integration';
import type { TestConfigurationResult } from '../../../src-shared/domain/test-configuration';
import type { SyncedDevice } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import type { CancelSignal } from '../../../src-shared/contract';
import { validationError } from '../app/dispatch';
import type { Db } from '../db/database';
import type { AuditLog } from '../audit/audit-log';
import { secretAccount, type SecretStore } from '../secrets/secret-store';
import { SyncRunStore } from '../sync/sync-run-store';
import type { IntegrationService } from './integration-service';
import { WizardDraftStore, type DraftRow } from './wizard-draft-store';

/** What the wizard borrows from other features, through their own contract handlers (wired in the composition root). */
export interface SetupWizardPorts {
  testConfiguration(
    input: { id: string; domain: string; email: string; testRunId?: string },
    signal: CancelSignal,
  ): Promise<TestConfigurationResult>;
  findDevices(input: { identifier: string; integrationId: string }, signal: CancelSignal): Promise<SyncedDevice[]>;
  /** Starts a sync of the integration and returns once it runs (it goes on in the background). */
  startSync(integrationId: string): Promise<unknown>;
  /** Whether the legacy integration's CA profile (the Duo CA values, entered from the Duo Admin Panel) is recorded. */
  caProfileRecorded(integrationId: string): Promise<boolean>;
}

/** Words that name the legacy kind of integration, dropped from its name to name the replacement. */
const LEGACY_NAME_WORDS = /\b(?:legacy|certs?|certificates?|scep|ios)\b/i;

/**
 * The replacement's default name: "Acme legacy certs" becomes "Acme iOS (App Config)", not "Acme legacy certs (App
 * Config)", which would name the new integration after the very thing it replaces.
 */
export function replacementName(legacyName: string): string {
  const base = legacyName
    .replace(/\([^)]*\)/g, (group) => (LEGACY_NAME_WORDS.test(group) ? ' ' : group))
    .replace(new RegExp(LEGACY_NAME_WORDS.source, 'gi'), ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—·:,/]+|[\s\-–—·:,/]+$/g, '');
  return `${base ? `${base} ` : ''}iOS (App Config)`.slice(0, 80);
}

const EMPTY_STATE: WizardDraftState = {
  mdm: null,
  platform: null,
  name: '',
  acknowledgeLegacy: false,
  checklist: {},
  domain: '',
  email: '',
  passwordStored: false,
  testResult: null,
  identifierCheck: null,
  activation: { status: 'test-group', testGroup: [] },
  migratedFrom: null,
};

/**
 * The setup wizard, as a state machine over a draft stored in SQLite. Every value is saved as it is typed, every step
 * is checked again on Next, and the password goes to the keychain the moment it is entered: quitting at any instant
 * resumes at the same step with the same values, and no secret ever reaches the database.
 */
export class SetupWizard {
  readonly #drafts: WizardDraftStore;
  readonly #runs: SyncRunStore;

  constructor(
    db: Db,
    private readonly integrations: IntegrationService,
    private readonly secrets: SecretStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly actor: string,
    private readonly ports: SetupWizardPorts,
  ) {
    this.#drafts = new WizardDraftStore(db);
    this.#runs = new SyncRunStore(db);
    // A deleted integration's unfinished setup goes with it, in the deletion's transaction.
    integrations.onDelete((integrationId) => {
      this.#drafts.deleteForIntegration(integrationId);
    });
  }

  async list(): Promise<WizardDraft[]> {
    const rows = this.#drafts.unfinished();
    return Promise.all(rows.map((row) => this.toDraft(row)));
  }

  async get(id: string): Promise<WizardDraft> {
    return this.toDraft(this.row(id));
  }

  async start(options: { migrateFrom?: string }): Promise<WizardDraft> {
    const id = randomUUID();
    const at = this.now().getTime();
    // Ivanti Neurons is the one device management tool the console supports: step 1 starts with it chosen.
    let state: WizardDraftState = { ...EMPTY_STATE, mdm: 'ivanti-neurons' };
    let step: WizardStep = 'mdm';
    if (options.migrateFrom !== undefined) {
      const legacy = await this.integrations.get(options.migrateFrom);
      if (legacy.platform !== 'ios-certs') {
        throw new AppError('VALIDATION_FAILED', 'Only a legacy iOS certificate integration can be migrated to App Config.', { field: 'migrateFrom' });
      }
      // The same tenant and API user: start at the platform step with everything known filled in.
      state = {
        ...state,
        mdm: legacy.mdm,
        platform: 'ios-appconfig',
        name: replacementName(legacy.name),
        domain: legacy.domain ?? '',
        email: legacy.email ?? '',
        migratedFrom: legacy.id,
      };
      step = 'platform';
    }
    this.#drafts.insert(id, step, JSON.stringify(state), at);
    return this.get(id);
  }

  async update(id: string, values: WizardValues): Promise<WizardDraft> {
    const row = this.row(id);
    const state = parseState(row);
    // A migration replaces an iOS integration: its platform is iOS (App Config) from the start and stays so.
    if (state.migratedFrom !== null && values.platform !== undefined && values.platform !== 'ios-appconfig') {
      throw invalid('platform', 'This setup replaces a legacy iOS certificate integration, so its platform is iOS (App Config).');
    }
    if (row.integration_id !== null && (values.platform !== undefined || values.name !== undefined || values.mdm !== undefined)) {
      if (values.platform !== state.platform || (values.name !== undefined && values.name !== state.name) || (values.mdm !== undefined && values.mdm !== state.mdm)) {
        throw new AppError(
          'VALIDATION_FAILED',
          'The integration already exists, so its name and platform are fixed. Delete it from the Integrations page to start over.',
          { field: 'platform' },
        );
      }
    }
    const detailsChanged = (values.domain !== undefined && values.domain !== state.domain) || (values.email !== undefined && values.email !== state.email);
    const next: WizardDraftState = {
      ...state,
      ...values,
      // A test result stands for the details it ran with: new details need a new test.
      testResult: detailsChanged ? null : state.testResult,
    };
    this.save(id, row.step, next);
    return this.get(id);
  }

  async storePassword(id: string, password: string): Promise<WizardDraft> {
    const row = this.row(id);
    if (row.integration_id === null) {
      throw new AppError('VALIDATION_FAILED', 'Create the integration first: the password is stored for it.', { field: 'password' });
    }
    await this.integrations.storePassword(row.integration_id, password);
    this.save(id, row.step, { ...parseState(row), passwordStored: true, testResult: null });
    return this.get(id);
  }

  async back(id: string): Promise<WizardDraft> {
    const row = this.row(id);
    const index = WIZARD_STEPS.indexOf(row.step);
    // Once the integration exists its name and platform are fixed, so the earliest step to return to shows its values.
    const earliest = row.integration_id === null ? 0 : WIZARD_STEPS.indexOf('values');
    if (row.step === 'done' || index <= earliest) return this.get(id);
    this.save(id, WIZARD_STEPS[index - 1], parseState(row));
    return this.get(id);
  }

  async next(id: string): Promise<WizardDraft> {
    const row = this.row(id);
    const state = parseState(row);
    switch (row.step) {
      case 'mdm':
        if (state.mdm === null) throw invalid('mdm', 'Choose the device management tool.');
        break;
      case 'platform':
        await this.createIntegration(row, state);
        return this.get(id);
      case 'values': {
        // The Ivanti steps carry Duo's values: the key Duo issued, or for a legacy integration the Duo CA's SCEP URL,
        // username, password, challenge URL and subject, all pasted from the Duo Admin Panel, never placeholders.
        if (this.platformOf(state) === 'ios-certs') {
          if (!(await this.ports.caProfileRecorded(this.integrationIdOf(row)))) {
            throw invalid(
              'caProfile',
              'Record the Duo CA values first (Certificates → this integration): the SCEP URL, username, password, challenge URL and subject shown in the iOS instructions of this integration in the Duo Admin Panel.',
            );
          }
          break;
        }
        const integration = await this.integrations.get(this.integrationIdOf(row));
        if (integration.configurationKey === null || integration.configurationKeyFromDuo !== true) {
          throw invalid('configurationKey', `Paste the configuration key Duo shows for this integration first. ${WHERE_DUO_SHOWS_THE_KEY}`);
        }
        break;
      }
      case 'checklist':
        // Guidance, not a gate: the admin may type the API details before every Ivanti step is ticked (Test
        // Configuration is what proves the API side); the ticks stay in the draft and the next steps show what is open.
        this.platformOf(state);
        break;
      case 'api-details': {
        // Saved as Ivanti will be called: a pasted `https://acme.mobileiron.com/` is kept as `acme.mobileiron.com`.
        const details = await this.assertApiDetails(row, state);
        this.save(id, WIZARD_STEPS[WIZARD_STEPS.indexOf(row.step) + 1], { ...state, ...details });
        return this.get(id);
      }
      case 'test': {
        // "Save & Configure": only after a passing test with exactly these details.
        if (state.testResult?.ok !== true) throw invalid('test', 'Run Test Configuration and get every check passing before saving.');
        const integrationId = this.integrationIdOf(row);
        const details = ApiDetailsFields.parse({ domain: state.domain, email: state.email });
        await this.integrations.updateApiDetails(integrationId, details);
        this.audit.append({ actor: this.actor, action: 'integration.configured', target: integrationId, details: { domain: details.domain } });
        this.save(id, 'first-sync', state);
        // "Save & Configure starts the first sync": the first-sync step opens on the run in progress. A sync that
        // could not start (one already running, the keychain locked) leaves the step's own start button to retry.
        await this.ports.startSync(integrationId).catch(() => undefined);
        return this.get(id);
      }
      case 'first-sync':
        if (this.#runs.lastCompletedAt(this.integrationIdOf(row)) === null) {
          throw invalid('first-sync', 'Wait for the first sync to complete (or run it again if it failed) before going on.');
        }
        break;
      case 'identifier':
        // Optional by design: a device may take up to a day to report its identifier; the admin may check later.
        break;
      case 'activation': {
        const integrationId = this.integrationIdOf(row);
        const { status, testGroup, duoGroup } = state.activation;
        if (status === 'test-group' && testGroup.length === 0) throw invalid('activation.testGroup', 'Add at least one username to the test group.');
        const current = await this.integrations.get(integrationId);
        if (status !== current.status || status === 'test-group') await this.integrations.setStatus(integrationId, status, testGroup, duoGroup ?? undefined);
        this.#drafts.finish(id, this.now().getTime());
        return this.get(id);
      }
      case 'done':
        return this.get(id);
    }
    this.save(id, WIZARD_STEPS[WIZARD_STEPS.indexOf(row.step) + 1], state);
    return this.get(id);
  }

  async testConfiguration(id: string, testRunId: string | undefined, signal: CancelSignal): Promise<WizardDraft> {
    const row = this.row(id);
    const state = parseState(row);
    const details = await this.assertApiDetails(row, state);
    const result = await this.ports.testConfiguration(
      { id: this.integrationIdOf(row), domain: details.domain, email: details.email, ...(testRunId ? { testRunId } : {}) },
      signal,
    );
    // Re-read: the admin may have typed while the test ran; the result only counts for the details it tested.
    const latest = parseState(this.row(id));
    const unchanged = latest.domain === state.domain && latest.email === state.email;
    this.save(id, this.row(id).step, { ...latest, testResult: unchanged ? result : null });
    return this.get(id);
  }

  async checkIdentifier(id: string, identifier: string, signal: CancelSignal): Promise<WizardDraft> {
    const row = this.row(id);
    const integrationId = this.integrationIdOf(row);
    const found = await this.ports.findDevices({ identifier, integrationId }, signal);
    const check = { identifier, found: found.some((d) => d.removedAt === null), checkedAt: this.now().toISOString() };
    this.save(id, row.step, { ...parseState(row), identifierCheck: check });
    return this.get(id);
  }

  discard(id: string): void {
    this.row(id);
    this.#drafts.delete(id);
  }

  private async createIntegration(row: DraftRow, state: WizardDraftState): Promise<void> {
    if (row.integration_id !== null) {
      this.save(row.id, 'values', state);
      return;
    }
    // Both fields are reported at once, so the admin fixes them in one go.
    const name = IntegrationName.safeParse(state.name);
    const issues = [
      ...(name.success ? [] : [{ path: 'name', message: name.error.issues[0]?.message ?? 'Give the integration a name.' }]),
      ...(state.platform === null ? [{ path: 'platform', message: 'Choose a platform.' }] : []),
    ];
    if (!name.success || state.platform === null) throw new AppError('VALIDATION_FAILED', issues[0]!.message, { issues });
    const fields = { name: name.data, platform: state.platform };
    const created = await this.integrations.create({
      name: fields.name,
      platform: fields.platform,
      acknowledgeLegacy: state.acknowledgeLegacy,
      ...(state.migratedFrom ? { migratedFrom: state.migratedFrom } : {}),
    });
    let next = { ...state, name: fields.name };
    // Migration: same tenant, same API user. The password is copied inside main; it never travels to the renderer.
    if (state.migratedFrom !== null) next = { ...next, passwordStored: await this.integrations.copyPassword(state.migratedFrom, created.id) };
    this.#drafts.attachIntegration(row.id, created.id, 'values', JSON.stringify(next), this.now().getTime());
  }

  /** The domain and email as the API will use them (the domain cleaned of `https://` and a trailing slash). */
  private async assertApiDetails(row: DraftRow, state: WizardDraftState): Promise<{ domain: string; email: string }> {
    const fields = ApiDetailsFields.safeParse({ domain: state.domain, email: state.email });
    if (!fields.success) throw validationError(fields.error);
    if (!(state.passwordStored && (await this.secrets.has(secretAccount.ivantiPassword(this.integrationIdOf(row)))))) {
      throw invalid('password', "Enter the API user's password.");
    }
    return fields.data;
  }

  private platformOf(state: WizardDraftState) {
    if (state.platform === null) throw invalid('platform', 'Choose a platform.');
    return state.platform;
  }

  private integrationIdOf(row: DraftRow): string {
    if (row.integration_id === null) throw invalid('platform', 'Create the integration first (the platform step).');
    return row.integration_id;
  }

  private save(id: string, step: WizardStep, state: WizardDraftState): void {
    // Parsed on the way in as well as out: a value that could not be resumed must never be stored.
    const checked = WizardDraftState.parse(state);
    this.#drafts.save(id, step, JSON.stringify(checked), this.now().getTime());
  }

  private row(id: string): DraftRow {
    const row = this.#drafts.find(id);
    if (!row) throw new AppError('NOT_FOUND', 'That setup no longer exists (it was finished or discarded).', { id });
    return row;
  }

  private async toDraft(row: DraftRow): Promise<WizardDraft> {
    const state = parseState(row);
    const integration = row.integration_id === null ? null : await this.integrations.get(row.integration_id).catch(() => null);
    const passwordStored =
      state.passwordStored && integration !== null && (await this.secrets.has(secretAccount.ivantiPassword(integration.id)));
    const lastSync = integration === null ? null : this.#runs.lastCompletedAt(integration.id);
    return {
      ...state,
      passwordStored,
      id: row.id,
      step: row.step,
      integrationId: integration?.id ?? null,
      configurationKey: integration?.configurationKey ?? null,
      configurationKeyFromDuo: integration?.configurationKeyFromDuo ?? null,
      lastCompletedSyncAt: lastSync === null ? null : new Date(lastSync).toISOString(),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    };
  }
}

function parseState(row: DraftRow): WizardDraftState {
  // A draft written by another version that no longer parses restarts its values rather than failing the wizard.
  const parsed = WizardDraftState.safeParse(JSON.parse(row.state));
  return parsed.success ? parsed.data : EMPTY_STATE;
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { field });
}
