import { ASCII_TEXT, deviceNameSortKey } from '../../../src-shared/domain/device-name-key';
import { normalizeDeviceIdentifier } from '../../../src-shared/domain/device-identifier';
import { DeviceRecord, type IvantiDevice } from '../ivanti/ivanti-wire';
import type { DeviceRecordCodec, PreparedBlock, RecordCompressor, RecordContext, RecordsInAnswer } from './device-record-codec';
import { recordHash, VOLATILE_FIELDS } from './record-hash';

/** The `devices` columns a sync writes from one tenant record (see migration 0002). */
export interface DeviceColumns {
  guid: string;
  ivanti_id: number;
  space_id: number;
  space_name: string;
  client_device_identifier: string | null;
  /**
   * The identifier as every lookup compares it (normalizeDeviceIdentifier), stored only where SQLite's lower() does not
   * give it: `devices.identifier_key` is computed from the two (migration 0024).
   */
  identifier_key_override: string | null;
  platform_type: string;
  platform_version: string | null;
  registration_state: string;
  compliant: number | null;
  quarantined: number | null;
  jailbroken: number | null;
  uid: string | null;
  email: string | null;
  display_name: string | null;
  serial_number: string | null;
  imei: string | null;
  udid: string | null;
  wifi_mac: string | null;
  model: string | null;
  device_name: string | null;
  /**
   * The name folded for sorting (deviceNameSortKey), stored only where SQLite's lower() does not give it:
   * `devices.device_name_key` is computed from the two (migration 0033).
   */
  device_name_key_override: string | null;
  manufacturer: string | null;
  last_checkin: number | null;
  /** The record as the tenant sent it, compressed (DeviceRecordCodec, migration 0014), or its place in its block. */
  raw_record: Buffer;
  /** The block holding the record (migration 0037), or null when `raw_record` holds the record itself. */
  record_block: number | null;
  /** recordHash (16 bytes): an unchanged record, or one whose check-in times alone moved, is told without decompressing. */
  record_hash: Buffer;
}

/**
 * The same columns as a list, for SQL: the sync's insert and update, and what reads them. The object's keys must be
 * exactly DeviceColumns' (the type-check says which one is missing or extra), so the two cannot drift apart.
 */
export const DEVICE_COLUMNS = Object.keys({
  guid: true,
  ivanti_id: true,
  space_id: true,
  space_name: true,
  client_device_identifier: true,
  identifier_key_override: true,
  platform_type: true,
  platform_version: true,
  registration_state: true,
  compliant: true,
  quarantined: true,
  jailbroken: true,
  uid: true,
  email: true,
  display_name: true,
  serial_number: true,
  imei: true,
  udid: true,
  wifi_mac: true,
  model: true,
  device_name: true,
  device_name_key_override: true,
  manufacturer: true,
  last_checkin: true,
  raw_record: true,
  record_block: true,
  record_hash: true,
} satisfies Record<keyof DeviceColumns, true>) as (keyof DeviceColumns)[];


/** The space is the one being paged (what presence is judged by), not what the record claims. */
export function deviceColumns(
  device: IvantiDevice,
  space: { id: number; name: string },
  codec: Pick<DeviceRecordCodec, 'encode' | 'storeBlock'>,
  record: RecordIdentity | PreparedRecord = recordIdentity(device, space),
): DeviceColumns {
  const copied = recordContext(device);
  // Assigned onto the copied columns, not spread with them into a new literal: V8 builds that literal on a slow path
  // (measured ~50 µs a row against ~2 µs, a quarter of a first sync's writing thread).
  return Object.assign(copied, {
    ivanti_id: device.id,
    space_id: space.id,
    space_name: space.name,
    identifier_key_override: identifierKeyOverride(device.clientDeviceIdentifier),
    platform_type: device.platformType,
    platform_version: device.platformVersion,
    registration_state: device.registrationState,
    compliant: flag(device.complianceState),
    quarantined: flag(device.quarantined),
    jailbroken: flag(device.jailbroken),
    device_name_key_override: deviceNameKeyOverride(device.deviceName),
    last_checkin: device.lastCheckin,
    raw_record: 'raw_record' in record ? record.raw_record : codec.encode(record.raw, copied),
    // Stored (in the caller's transaction) with the first of its devices written.
    record_block: 'block' in record ? codec.storeBlock(record.block) : null,
    record_hash: record.record_hash,
  });
}

/** The columns that copy a field of the record (RECORD_CONTEXT_COLUMNS): its stored form is encoded with them. */
export function recordContext(device: IvantiDevice): RecordContext & { guid: string } {
  return {
    guid: device.guid,
    client_device_identifier: device.clientDeviceIdentifier,
    uid: device.uid,
    email: device.emailAddress,
    display_name: device.displayName,
    serial_number: device.serialNumber,
    imei: device.imei,
    udid: device.udid,
    wifi_mac: device.wifiMacAddress,
    model: device.prettyModel ?? device.deviceModel,
    device_name: device.deviceName,
    manufacturer: device.manufacturer,
  };
}

/** A record's JSON text and hash: all a re-sync needs to tell a device unchanged (the other columns, compression above all, cost more). */
export interface RecordIdentity {
  raw: string;
  record_hash: Buffer;
}

export function recordIdentity(device: IvantiDevice, space: { id: number }): RecordIdentity {
  return { raw: JSON.stringify(device.raw), record_hash: recordHash(device.raw, space.id) };
}

/** A record ready to be written: its hash, its stored form and the block holding it (compressed before the write). */
export interface PreparedRecord {
  record_hash: Buffer;
  raw_record: Buffer;
  block: PreparedBlock;
}

/** A page's records prepared before its write (prepareRecords), by device. */
export type PreparedRecords = ReadonlyMap<IvantiDevice, PreparedRecord>;

/**
 * A bulk load's page made ready before it is written (issue 19): hashed and compressed on the compressor's thread, so
 * that work on one page overlaps the writing of the one before it, on the machine's other core. `records` are usable
 * (parsed devices, or records whose device parses). Their texts are cut out of the search answer there when they all
 * came in one (DeviceRecord.answer), else serialised here.
 */
export async function prepareRecords(compressor: RecordCompressor, records: readonly (IvantiDevice | DeviceRecord)[], space: { id: number }): Promise<PreparedRecords> {
  const devices = records.map((record) => (record instanceof DeviceRecord ? record.device()! : record));
  const { stored, hashes, blocks } = await compressor.compressAndHash(
    devices.map((device) => device.raw),
    space.id,
    inOneAnswer(records),
  );
  return new Map(devices.map((device, i) => [device, { record_hash: hashes[i]!, raw_record: stored[i]!, block: blocks[i]! }]));
}

/** Where the records are in the search answer they came in, if they all came in one as received. */
function inOneAnswer(records: readonly (IvantiDevice | DeviceRecord)[]): RecordsInAnswer | null {
  const first = records[0];
  const answer = first instanceof DeviceRecord ? first.answer : null;
  if (answer === null || !records.every((record) => record instanceof DeviceRecord && record.answer === answer)) return null;
  return { text: answer.text, records: answer.records, positions: (records as readonly DeviceRecord[]).map((record) => record.position) };
}

/**
 * Top-level fields whose value differs between the stored record and the new one, as [before, after], leaving out
 * VOLATILE_FIELDS. Compared by JSON text, so key order inside the tenant's JSON does not count as a change.
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (VOLATILE_FIELDS.includes(field)) continue;
    const a = before[field];
    const b = after[field];
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[field] = [a ?? null, b ?? null];
  }
  return changes;
}

/**
 * What `devices.identifier_key_override` holds for an identifier: its key (normalizeDeviceIdentifier) where the virtual
 * column's `lower(client_device_identifier)` would not give exactly that (SQLite's lower() folds A-Z alone: surrounding
 * white space, non-ASCII capitals), else null.
 */
export function identifierKeyOverride(identifier: string | null): string | null {
  return identifier === null ? null : overrideOfLower(identifier, normalizeDeviceIdentifier(identifier));
}

/**
 * What `devices.device_name_key_override` holds for a name: its sort key (deviceNameSortKey) where the virtual column's
 * `lower(device_name)` would not give exactly that (accents, non-ASCII letters, surrounding white space), else null.
 */
export function deviceNameKeyOverride(name: string | null): string | null {
  return name === null ? null : overrideOfLower(name, deviceNameSortKey(name));
}

/** `key`, unless SQLite's lower() of `text` gives it (lower() folds A-Z alone: better-sqlite3 builds SQLite without ICU). */
function overrideOfLower(text: string, key: string): string | null {
  // ASCII text (nearly every name and identifier) folded by toLowerCase, which there folds A-Z alone: no call back
  // for each run of capitals (a first sync folds two texts a device on its writing thread).
  const lowered = ASCII_TEXT.test(text) ? text.toLowerCase() : text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return key === lowered ? null : key;
}

function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}
