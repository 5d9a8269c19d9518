import type { DeviceRow, DeviceSortColumn } from '../../../../src-shared/domain/device';

export interface DeviceColumn {
  sort: DeviceSortColumn;
  label: string;
  width: number;
  value(row: DeviceRow): string;
  mono?: boolean;
}

const dash = (value: string | null) => value ?? '—';

/** The explorer's columns, each sortable; the drawer shows every other field. */
export const DEVICE_COLUMNS: DeviceColumn[] = [
  { sort: 'deviceName', label: 'Device name', width: 210, value: (r) => dash(r.deviceName) },
  { sort: 'uid', label: 'User', width: 240, value: (r) => dash(r.uid) },
  { sort: 'displayName', label: 'Owner', width: 150, value: (r) => dash(r.displayName) },
  { sort: 'platformType', label: 'Platform', width: 120, value: (r) => dash(r.platformType) },
  { sort: 'registrationState', label: 'State', width: 130, value: (r) => dash(r.registrationState) },
  { sort: 'compliant', label: 'Compliant', width: 96, value: (r) => (r.compliant === null ? 'unknown' : r.compliant ? 'yes' : 'no') },
  { sort: 'model', label: 'Model', width: 170, value: (r) => dash(r.model) },
  { sort: 'serialNumber', label: 'Serial', width: 130, value: (r) => dash(r.serialNumber), mono: true },
  { sort: 'clientDeviceIdentifier', label: 'Device Client ID', width: 250, value: (r) => dash(r.clientDeviceIdentifier), mono: true },
  { sort: 'spaceName', label: 'Space', width: 140, value: (r) => dash(r.spaceName) },
  { sort: 'integration', label: 'Integration', width: 160, value: (r) => r.integrationName },
  { sort: 'lastCheckin', label: 'Last check-in', width: 170, value: (r) => (r.lastCheckin ? new Date(r.lastCheckin).toLocaleString() : 'never') },
];

export const GRID_TEMPLATE = DEVICE_COLUMNS.map((c) => `${c.width}px`).join(' ');
export const TABLE_WIDTH = DEVICE_COLUMNS.reduce((sum, c) => sum + c.width, 0);
