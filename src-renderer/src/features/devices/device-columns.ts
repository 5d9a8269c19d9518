import { ivantiValueLabel, type DeviceSortColumn, type ListedDevice } from '../../../../src-shared/domain/device';
import { isMaskedValue, MASKED_VALUE_EXPLANATION } from '../../../../src-shared/domain/trust';

export interface DeviceColumn {
  key: string;
  /** null: not sortable (the Trust column is computed when a page is read, not stored). */
  sort: DeviceSortColumn | null;
  label: string;
  width: number;
  value(row: ListedDevice): string;
  /** The cell's hover text when it says more than the value. */
  title?(row: ListedDevice): string;
  /** An extra class for the cell, from the row. */
  tone?(row: ListedDevice): string;
  mono?: boolean;
}

/** A value hidden by a GDPR privacy profile says so on hover; every other cell shows its full text. */
export function cellTitle(column: DeviceColumn, row: ListedDevice): string {
  const text = column.value(row);
  return column.title?.(row) ?? (isMaskedValue(text) ? MASKED_VALUE_EXPLANATION : text);
}

/** Whether any loaded row shows a masked value, so the table explains ******** once below it. */
export function showsMaskedValues(rows: ListedDevice[]): boolean {
  return rows.some((row) => DEVICE_COLUMNS.some((column) => isMaskedValue(column.value(row))));
}

const dash = (value: string | null) => value ?? '—';

/** Every integration a device is shown under, the one it is listed under first (a device covered by two is listed once). */
export function integrationNames(row: Pick<ListedDevice, 'integrations'>): string {
  return row.integrations.map((i) => i.name).join(', ');
}

/**
 * The explorer's columns (all but Trust sortable); the drawer shows every other field. What tells devices apart for trust comes
 * first (name, trust, user, integration, platform, state), so it is on screen at 1366 px without scrolling sideways.
 */
export const DEVICE_COLUMNS: DeviceColumn[] = [
  { key: 'deviceName', sort: 'deviceName', label: 'Device name', width: 210, value: (r) => dash(r.deviceName) },
  {
    key: 'trust',
    sort: null,
    label: 'Trust',
    width: 200,
    value: (r) => r.trust.label,
    title: (r) => r.trust.detail,
    tone: (r) => `devices-trust-${r.trust.answer}`,
  },
  { key: 'uid', sort: 'uid', label: 'User', width: 220, value: (r) => dash(r.uid) },
  { key: 'integration', sort: 'integration', label: 'Integration', width: 160, value: integrationNames },
  { key: 'platformType', sort: 'platformType', label: 'Platform', width: 120, value: (r) => (r.platformType === null ? '—' : ivantiValueLabel(r.platformType)) },
  {
    key: 'registrationState',
    sort: 'registrationState',
    label: 'State',
    width: 130,
    value: (r) => (r.registrationState === null ? '—' : ivantiValueLabel(r.registrationState)),
  },
  { key: 'compliant', sort: 'compliant', label: 'Compliant', width: 96, value: (r) => (r.compliant === null ? 'unknown' : r.compliant ? 'yes' : 'no') },
  { key: 'lastCheckin', sort: 'lastCheckin', label: 'Last check-in', width: 170, value: (r) => (r.lastCheckin ? new Date(r.lastCheckin).toLocaleString() : 'never') },
  { key: 'displayName', sort: 'displayName', label: 'Owner', width: 150, value: (r) => dash(r.displayName) },
  { key: 'model', sort: 'model', label: 'Model', width: 170, value: (r) => dash(r.model) },
  { key: 'serialNumber', sort: 'serialNumber', label: 'Serial', width: 130, value: (r) => dash(r.serialNumber), mono: true },
  { key: 'clientDeviceIdentifier', sort: 'clientDeviceIdentifier', label: 'Device Client ID', width: 250, value: (r) => dash(r.clientDeviceIdentifier), mono: true },
  { key: 'spaceName', sort: 'spaceName', label: 'Space', width: 140, value: (r) => dash(r.spaceName) },
];

export const GRID_TEMPLATE = DEVICE_COLUMNS.map((c) => `${c.width}px`).join(' ');
export const TABLE_WIDTH = DEVICE_COLUMNS.reduce((sum, c) => sum + c.width, 0);
