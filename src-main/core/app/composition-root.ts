import path from 'node:path';
import type { Handlers } from '../../../src-shared/contract';
import type { AppInfo } from '../../../src-shared/contract/app';
import { AuditLog } from '../audit/audit-log';
import { openDatabase, type Db } from '../db/database';
import { migrations } from '../db/migrations';
import { EventBus } from '../events/event-bus';
import { IntegrationService } from '../integrations/integration-service';
import { KeytarSecretStore } from '../secrets/keytar-secret-store';
import { SECRET_SERVICE_NAME, type SecretStore } from '../secrets/secret-store';
import { SettingsStore } from '../settings/settings-store';
import { DATABASE_FILE, PRODUCT_NAME } from './data-dir';
import { appHandlers } from './app-handlers';
import { integrationHandlers } from '../integrations/integration-handlers';
import { auditHandlers } from '../audit/audit-handlers';

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
}

export interface Services {
  db: Db;
  secrets: SecretStore;
  audit: AuditLog;
  settings: SettingsStore;
  integrations: IntegrationService;
  events: EventBus;
  now: () => Date;
}

export interface Core {
  services: Services;
  handlers: Handlers;
  events: EventBus;
  info: AppInfo;
  close(): void;
}

/** Builds every service once, wires them, and returns the contract's handlers. Electron, the rig and the CLI share it. */
export function createCore(options: CoreOptions): Core {
  const now = options.now ?? (() => new Date());
  const databasePath = path.join(options.dataDir, DATABASE_FILE);
  const { db, schemaVersion } = openDatabase({ file: databasePath, migrations, now });
  const secrets = options.secrets ?? new KeytarSecretStore(SECRET_SERVICE_NAME);
  const events = new EventBus();
  const audit = new AuditLog(db, now);
  const actor = options.actor ?? `${options.transport}:${process.env.USER ?? process.env.USERNAME ?? 'admin'}`;
  const services: Services = {
    db,
    secrets,
    audit,
    settings: new SettingsStore(db),
    integrations: new IntegrationService(db, secrets, audit, now, actor),
    events,
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
    ...auditHandlers(services),
  };
  return {
    services,
    handlers,
    events,
    info,
    close: () => db.close(),
  };
}
