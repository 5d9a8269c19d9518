import type { IvantiDevice } from '../../../../src-main/core/ivanti/ivanti-wire';
import { DEVICE_COLUMNS } from '../../../../src-main/core/sync/device-row';
import { normalizeDeviceIdentifier } from '../../../../src-shared/domain/device-identifier';
import { deviceNameSortKey } from '../../../../src-shared/domain/device-name-key';

/**
 * Today's sync columns (DEVICE_COLUMNS) as a schema before migration 0024 stored them, for the upgrade tests that seed
 * such a schema with the sync's own column mapping: the identifier's key and the name's sort key were stored whole
 * (migrations 0024 and 0033 made them computed columns beside an override), and no record was in a block (0037).
 */
export const STORED_KEY_COLUMNS: string[] = DEVICE_COLUMNS.filter((c) => c !== 'record_block').map((c) =>
  c === 'identifier_key_override' ? 'identifier_key' : c === 'device_name_key_override' ? 'device_name_key' : c,
);

/** The two stored keys of a device, as the sync of those schemas wrote them. */
export function storedKeys(device: IvantiDevice): { identifier_key: string | null; device_name_key: string | null } {
  const identifier = device.clientDeviceIdentifier;
  return { identifier_key: identifier === null ? null : normalizeDeviceIdentifier(identifier), device_name_key: deviceNameSortKey(device.deviceName) };
}
