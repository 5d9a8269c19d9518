import path from 'node:path';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/contract/app';

/** The fixed "now" of device tests: the seeded devices' check-in times are relative to it. */
export const NOW = Date.parse('2026-11-28T12:00:00Z');

export interface DeviceDatabase {
  db: Db;
  index: DeviceSearchIndex;
  repository: DeviceRepository;
  settings: Settings;
}

/** The console's real database (every migration) with the repository over it, at a fixed clock. */
export function openDeviceDatabase(dir: string, settings: Settings = DEFAULT_SETTINGS): DeviceDatabase {
  const { db } = openDatabase({ file: path.join(dir, 'console.sqlite'), migrations });
  const index = new DeviceSearchIndex(db);
  const repository = new DeviceRepository(db, index, () => new Date(NOW));
  return { db, index, repository, settings };
}

/** Every matching device, page by page, exactly as the explorer would fetch them. */
export function allPages(repository: DeviceRepository, query: Parameters<DeviceRepository['search']>[0], limit: number): number[] {
  const ids: number[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = repository.search(query, { offset, limit });
    ids.push(...page.map((r) => r.id));
    if (page.length < limit) return ids;
  }
}

/** The stored columns the explorer filters and sorts on, read straight from the table: the oracle. */
export interface StoredDevice {
  id: number;
  device_name_key: string | null;
  integration_id: string;
  integration_key: number;
  space_name: string | null;
  platform_type: string | null;
  registration_state: string | null;
  compliant: number | null;
  last_checkin: number | null;
  removed_at: number | null;
  device_name: string | null;
  display_name: string | null;
  uid: string | null;
  client_device_identifier: string | null;
  /** The identifier as lookups compare it: the explorer's identifier order (migration 0034). */
  identifier_key: string | null;
  serial_number: string | null;
  model: string | null;
}
