import type { DeviceQuery } from '../../../src-shared/domain/device';
import type { DeviceRecord, DeviceRepository } from '../devices/device-repository';
import type { ExportColumn, ExportSource } from './export-source';

type Stored = Omit<DeviceRecord, 'last_seen_run' | 'removed_run' | 'raw'> & { raw?: string };

/** Every stored field, in export order: [column name in the file, `devices` column, how the value is written]. */
const FIELDS: [string, keyof Stored, 'as-is' | 'flag' | 'time'][] = [
  ['integrationId', 'integration_id', 'as-is'],
  ['guid', 'guid', 'as-is'],
  ['ivantiId', 'ivanti_id', 'as-is'],
  ['clientDeviceIdentifier', 'client_device_identifier', 'as-is'],
  ['platformType', 'platform_type', 'as-is'],
  ['platformVersion', 'platform_version', 'as-is'],
  ['registrationState', 'registration_state', 'as-is'],
  ['compliant', 'compliant', 'flag'],
  ['quarantined', 'quarantined', 'flag'],
  ['jailbroken', 'jailbroken', 'flag'],
  ['uid', 'uid', 'as-is'],
  ['email', 'email', 'as-is'],
  ['displayName', 'display_name', 'as-is'],
  ['serialNumber', 'serial_number', 'as-is'],
  ['imei', 'imei', 'as-is'],
  ['udid', 'udid', 'as-is'],
  ['wifiMac', 'wifi_mac', 'as-is'],
  ['model', 'model', 'as-is'],
  ['deviceName', 'device_name', 'as-is'],
  ['manufacturer', 'manufacturer', 'as-is'],
  ['spaceId', 'space_id', 'as-is'],
  ['spaceName', 'space_name', 'as-is'],
  ['lastCheckin', 'last_checkin', 'time'],
  ['firstSeenAt', 'first_seen_at', 'time'],
  ['lastSeenAt', 'last_seen_at', 'time'],
  ['removedAt', 'removed_at', 'time'],
];

/**
 * The devices the explorer shows for `query`, every stored field, in the explorer's order. Times are ISO 8601 UTC,
 * flags booleans; the raw record (optional) is the tenant's JSON.
 */
export function deviceExport(
  devices: DeviceRepository,
  query: DeviceQuery,
  options: { includeRaw: boolean; names: Map<string, string> },
): ExportSource<Stored> {
  const ordered = devices.orderedSelection(query);
  const columns: ExportColumn<Stored>[] = [
    { name: 'integrationName', value: (r) => options.names.get(r.integration_id) ?? null },
    ...FIELDS.map(([name, key, kind]): ExportColumn<Stored> => ({
      name,
      value: (r) => {
        const value = r[key] as string | number | null;
        if (value === null || kind === 'as-is') return value;
        return kind === 'flag' ? value === 1 : new Date(value).toISOString();
      },
    })),
  ];
  if (options.includeRaw) columns.push({ name: 'raw', value: (r) => JSON.parse(r.raw ?? 'null') as Record<string, unknown> });
  const fields = [...FIELDS.map(([, key]) => `d.${key}`), ...(options.includeRaw ? ['d.raw'] : [])].join(', ');
  return {
    kind: 'devices',
    sql: `SELECT ${fields} FROM ${ordered.from} ${ordered.where} ${ordered.orderBy}`,
    params: ordered.params,
    total: devices.count(query),
    columns,
    about: { query, includeRaw: options.includeRaw, order: ordered.orderNote },
  };
}
