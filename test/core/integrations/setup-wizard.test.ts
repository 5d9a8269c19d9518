import { DUO_CA_VALUES } from '../../support/duo-ca-values';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { IntegrationService } from '../../../src-main/core/integrations/integration-service';
import { CaProfileService } from '../../../src-main/core/certificates/ca-profile-service';
import { replacementName, SetupWizard, type SetupWizardPorts } from '../../../src-main/core/integrations/setup-wizard';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { SyncEngine } from '../../../src-main/core/sync/sync-engine';
import { runTestConfiguration } from '../../../src-main/core/ivanti/configuration-check';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { secretAccount } from '../../../src-main/core/secrets/secret-store';
import { checklistFor } from '../../../src-shared/domain/ivanti-setup';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useShutDownAfterEach } from '../../support/shut-down-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { requirePrivateKeyring } from '../../support/keyring';
import { databaseText } from '../../support/database-text';
import { useTempDir } from '../../support/temp-dir';
import { rejectionOf } from '../ivanti/rejection-of';

const tempDir = useTempDir();
const secrets = new KeytarSecretStore('Trusted Endpoints Console (wizard test)');
const signal = new AbortController().signal;
const startTenant = useSimulatorsAfterEach();

beforeAll(() => requirePrivateKeyring());
const closeAfterEach = useCloseAfterEach();
const shutDownAfterEach = useShutDownAfterEach();

interface Opened {
  db: Db;
  integrations: IntegrationService;
  wizard: SetupWizard;
  caProfiles: CaProfileService;
  engine: SyncEngine;
  /** As the app quits: the sync engine shut down, then its database closed. */
  close(): Promise<void>;
}

/** What the app's composition gives the wizard, built from the same real parts (real Test Configuration, real SQL). */
function open(dataDir: string): Opened {
  const db = closeAfterEach(openDatabase({ file: path.join(dataDir, 'console.sqlite'), migrations }).db);
  const now = () => new Date();
  const audit = new AuditLog(db, now);
  const integrations = new IntegrationService(db, secrets, audit, now, 'test');
  const engine = shutDownAfterEach(new SyncEngine({ db, events: new EventBus(), now, credentials: (id) => integrations.credentials(id) }));
  const caProfiles = new CaProfileService(db, secrets, integrations, audit, now, 'test');
  const ports: SetupWizardPorts = {
    startSync: (integrationId) => engine.start(integrationId, 'wizard'),
    caProfileRecorded: async (integrationId) => (await caProfiles.get(integrationId)) !== null,
    testConfiguration: async ({ id, domain, email }) => {
      const password = (await secrets.get(secretAccount.ivantiPassword(id))) ?? '';
      return runTestConfiguration({ domain, email, password }, {}, signal as AbortSignal);
    },
    findDevices: async ({ identifier, integrationId }) =>
      (
        db
          .prepare('SELECT guid, removed_at FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND client_device_identifier = ?')
          .all(integrationId, identifier) as { guid: string; removed_at: number | null }[]
      ).map((r) => ({
        integrationId,
        integrationName: '',
        coveredBy: [],
        guid: r.guid,
        ivantiId: null,
        clientDeviceIdentifier: identifier,
        platformType: null,
        registrationState: null,
        deviceName: null,
        model: null,
        uid: null,
        spaceName: null,
        lastCheckin: null,
        firstSeenAt: new Date().toISOString(),
        lastSeenAt: new Date().toISOString(),
        removedAt: r.removed_at === null ? null : new Date(r.removed_at).toISOString(),
      })),
  };
  const wizard = new SetupWizard(db, integrations, secrets, audit, now, 'test', ports);
  const close = async () => {
    await engine.shutdown();
    db.close();
  };
  return { db, integrations, wizard, engine, caProfiles, close };
}

/** Through the first two steps: the integration exists (Disabled, no key yet) and the draft is on the values step. */
async function toValues(app: Opened, name: string, platform: 'android' | 'ios-appconfig') {
  const draft = await app.wizard.start({});
  await app.wizard.update(draft.id, { mdm: 'ivanti-neurons' });
  await app.wizard.next(draft.id);
  await app.wizard.update(draft.id, { platform, name });
  return app.wizard.next(draft.id);
}

async function toApiDetails(app: Opened, name: string, platform: 'android' | 'ios-appconfig') {
  const draft = await toValues(app, name, platform);
  await app.integrations.enterConfigurationKey(draft.integrationId!, 'DPK0W0KLPJLOGSKHTDD');
  await app.wizard.next(draft.id);
  const checklist = Object.fromEntries(checklistFor(platform, false).map((item) => [item.id, true]));
  await app.wizard.update(draft.id, { checklist });
  return app.wizard.next(draft.id);
}

describe('SetupWizard', () => {
  it('creates the integration Disabled at the platform step, without inventing a configuration key', async () => {
    const app = open(tempDir());
    const draft = await toValues(app, 'Acme Android', 'android');
    expect(draft.step).toBe('values');
    expect((await app.integrations.get(draft.integrationId!)).status).toBe('disabled');
    expect(draft.configurationKey).toBeNull();
  });

  it("drops an integration's unfinished setup when the integration is deleted", async () => {
    const app = open(tempDir());
    const draft = await toApiDetails(app, 'Short-lived', 'android');
    expect((await app.wizard.list()).map((d) => d.id)).toContain(draft.id);
    await app.integrations.delete(draft.integrationId!, 'Short-lived', { purgeDevices: false });
    expect((await app.wizard.list()).map((d) => d.id)).not.toContain(draft.id);
  });

  it('stays on the values step until the key Duo shows is pasted, then shows that key', async () => {
    const app = open(tempDir());
    let draft = await toValues(app, 'Acme iOS', 'ios-appconfig');
    const refused = await rejectionOf(app.wizard.next(draft.id));
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.details).toMatchObject({ field: 'configurationKey' });
    expect(refused.message).toContain('Duo Admin Panel');
    await app.integrations.enterConfigurationKey(draft.integrationId!, ' DPK0W0KLPJ\u200BLOGSKHTDD\n');
    draft = await app.wizard.next(draft.id);
    expect(draft.step).toBe('checklist');
    expect(draft.configurationKey).toBe('DPK0W0KLPJLOGSKHTDD');
  });

  it('lets the API details be entered before every checklist item is ticked, keeping the ticks as they are', async () => {
    const app = open(tempDir());
    let draft = await toValues(app, 'Acme iOS', 'ios-appconfig');
    await app.integrations.enterConfigurationKey(draft.integrationId!, 'DPK0W0KLPJLOGSKHTDD');
    draft = await app.wizard.next(draft.id);
    expect(draft.step).toBe('checklist');
    await app.wizard.update(draft.id, { checklist: { apns: true } });
    draft = await app.wizard.next(draft.id);
    expect(draft.step).toBe('api-details');
    expect(draft.checklist).toEqual({ apns: true });
  });

  it('keeps a pasted https://…/ domain as the bare domain, and tests and saves that', async () => {
    const sim = await startTenant({ devices: 5, seed: 'wizard-domain' });
    const app = open(tempDir());
    const draft = await toApiDetails(app, 'Pasted URL', 'android');
    // The simulator is a loopback host, where plain http is allowed; https:// and the trailing slash go the same way.
    await app.wizard.update(draft.id, { domain: `https://${sim.domain.toUpperCase()}/`, email: sim.credentials.email });
    await app.wizard.storePassword(draft.id, sim.credentials.password);
    const atTest = await app.wizard.next(draft.id);
    expect(atTest).toMatchObject({ step: 'test', domain: sim.domain });
    const tested = await app.wizard.testConfiguration(draft.id, undefined, signal);
    expect(tested.testResult?.steps.find((s) => s.check === 'credentials-accepted')?.status).toBe('passed');
  });

  it('refuses the legacy certificate platform unless the admin acknowledges it is legacy', async () => {
    const app = open(tempDir());
    const draft = await app.wizard.start({});
    await app.wizard.update(draft.id, { mdm: 'ivanti-neurons' });
    await app.wizard.next(draft.id);
    await app.wizard.update(draft.id, { platform: 'ios-certs', name: 'Old certs' });
    expect((await rejectionOf(app.wizard.next(draft.id))).code).toBe('INTEGRATION_LEGACY_REFUSED');
  });

  it('keeps a legacy certificate setup on the values step until the Duo CA values are recorded, never inventing them', async () => {
    const app = open(tempDir());
    const draft = await app.wizard.start({});
    await app.wizard.update(draft.id, { mdm: 'ivanti-neurons' });
    await app.wizard.next(draft.id);
    await app.wizard.update(draft.id, { platform: 'ios-certs', name: 'Old certs', acknowledgeLegacy: true });
    const atValues = await app.wizard.next(draft.id);
    expect(atValues.step).toBe('values');
    const refused = await rejectionOf(app.wizard.next(draft.id));
    expect(refused.details).toMatchObject({ field: 'caProfile' });
    expect(refused.message).toContain('Duo Admin Panel');
    expect((await app.wizard.get(draft.id)).step).toBe('values');
    await app.caProfiles.save({
      integrationId: atValues.integrationId!,
      ...DUO_CA_VALUES,
    });
    expect((await app.wizard.next(draft.id)).step).toBe('checklist');
  });

  it('keeps the password in the keychain only, tests it, and resumes at the same step after the app is closed', async () => {
    const sim = await startTenant({ devices: 30, seed: 'wizard-resume' });
    const dataDir = tempDir();
    const first = open(dataDir);
    const draft = await toApiDetails(first, 'Resume me', 'android');
    await first.wizard.update(draft.id, { domain: sim.domain, email: sim.credentials.email });
    const secret = `pw-${Date.now()}-never-on-disk`;
    await first.wizard.storePassword(draft.id, 'a-wrong-password-first');
    const atTest = await first.wizard.next(draft.id);
    expect(atTest.step).toBe('test');

    // A wrong password fails at the credentials check, and Save & Configure stays closed.
    const failed = await first.wizard.testConfiguration(draft.id, undefined, signal);
    expect(failed.testResult?.ok).toBe(false);
    expect(failed.testResult?.failure?.check).toBe('credentials-accepted');
    expect(failed.testResult?.failure?.error.code).toBe('IVANTI_AUTH_REJECTED');
    expect((await rejectionOf(first.wizard.next(draft.id))).message).toContain('Run Test Configuration');

    // Recovery: the right password replaces it in the keychain; the old result no longer counts.
    const corrected = await first.wizard.storePassword(draft.id, secret);
    expect(corrected.testResult).toBeNull();
    await first.wizard.storePassword(draft.id, sim.credentials.password);
    await first.close();

    const dbBytes = databaseText(dataDir);
    expect(dbBytes).not.toContain(secret);
    expect(dbBytes).not.toContain(sim.credentials.password);

    const second = open(dataDir);
    const resumed = await second.wizard.get(draft.id);
    expect(resumed.step).toBe('test');
    expect(resumed.domain).toBe(sim.domain);
    expect(resumed.email).toBe(sim.credentials.email);
    expect(resumed.passwordStored).toBe(true);
    expect(JSON.stringify(resumed)).not.toContain(sim.credentials.password);
    const passed = await second.wizard.testConfiguration(draft.id, undefined, signal);
    expect(passed.testResult?.ok).toBe(true);
    const saved = await second.wizard.next(draft.id);
    expect(saved.step).toBe('first-sync');
    const integration = await second.integrations.get(draft.integrationId!);
    expect(integration).toMatchObject({ domain: sim.domain, email: sim.credentials.email, hasPassword: true, status: 'disabled' });
    // Save & Configure started the first sync: the step opens on it, with no second click. A sync this small may have
    // ended already, so the run is read from the history, not from what is running.
    const runs = second.engine.runs.list(draft.integrationId!, 10);
    expect(runs.map((run) => run.trigger)).toEqual(['wizard']);
    await second.engine.running(draft.integrationId!)?.finished;
    expect(second.engine.runs.get(runs[0]!.id)?.status).toBe('completed');
    expect((await second.wizard.get(draft.id)).lastCompletedSyncAt).not.toBeNull();
  });

  it('clears a passing test when the domain or email changes', async () => {
    const sim = await startTenant({ devices: 10, seed: 'wizard-invalidate' });
    const app = open(tempDir());
    const draft = await toApiDetails(app, 'Invalidate', 'android');
    await app.wizard.update(draft.id, { domain: sim.domain, email: sim.credentials.email });
    await app.wizard.storePassword(draft.id, sim.credentials.password);
    await app.wizard.next(draft.id);
    expect((await app.wizard.testConfiguration(draft.id, undefined, signal)).testResult?.ok).toBe(true);
    const changed = await app.wizard.update(draft.id, { email: 'someone-else@acme.example' });
    expect(changed.testResult).toBeNull();
  });

  it('needs a completed sync before the identifier step, then activates for the test group and finishes', async () => {
    const app = open(tempDir());
    const draft = await toApiDetails(app, 'Activate', 'android');
    const id = draft.integrationId!;
    // Jump the draft to the first-sync step directly: this test is about the steps after it.
    app.db.prepare("UPDATE wizard_drafts SET step = 'first-sync' WHERE id = ?").run(draft.id);
    expect((await rejectionOf(app.wizard.next(draft.id))).message).toContain('first sync');
    const now = Date.now();
    const run = app.db
      .prepare("INSERT INTO sync_runs (integration_id, trigger, status, started_at, finished_at, complete) VALUES (?, 'wizard', 'completed', ?, ?, 1)")
      .run(id, now - 1000, now).lastInsertRowid;
    app.db
      .prepare(
        `INSERT INTO devices (integration_key, guid, client_device_identifier, registration_state, record_hash, first_seen_at, last_seen_at, last_seen_run)
         VALUES ((SELECT key FROM integrations WHERE id = ?), 'g-1', 'dev-1', 'ACTIVE', x'', ?, ?, ?)`,
      )
      .run(id, now, now, run);
    expect((await app.wizard.next(draft.id)).step).toBe('identifier');
    expect((await app.wizard.checkIdentifier(draft.id, 'dev-1', signal)).identifierCheck?.found).toBe(true);
    expect((await app.wizard.checkIdentifier(draft.id, 'dev-404', signal)).identifierCheck?.found).toBe(false);
    expect((await app.wizard.next(draft.id)).step).toBe('activation');
    await app.wizard.update(draft.id, { activation: { status: 'test-group', testGroup: [] } });
    expect((await rejectionOf(app.wizard.next(draft.id))).message).toContain('test group');
    const pilot = { groupId: 'DGPILOT0000000000001', name: 'Pilot' };
    await app.wizard.update(draft.id, { activation: { status: 'test-group', testGroup: ['Alice@Acme.example', 'bob@acme.example'], duoGroup: pilot } });
    const done = await app.wizard.next(draft.id);
    expect(done.step).toBe('done');
    expect(done.finishedAt).not.toBeNull();
    expect(await app.wizard.list()).toEqual([]);
    expect(await app.integrations.get(id)).toMatchObject({ status: 'test-group', testGroup: ['alice@acme.example', 'bob@acme.example'], testGroupDuo: pilot });
  });

  it('does not go back past the values step once the integration exists', async () => {
    const app = open(tempDir());
    const draft = await toApiDetails(app, 'Back', 'android');
    let current = await app.wizard.back(draft.id);
    expect(current.step).toBe('checklist');
    current = await app.wizard.back(draft.id);
    expect(current.step).toBe('values');
    current = await app.wizard.back(draft.id);
    expect(current.step).toBe('values');
    expect((await rejectionOf(app.wizard.update(draft.id, { platform: 'ios-appconfig' }))).code).toBe('VALIDATION_FAILED');
  });

  it('starts the App Config replacement of a legacy integration with its details and a copy of its password', async () => {
    const app = open(tempDir());
    const legacy = await app.integrations.create({
      name: 'Old certs',
      platform: 'ios-certs',
      acknowledgeLegacy: true,
      domain: 'acme.mobileiron.com',
      email: 'api@acme.example',
      password: 'legacy-password',
    });
    const draft = await app.wizard.start({ migrateFrom: legacy.id });
    expect(draft).toMatchObject({ step: 'platform', platform: 'ios-appconfig', name: 'Old iOS (App Config)', domain: 'acme.mobileiron.com', migratedFrom: legacy.id });
    // The platform of a replacement is iOS (App Config) and nothing else.
    expect((await rejectionOf(app.wizard.update(draft.id, { platform: 'android' }))).details).toMatchObject({ field: 'platform' });
    const created = await app.wizard.next(draft.id);
    expect(created).toMatchObject({ step: 'values', passwordStored: true });
    expect(await secrets.get(secretAccount.ivantiPassword(created.integrationId!))).toBe('legacy-password');
    expect((await app.integrations.get(created.integrationId!)).migratedFrom).toBe(legacy.id);
    // The replacement's checklist carries the migration items too.
    await app.integrations.enterConfigurationKey(created.integrationId!, 'DPK0W0KLPJLOGSKHTDD');
    await app.wizard.next(draft.id);
    expect((await app.wizard.get(draft.id)).step).toBe('checklist');
    expect(checklistFor('ios-appconfig', true).map((item) => item.title)).toContain('Plan the removal of the legacy pieces');
    const android = await app.integrations.create({ name: 'Not legacy', platform: 'android' });
    expect((await rejectionOf(app.wizard.start({ migrateFrom: android.id }))).code).toBe('VALIDATION_FAILED');
  });

  it('names the replacement after the legacy integration without its legacy words', () => {
    expect(replacementName('Acme legacy certs')).toBe('Acme iOS (App Config)');
    expect(replacementName('Acme iOS certificates (legacy)')).toBe('Acme iOS (App Config)');
    expect(replacementName('Marketing - SCEP')).toBe('Marketing iOS (App Config)');
    expect(replacementName('Certificates')).toBe('iOS (App Config)');
    expect(replacementName('Acme (EMEA) certs')).toBe('Acme (EMEA) iOS (App Config)');
  });
});
