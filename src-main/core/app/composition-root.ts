import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../../src-shared/contract';
import type { AppInfo } from '../../../src-shared/contract/app';
import { AuditLog } from '../audit/audit-log';
import { AuditHeadSigner, dataDirId, sealAuditLog, verifySignedLog } from '../audit/audit-signature';
import { openDatabase, type Db } from '../db/database';
import type { IndexBuildProgress } from '../db/deferred-indexes';
import type { MigrationProgressEvent, UpgradeBackupEvent } from '../db/migration';
import { migrations } from '../db/migrations';
import { EventBus } from '../events/event-bus';
import { IntegrationService } from '../integrations/integration-service';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import { SECRET_SERVICE_NAME, secretAccount, type SecretStore } from '../secrets/secret-store';
import { SettingsStore } from '../settings/settings-store';
import { DATABASE_FILE, EXPORTS_FOLDER, PRODUCT_NAME } from './data-dir';
import { ensurePrivateDirectory, tightenExistingFolder } from './local-paths';
import { appHandlers } from './app-handlers';
import { integrationHandlers } from '../integrations/integration-handlers';
import { auditHandlers } from '../audit/audit-handlers';
import { IntegrationOverviews } from '../integrations/integration-overview';
import { SetupWizard } from '../integrations/setup-wizard';
import { wizardHandlers } from '../integrations/wizard-handlers';
import { TrustVerifier } from '../trust/trust-verifier';
import { trustHandlers } from '../trust/trust-handlers';
import { SyncEngine, type SyncRunner } from '../sync/sync-engine';
import { WorkerSyncEngine } from '../sync/worker-sync-engine';
import { SyncScheduler } from '../sync/sync-scheduler';
import { syncHandlers } from '../sync/sync-handlers';
import { testConfigurationHandler } from '../integrations/test-configuration-handler';
import { createCertificateServices } from '../certificates/certificate-services';
import type { CaProfileService } from '../certificates/ca-profile-service';
import type { CertificateInventory } from '../certificates/certificate-inventory';
import type { LegacyTestConfiguration } from '../certificates/legacy-test-configuration';
import { certificateHandlers } from '../certificates/certificate-handlers';
import { createDeviceServices, type DeviceServices } from '../devices/device-services';
import { deviceHandlers } from '../devices/device-handlers';
import { exportHandlers } from '../export/export-handlers';
import { DuoService, type DuoServiceDeps } from '../duo/duo-service';
import { DuoStore } from '../duo/duo-store';
import { duoHandlers } from '../duo/duo-handlers';
import { DuoComparison } from '../duo/duo-comparison';

export interface CoreOptions {
  dataDir: string;
  version: string;
  transport: AppInfo['transport'];
  runtime?: { electron: string | null; chrome: string | null };
  /** Defaults to the OS keychain under the app's service name. */
  secrets?: SecretStore;
  now?: () => Date;
  /** Who the audit log names for actions taken through this core. */
  actor?: string;
  /**
   * The sync worker's script (`sync-worker.js` beside the Electron bundle, `sync-worker.cjs` beside the tec bundle,
   * or src-main/core/sync/sync-worker.ts in tests and tools): syncs then run on their own thread. Without it they run
   * on the calling thread, and stall it (unit tests only).
   */
  syncWorker?: string;
  /** The sync worker's niceness (WorkerSyncEngineOptions.niceness): the desktop app's UI_SYNC_WORKER_NICENESS; else 0. */
  syncWorkerNiceness?: number;
  /** Duo client settings for tests (sleep, clock); production uses the defaults. */
  duoClient?: DuoServiceDeps['client'];
  /** Start-up progress of a migration that rewrites many rows (the CLI prints it, the app logs it). */
  onMigrationProgress?: (event: MigrationProgressEvent) => void;
  /** Start-up's copy of the database before an upgrade, as it starts (the CLI prints it, the app logs it). */
  onUpgradeBackup?: (event: UpgradeBackupEvent) => void;
  /** Start-up's build, before migrating, of the indexes a stopped sync left (the CLI prints it, the app logs it). */
  onDeferredIndexBuild?: (progress: IndexBuildProgress) => void;
  /** The desktop app's upgrade thread has just checked and upgraded the database (openDatabase's `checkedIntact`). */
  databaseCheckedIntact?: boolean;
}

export interface Services extends DeviceServices {
  db: Db;
  secrets: SecretStore;
  audit: AuditLog;
  settings: SettingsStore;
  integrations: IntegrationService;
  overviews: IntegrationOverviews;
  wizard: SetupWizard;
  trust: TrustVerifier;
  /** The certificate inventory of legacy certificate integrations; trust and the overview read it as a CertificateLookup. */
  certificates: CertificateInventory;
  caProfiles: CaProfileService;
  legacyTests: LegacyTestConfiguration;
  sync: SyncRunner;
  /** Background sync; not running until the Electron main calls start() (the CLI never does). */
  syncScheduler: SyncScheduler;
  events: EventBus;
  /** The optional read-only Duo Admin API connection and what it read. */
  duo: DuoService;
  /** Duo's view of a user's endpoints beside the console's predictions. */
  duoComparison: DuoComparison;
  now: () => Date;
}

export interface Core {
  services: Services;
  handlers: Handlers;
  events: EventBus;
  info: AppInfo;
  /** Closes the database; settles once the sync worker (if one ran) has closed its connection too. */
  close(): Promise<void>;
}

/**
 * Builds every service once, each after what it depends on, wires them, and returns the contract's handlers. Electron,
 * the rig and the CLI share it. Handler factories take only the services they use, so none of them imports this file.
 */
export function createCore(options: CoreOptions): Core {
  const now = options.now ?? (() => new Date());
  const databasePath = path.join(options.dataDir, DATABASE_FILE);
  // Owner-only before anything is written there; a folder the admin pointed us at is tightened only if it is ours.
  ensurePrivateDirectory(options.dataDir, 'data folder', isOurDataFolder);
  tightenExistingFolder(path.join(options.dataDir, EXPORTS_FOLDER), 'exports folder');
  const { db, schemaVersion } = openDatabase({
    file: databasePath,
    migrations,
    now,
    onMigrationProgress: options.onMigrationProgress,
    onUpgradeBackup: options.onUpgradeBackup,
    onDeferredIndexBuild: options.onDeferredIndexBuild,
    checkedIntact: options.databaseCheckedIntact,
  });
  const secrets = options.secrets ?? new KeytarSecretStore(SECRET_SERVICE_NAME);
  const events = new EventBus();
  const audit = new AuditLog(db, now);
  const auditHeadAccount = secretAccount.auditSignedHead(dataDirId(options.dataDir));
  const auditSigner = new AuditHeadSigner(audit, secrets, auditHeadAccount);
  audit.onAppend = (seq) => auditSigner.appended(seq);
  // A head left behind by a crash or a locked keychain catches up at start.
  auditSigner.schedule();
  const actor = options.actor ?? `${options.transport}:${process.env.USER ?? process.env.USERNAME ?? 'admin'}`;
  const settings = new SettingsStore(db);
  const currentSettings = () => settings.get();
  const integrations = new IntegrationService(db, secrets, audit, now, actor);
  const { inventory: certificates, caProfiles, legacyTests } = createCertificateServices({
    db, secrets, integrations, audit, events, settings: currentSettings, now, actor,
  });

  const credentials = (id: string) => integrations.credentials(id);
  const syncWorker = options.syncWorker ? new WorkerSyncEngine({ db, script: options.syncWorker, credentials, events, now, searchIndexBehind: () => deviceServices.searchIndex.isBehind(), niceness: options.syncWorkerNiceness }) : null;
  const deviceServices = createDeviceServices({ db, audit, events, dataDir: options.dataDir, now, actor, syncIndexing: syncWorker, auditSeal: () => sealAuditLog(audit, secrets, auditHeadAccount), deviceTrust: () => services.trust.deviceJudge() });
  // On the calling thread (unit tests), the engine keeps the search index in step itself, as the worker's does.
  const sync: SyncRunner = syncWorker ?? new SyncEngine({ db, credentials, events, now, maintenance: (chunks) => deviceServices.searchIndex.catchUp(undefined, chunks) });
  integrations.onDelete((id) => void sync.cancel(id));
  const syncScheduler = new SyncScheduler({
    engine: sync,
    lastStartedAt: (id) => sync.runs.lastStartedAt(id),
    enabledIntegrations: async () => (await integrations.list()).filter((i) => i.status !== 'disabled'),
    settings: currentSettings,
    events,
  });

  const testConfiguration = testConfigurationHandler({ integrations, secrets, events });
  // The wizard runs Test Configuration through that feature's own handler, and looks devices up as `devices.find` does.
  const wizard = new SetupWizard(db, integrations, secrets, audit, now, actor, {
    testConfiguration: (input, signal) => testConfiguration['integrations.testConfiguration'](input, { signal }),
    findDevices: async ({ identifier, integrationId }) => sync.devices.find(identifier, integrationId),
    startSync: (integrationId) => sync.start(integrationId, 'wizard'),
    caProfileRecorded: async (integrationId) => (await caProfiles.get(integrationId)) !== null,
  });
  const duoStore = new DuoStore(db);
  const services: Services = {
    ...deviceServices,
    db,
    secrets,
    audit,
    settings,
    integrations,
    overviews: new IntegrationOverviews(db, integrations, certificates, currentSettings, now),
    wizard,
    trust: new TrustVerifier(db, certificates, now, duoStore),
    certificates,
    caProfiles,
    legacyTests,
    sync,
    syncScheduler,
    events,
    duo: new DuoService({ store: duoStore, secrets, audit, now, actor, client: options.duoClient }),
    duoComparison: new DuoComparison({
      store: duoStore,
      recordedTestGroup: (integrationId) => integrations.recordedTestGroup(integrationId),
      devicesOfUser: (ids) => deviceServices.devices.ofUser(ids),
      verifier: () => services.trust.verifier(),
    }),
    now,
  };
  const info: AppInfo = {
    name: PRODUCT_NAME,
    version: options.version,
    dataDir: options.dataDir,
    databasePath,
    schemaVersion,
    runtime: { node: process.versions.node, electron: options.runtime?.electron ?? null, chrome: options.runtime?.chrome ?? null },
    transport: options.transport,
  };
  const handlers: Handlers = {
    ...appHandlers(services, info),
    ...integrationHandlers(services),
    ...testConfiguration,
    ...auditHandlers({
      audit,
      // Signing what is pending first makes the answer deterministic: a lag left by a crash shows as a late stretch.
      verifyAudit: async () => {
        await auditSigner.settle();
        return verifySignedLog(audit, secrets, auditHeadAccount);
      },
    }),
    ...wizardHandlers(services),
    ...trustHandlers(services),
    ...syncHandlers({ ...services, deviceChanges: deviceServices.devices }),
    ...certificateHandlers(services),
    ...deviceHandlers({ ...deviceServices, syncedDevices: sync.devices, deviceTrust: () => services.trust.deviceJudge() }),
    ...exportHandlers(deviceServices),
    ...duoHandlers({ ...services, exportDir: path.join(options.dataDir, EXPORTS_FOLDER) }),
  };
  return {
    services,
    handlers,
    events,
    info,
    close: async () => {
      // Runs stop without writing again; each resumes from its last committed page on the next start.
      syncScheduler.stop();
      // The head is signed before the database closes, so a `tec` command leaves no unsigned entry behind.
      await auditSigner.settle();
      const stopped = sync.shutdown();
      events.close();
      db.close();
      return stopped;
    },
  };
}

/** Ours: it holds our database, carries the product's name (Electron creates userData before we run), or is empty. */
function isOurDataFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, DATABASE_FILE)) || path.basename(dir) === PRODUCT_NAME || fs.readdirSync(dir).length === 0;
}
