import type { DeviceQuery } from '../../../src-shared/domain/device';
import { LISTED_INTEGRATION_ID, SIGHTED_BY, type DeviceRecord, type DeviceRepository, type DeviceRowRecord } from '../devices/device-repository';
import { coveringIntegrations } from '../devices/device-coverage';
import type { IntegrationFacts } from '../integrations/integration-store';
import type { DeviceTrustJudge } from '../trust/trust-verifier';
import { DeviceRecordCodec, type BlockReader } from '../sync/device-record-codec';
import { JsonText, type ExportColumn, type ExportSource } from './export-source';

type Stored = Omit<DeviceRecord, 'last_seen_run' | 'removed_run' | 'raw_record' | 'record_block'> &
  Pick<DeviceRowRecord, 'sighted_by'> & { raw_record?: Buffer; record_block?: number | null };

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
  options: { includeRaw: boolean; facts: ReadonlyMap<string, IntegrationFacts>; trust?: DeviceTrustJudge },
): ExportSource<Stored> {
  const ordered = devices.orderedSelection(query);
  const name = (id: string) => options.facts.get(id)?.name ?? null;
  const columns: ExportColumn<Stored>[] = [
    { name: 'integrationName', value: (r) => name(r.integration_id) },
    // Every integration the device is shown under (the explorer's Integration column): the listed one first.
    {
      name: 'integrations',
      value: (r) =>
        coveringIntegrations(options.facts, { listedUnder: r.integration_id, platformType: r.platform_type, sightedBy: JSON.parse(r.sighted_by) as string[] }).map(
          (id) => name(id) ?? id,
        ),
    },
    ...FIELDS.map(([name, key, kind]): ExportColumn<Stored> => ({
      name,
      value: (r) => {
        const value = r[key] as string | number | null;
        if (value === null || kind === 'as-is') return value;
        return kind === 'flag' ? value === 1 : new Date(value).toISOString();
      },
    })),
  ];
  const judge = options.trust;
  if (judge) {
    // The explorer's Trust column: the verifier's device-level answer, then the sentence that explains it.
    const trustOf = (r: Stored) => judge({ id: r.id, identifier: r.client_device_identifier, uid: r.uid });
    let last: { row: Stored; trust: ReturnType<DeviceTrustJudge> } | null = null;
    const cached = (r: Stored) => (last?.row === r ? last.trust : (last = { row: r, trust: trustOf(r) }).trust);
    columns.push({ name: 'trust', value: (r) => cached(r).answer }, { name: 'trustReason', value: (r) => cached(r).detail });
  }
  // The stored text is what the sync serialized (JSON.stringify), so CSV writes it as it is. A record in a block is read
  // with its block from the snapshot: a sync may delete the block from the database meanwhile (migration 0037).
  let blocks: BlockReader | undefined;
  if (options.includeRaw) columns.push({ name: 'raw', value: (r) => (r.raw_record === undefined ? null : new JsonText(devices.rawRecordText(r.raw_record, r, r.guid, blocks))) });
  // The row id is read for the Trust columns (the device's own sightings), not written.
  const fields = ['d.id', ...FIELDS.map(([, key]) => (key === 'integration_id' ? LISTED_INTEGRATION_ID : `d.${key}`)), SIGHTED_BY, ...(options.includeRaw ? ['d.raw_record', 'd.record_block'] : [])].join(', ');
  return {
    kind: 'devices',
    sql: `SELECT ${fields} FROM ${ordered.from} ${ordered.where} ${ordered.orderBy}`,
    params: ordered.params,
    total: devices.count(query),
    columns,
    about: { query, includeRaw: options.includeRaw, order: ordered.orderNote },
    withSnapshot: (snapshot) => {
      if (options.includeRaw) blocks = DeviceRecordCodec.blockReader(snapshot);
    },
  };
}
