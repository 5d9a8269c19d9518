import type { Migration } from '../migration';
import { foundation } from './0001-foundation';
import { devicesAndSync } from './0002-devices-and-sync';
import { wizardAndTrust } from './0003-wizard-and-trust';
import { deviceSearch } from './0004-device-search';
import { certificatesSchema } from './0005-certificates';
import { duoAdminApi } from './0006-duo-admin-api';
import { deviceIdentifierKey } from './0007-device-identifier-key';

/**
 * Every migration, in order. Numbers are reserved per feature so parallel work never collides:
 * 3 = integrations wizard / trust, 4 = device search (FTS5) and saved searches, 5 = SCEP certificates, 6 = Duo Admin API,
 * 7 = normalized Device Client ID.
 */
export const migrations: readonly Migration[] = [foundation, devicesAndSync, wizardAndTrust, deviceSearch, certificatesSchema, duoAdminApi, deviceIdentifierKey];
