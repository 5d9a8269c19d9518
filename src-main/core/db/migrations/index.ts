import type { Migration } from '../migration';
import { foundation } from './0001-foundation';
import { devicesAndSync } from './0002-devices-and-sync';
import { wizardAndTrust } from './0003-wizard-and-trust';
import { deviceSearch } from './0004-device-search';
import { certificatesSchema } from './0005-certificates';
import { duoAdminApi } from './0006-duo-admin-api';
import { deviceIdentifierKey } from './0007-device-identifier-key';
import { configurationKeySource } from './0008-configuration-key-source';
import { auditSigning } from './0009-audit-signing';
import { testGroupDuoId } from './0010-test-group-duo-id';
import { deviceNameSortKeyMigration } from './0011-device-name-sort-key';
import { devicePerTenant } from './0012-device-per-tenant';
import { integrationSpaces } from './0013-integration-spaces';
import { compactDeviceRecords } from './0014-compact-device-records';
import { runSeenSet } from './0015-run-seen-set';
import { deferredIndexes } from './0016-deferred-indexes';
import { fewerDeviceIndexes } from './0017-fewer-device-indexes';
import { integrationKeys } from './0018-integration-keys';
import { deviceSpaceKeys } from './0019-device-space-keys';
import { recordHashWithoutCheckIns } from './0020-record-hash-without-check-ins';
import { searchIndexTwoCharacterPrefixes } from './0021-search-index-two-character-prefixes';
import { changeGuidOnce } from './0022-change-guid-once';
import { deviceHistoryDetachedOnDelete } from './0023-device-history-detached-on-delete';
import { identifierKeyDerived } from './0024-identifier-key-derived';
import { searchIndexWithoutPositions } from './0025-search-index-without-positions';
import { changeIntegrationKeys } from './0026-change-integration-keys';
import { deviceTenantKeys } from './0027-device-tenant-keys';
import { platformAndStateCodes } from './0028-platform-and-state-codes';
import { sightingSpaceKeys } from './0029-sighting-space-keys';
import { searchTerms } from './0030-search-terms';
import { searchTermSeeks } from './0031-search-term-seeks';
import { sightingIntegrationKeys } from './0032-sighting-integration-keys';
import { deviceNameKeyDerived } from './0033-device-name-key-derived';
import { identifierIndexMerged } from './0034-identifier-index-merged';
import { searchSortMarkers } from './0035-search-sort-markers';
import { deviceNameSortMarkers } from './0036-device-name-sort-markers';
import { deviceRecordBlocks } from './0037-device-record-blocks';
import { searchIndexWithoutPlannerStatistics } from './0038-search-index-without-planner-statistics';
import { devicesWithoutIntegrationId } from './0039-devices-without-integration-id';
import { devicesGoWithTheirIntegration } from './0040-devices-go-with-their-integration';
import { zstdRecordBlocks } from './0041-zstd-record-blocks';

/**
 * Every migration, in order. Each is self-contained and never edited once shipped; a schema change is the next number,
 * with its upgrade test in test/core/db/migrations/ (docs/architecture.md, "Data").
 */
export const migrations: readonly Migration[] = [foundation, devicesAndSync, wizardAndTrust, deviceSearch, certificatesSchema, duoAdminApi, deviceIdentifierKey, configurationKeySource, auditSigning, testGroupDuoId, deviceNameSortKeyMigration, devicePerTenant, integrationSpaces, compactDeviceRecords, runSeenSet, deferredIndexes, fewerDeviceIndexes, integrationKeys, deviceSpaceKeys, recordHashWithoutCheckIns, searchIndexTwoCharacterPrefixes, changeGuidOnce, deviceHistoryDetachedOnDelete, identifierKeyDerived, searchIndexWithoutPositions, changeIntegrationKeys, deviceTenantKeys, platformAndStateCodes, sightingSpaceKeys, searchTerms, searchTermSeeks, sightingIntegrationKeys, deviceNameKeyDerived, identifierIndexMerged, searchSortMarkers, deviceNameSortMarkers, deviceRecordBlocks, searchIndexWithoutPlannerStatistics, devicesWithoutIntegrationId, devicesGoWithTheirIntegration, zstdRecordBlocks];
