import { randomUUID } from 'node:crypto';
import { AppError } from '../../../src-shared/errors';
import { LEGACY_CERTIFICATE_END_OF_LIFE, type Integration, type IntegrationStatus, type Platform, type TestGroupDuoGroup } from '../../../src-shared/domain/integration';
import type { Db } from '../db/database';
import type { AuditLog } from '../audit/audit-log';
import { secretAccount, type SecretStore } from '../secrets/secret-store';
import { cleanPastedKey, looksLikeDuoConfigurationKey, UNUSUAL_KEY_WARNING, WHERE_DUO_SHOWS_THE_KEY } from '../../../src-shared/domain/configuration-key';
import { purgeSyncedDevices, retireSightings } from '../sync/device-store';
import { IntegrationSpaceStore } from '../sync/integration-space-store';
import { IntegrationStore, type IntegrationRow } from './integration-store';
import { WizardDraftStore } from './wizard-draft-store';

export interface CreateIntegration {
  name: string;
  platform: Platform;
  domain?: string;
  email?: string;
  password?: string;
  /** Required for ios-certs: the admin states this records an existing legacy integration. */
  acknowledgeLegacy?: boolean;
  /** The legacy certificate integration this App Config integration replaces. */
  migratedFrom?: string;
  /** The configuration key Duo shows, when the admin already has it (pasted; checked as enterConfigurationKey checks it). */
  configurationKey?: string;
  /** A configuration key of another shape than Duo's example is saved only with this confirmation. */
  confirmUnusualShape?: boolean;
}

export interface RecordedTestGroup {
  status: IntegrationStatus;
  members: string[];
  duoGroup: TestGroupDuoGroup | null;
}

export interface ApiDetails {
  domain: string;
  email: string;
  password?: string;
}

/** Credentials for the Ivanti client. Internal to main: never returned over IPC. */
export interface IvantiCredentials {
  domain: string;
  email: string;
  password: string;
}

/**
 * Something else that must happen when an integration goes (certificates invalidated…), registered by the service that
 * owns that data. Runs inside the deletion's transaction: a hook that throws cancels the whole deletion.
 */
export type IntegrationDeletionHook = (integrationId: string, options: { purgeDevices: boolean }) => void;

/** What the trust prediction needs to know about a live integration. */
export interface TrustCandidate {
  id: string;
  name: string;
  platform: Platform;
  status: IntegrationStatus;
  /** Its setup wizard is still open: mentioned in a verdict only when it is the reason. */
  unfinished: boolean;
}

/** Live (not deleted) integrations, oldest first, as the trust prediction weighs them. */
export function trustCandidates(db: Db): TrustCandidate[] {
  const open = new WizardDraftStore(db).integrationsWithOpenDraft();
  return new IntegrationStore(db)
    .live('oldest-first')
    .map((r) => ({ id: r.id, name: r.name, platform: r.platform, status: r.status, unfinished: open.has(r.id) }));
}


export class IntegrationService {
  private readonly deletionHooks: IntegrationDeletionHook[] = [];
  readonly #store: IntegrationStore;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly actor: string,
  ) {
    this.#store = new IntegrationStore(db);
  }

  onDelete(hook: IntegrationDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  async list(): Promise<Integration[]> {
    const rows = this.#store.live('newest-first');
    return Promise.all(rows.map((row) => this.toIntegration(row)));
  }

  /** The test group as recorded here (members, and the Duo group they were read from), for Duo's view; null if deleted. */
  recordedTestGroup(id: string): RecordedTestGroup | null {
    const row = this.#store.find(id);
    if (!row) return null;
    return {
      status: row.status,
      members: this.#store.testGroup(id),
      duoGroup: row.test_group_duo_id === null ? null : { groupId: row.test_group_duo_id, name: row.test_group_duo_name ?? '' },
    };
  }

  async get(id: string): Promise<Integration> {
    return this.toIntegration(this.row(id));
  }

  async create(input: CreateIntegration): Promise<Integration> {
    if (input.platform === 'ios-certs' && input.acknowledgeLegacy !== true) {
      throw new AppError(
        'INTEGRATION_LEGACY_REFUSED',
        `Certificate-based trusted endpoints for iOS reached end of life (no new integrations since October 2021; Duo stopped verifying Ivanti certificates on ${LEGACY_CERTIFICATE_END_OF_LIFE}). Create an iOS (App Config) integration instead; record a legacy one only to manage or migrate an existing setup.`,
        { field: 'platform' },
      );
    }
    this.assertNameFree(input.name);
    if (input.migratedFrom !== undefined && this.row(input.migratedFrom).platform !== 'ios-certs') {
      throw new AppError('VALIDATION_FAILED', 'Only a legacy iOS certificate integration can be migrated to App Config.', { field: 'migratedFrom' });
    }
    if (input.configurationKey !== undefined && input.platform === 'ios-certs') {
      throw new AppError('VALIDATION_FAILED', 'A legacy iOS certificate integration has no configuration key: Duo issues SCEP values for it instead.', { field: 'configurationKey' });
    }
    // Checked before anything is written, so a refused key leaves no integration behind.
    const key = input.configurationKey === undefined ? null : enteredConfigurationKey(input.configurationKey, input.confirmUnusualShape === true);
    const id = randomUUID();
    const at = this.now().getTime();
    const passwordRef = input.password === undefined ? null : secretAccount.ivantiPassword(id);
    // Keychain first: if it fails, nothing was written to the database either.
    if (input.password !== undefined) await this.secrets.set(secretAccount.ivantiPassword(id), input.password);
    // Duo issues the configuration key and the admin pastes it (here or later with enterConfigurationKey); the console
    // never invents one.
    this.db.transaction(() => {
      this.#store.insert({
        id,
        name: input.name,
        platform: input.platform,
        domain: input.domain ?? null,
        email: input.email ?? null,
        passwordRef,
        migratedFrom: input.migratedFrom ?? null,
        at,
      });
      this.audit.append({
        actor: this.actor,
        action: 'integration.created',
        target: id,
        details: { name: input.name, platform: input.platform, ...(input.migratedFrom ? { migratedFrom: input.migratedFrom } : {}) },
      });
      if (key !== null) this.#recordKey(id, input.name, key, false, at);
    })();
    return this.get(id);
  }

  async updateApiDetails(id: string, details: ApiDetails): Promise<Integration> {
    const row = this.row(id);
    if (details.password !== undefined) await this.secrets.set(secretAccount.ivantiPassword(id), details.password);
    this.db.transaction(() => {
      this.#store.setApiDetails(id, details.domain, details.email, details.password === undefined ? null : secretAccount.ivantiPassword(id), this.now().getTime());
      this.audit.append({
        actor: this.actor,
        action: 'integration.api-details-changed',
        target: id,
        details: { name: row.name, domain: details.domain, email: details.email, passwordChanged: details.password !== undefined },
      });
    })();
    return this.get(id);
  }

  /** Puts the API password in the keychain at once (the wizard calls this as soon as it is entered). */
  async storePassword(id: string, password: string): Promise<void> {
    const row = this.row(id);
    const account = secretAccount.ivantiPassword(id);
    await this.secrets.set(account, password);
    this.db.transaction(() => {
      this.#store.setPasswordRef(id, account, this.now().getTime());
      this.audit.append({ actor: this.actor, action: 'integration.password-stored', target: id, details: { name: row.name } });
    })();
  }

  /** Copies one integration's API password to another inside main (legacy → App Config migration); it never leaves main. */
  async copyPassword(fromId: string, toId: string): Promise<boolean> {
    const password = await this.secrets.get(secretAccount.ivantiPassword(fromId));
    if (password === null) return false;
    await this.storePassword(toId, password);
    return true;
  }

  /**
   * The configuration key Duo shows for this integration, as pasted: whitespace and invisible characters are removed; a
   * value of another shape than Duo's example needs `confirmUnusualShape` (the UI's confirmation, the CLI's --force).
   * Replacing a key means devices holding the old configuration fail trust until Ivanti delivers the new one.
   */
  async enterConfigurationKey(id: string, pasted: string, options: { confirmUnusualShape?: boolean } = {}): Promise<Integration> {
    const row = this.row(id);
    const key = enteredConfigurationKey(pasted, options.confirmUnusualShape === true);
    this.db.transaction(() => this.#recordKey(id, row.name, key, row.config_key !== null && row.config_key !== key, this.now().getTime()))();
    return this.get(id);
  }

  #recordKey(id: string, name: string, key: string, replaced: boolean, at: number): void {
    this.#store.setEnteredConfigKey(id, key, at);
    this.audit.append({
      actor: this.actor,
      action: 'integration.configuration-key-entered',
      target: id,
      details: { name, replaced, unusualShape: !looksLikeDuoConfigurationKey(key) },
    });
  }

  /** `duoGroup`: the Duo group the test group's members were read from; omitted when the admin typed them. */
  async setStatus(id: string, status: IntegrationStatus, testGroup?: string[], duoGroup?: TestGroupDuoGroup): Promise<Integration> {
    const row = this.row(id);
    const members = status === 'test-group' ? [...new Set((testGroup ?? []).map((u) => u.trim().toLowerCase()))] : null;
    const group = members && duoGroup ? duoGroup : null;
    this.db.transaction(() => {
      this.#store.setStatus(id, status, members, group, this.now().getTime());
      this.audit.append({
        actor: this.actor,
        action: 'integration.status-changed',
        target: id,
        details: { name: row.name, from: row.status, to: status, ...(members ? { testGroup: members } : {}), ...(group ? { duoGroup: group } : {}) },
      });
    })();
    return this.get(id);
  }

  async delete(id: string, confirmName: string, options: { purgeDevices: boolean }): Promise<void> {
    const row = this.row(id);
    if (confirmName.trim() !== row.name) {
      throw new AppError('VALIDATION_FAILED', `Type the integration's name exactly ("${row.name}") to confirm deletion.`, {
        field: 'confirmName',
      });
    }
    for (const account of await this.secrets.accounts(secretAccount.integrationPrefix(id))) await this.secrets.delete(account);
    this.db.transaction(() => {
      for (const hook of this.deletionHooks) hook(id, options);
      if (options.purgeDevices) purgeSyncedDevices(this.db, id);
      else retireSightings(this.db, id, this.now().getTime());
      new IntegrationSpaceStore(this.db).forget(id);
      this.#store.markDeleted(id, this.now().getTime());
      this.audit.append({
        actor: this.actor,
        action: 'integration.deleted',
        target: id,
        details: { name: row.name, platform: row.platform, purgeDevices: options.purgeDevices },
      });
    })();
  }

  /** Internal to main, for the Ivanti client only: must never be exposed via IPC. */
  async credentials(id: string): Promise<IvantiCredentials> {
    const row = this.row(id);
    const password = await this.secrets.get(secretAccount.ivantiPassword(id));
    if (!row.domain || !row.email || password === null) {
      throw new AppError(
        'CREDENTIALS_MISSING',
        `The integration "${row.name}" has no complete API details (domain, email and a password in the keychain). Enter them under Edit API details.`,
        { integrationId: id },
      );
    }
    return { domain: row.domain, email: row.email, password };
  }

  private row(id: string): IntegrationRow {
    const row = this.#store.find(id);
    if (!row) throw new AppError('INTEGRATION_NOT_FOUND', 'That integration does not exist (it may have been deleted).', { id });
    return row;
  }

  private assertNameFree(name: string): void {
    if (this.#store.nameTaken(name)) {
      throw new AppError('INTEGRATION_NAME_TAKEN', `An integration named "${name}" already exists. Choose another name.`, { field: 'name' });
    }
  }

  private async toIntegration(row: IntegrationRow): Promise<Integration> {
    const testGroup = this.#store.testGroup(row.id);
    return {
      id: row.id,
      name: row.name,
      mdm: row.mdm,
      platform: row.platform,
      status: row.status,
      domain: row.domain,
      email: row.email,
      hasPassword: row.password_ref !== null && (await this.secrets.has(row.password_ref)),
      configurationKey: row.config_key,
      configurationKeyFromDuo: row.config_key === null ? null : row.config_key_entered_at !== null,
      testGroup,
      testGroupDuo: row.test_group_duo_id === null ? null : { groupId: row.test_group_duo_id, name: row.test_group_duo_name ?? '' },
      migratedFrom: row.migrated_from,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }
}

/**
 * The configuration key as pasted from Duo, cleaned of whitespace and invisible characters. Another shape than Duo's
 * example is refused with the warning (CONFIGURATION_KEY_UNUSUAL) unless the admin confirmed it. The app, the wizard
 * and `tec integration add|set-key` all come here.
 */
export function enteredConfigurationKey(pasted: string, confirmUnusualShape: boolean): string {
  const key = cleanPastedKey(pasted);
  if (key === '') throw new AppError('VALIDATION_FAILED', `Paste the configuration key from Duo. ${WHERE_DUO_SHOWS_THE_KEY}`, { field: 'configurationKey' });
  if (key.length > 200) throw new AppError('VALIDATION_FAILED', 'That is far longer than a configuration key: paste only the key.', { field: 'configurationKey' });
  if (!looksLikeDuoConfigurationKey(key) && !confirmUnusualShape) {
    throw new AppError('CONFIGURATION_KEY_UNUSUAL', UNUSUAL_KEY_WARNING, { field: 'configurationKey', cleaned: key });
  }
  return key;
}
