/**
 * Issue 14 point 3: a device covered by two integrations of one platform (iOS App Config beside the legacy ios-certs
 * integration, sharing one fetch of the tenant) is one device: listed once, with every integration that covers it, found
 * by either integration's filter, counted under each in the per-integration counts and once in the totals, and
 * exported with both.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import type { Db } from '../../../src-main/core/db/database';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { ExportService } from '../../../src-main/core/export/export-service';
import type { DeviceQuery } from '../../../src-shared/domain/device';
import { readCsvRecords } from '../../support/csv-reader';
import { queryPlan, sqlPreparedDuring } from '../../support/query-plans';
import { seedDevices, seedSharedSightings } from '../../support/seed-devices';
import { useTempDir } from '../../support/temp-dir';
import { allPages, NOW, openDeviceDatabase } from './device-fixture';

const tempDir = useTempDir('tec-coverage-');
const suiteDir = useTempDir('tec-coverage-db-', { lives: 'file' });
let db: Db;
let repository: DeviceRepository;
let appConfig: string;
let legacy: string;
let android: string;
let elsewhere: string;
/** The shared tenant's iOS devices (current), by id. */
let iosIds: number[];
let tenantIds: number[];

const ids = (sql: string, ...params: unknown[]) => (db.prepare(sql).pluck().all(...params) as number[]).sort((a, b) => a - b);
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

beforeAll(() => {
  ({ db, repository } = openDeviceDatabase(suiteDir()));
  const acme = { domain: 'acmecorp.mobileiron.com', email: 'api@acmecorp.example' };
  appConfig = seedDevices(db, { count: 600, seed: 'coverage-ios', referenceTime: NOW, integration: { name: 'Acme iOS', platform: 'ios-appconfig', ...acme } }).integrationId;
  legacy = seedSharedSightings(db, { of: appConfig, integration: { name: 'Acme legacy', platform: 'ios-certs', ...acme }, referenceTime: NOW });
  android = seedDevices(db, { count: 300, seed: 'coverage-android', referenceTime: NOW, integration: { name: 'Other tenant', platform: 'android', ...acme } }).integrationId;
  // An iOS integration of another tenant covers none of Acme's devices.
  elsewhere = seedDevices(db, {
    count: 200,
    seed: 'coverage-elsewhere',
    referenceTime: NOW,
    integration: { name: 'Globex iOS', platform: 'ios-appconfig', domain: 'globex.example', email: 'api@globex.example' },
  }).integrationId;
  // One of the shared tenant's iOS devices is gone for the legacy integration only: it no longer covers it.
  const gone = db.prepare("SELECT id FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND platform_type = 'IOS' ORDER BY id LIMIT 1").pluck().get(appConfig) as number;
  db.prepare('UPDATE device_sightings SET removed_at = ?, removed_run = 1 WHERE device_id = ? AND integration_key = (SELECT key FROM integrations WHERE id = ?)').run(NOW, gone, legacy);
  iosIds = ids("SELECT id FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND platform_type = 'IOS' AND removed_at IS NULL AND id <> ?", appConfig, gone);
  tenantIds = ids('SELECT id FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL', appConfig);
});

describe('a device covered by two integrations of one platform', () => {
  it('is listed once, with every integration that covers it', () => {
    const rows = [0, 500, 1000].flatMap((offset) => repository.search({}, { offset, limit: 500 }));
    expect(rows).toHaveLength(repository.count({}));
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const iphone = rows.find((r) => r.id === iosIds[0])!;
    expect(iphone.integrations).toEqual([
      { id: appConfig, name: 'Acme iOS' },
      { id: legacy, name: 'Acme legacy' },
    ]);
    // The legacy integration covers iOS devices only, and only those it still sees.
    const notIos = rows.find((r) => r.integrationId === appConfig && r.platformType !== 'IOS')!;
    expect(notIos.integrations).toEqual([{ id: appConfig, name: 'Acme iOS' }]);
    const gone = rows.find((r) => r.integrationId === appConfig && r.platformType === 'IOS' && !iosIds.includes(r.id))!;
    expect(gone.integrations.map((i) => i.id)).toEqual([appConfig]);
    expect(repository.detail(iphone.id).integrations.map((i) => i.name)).toEqual(['Acme iOS', 'Acme legacy']);
  });

  it("is found by either integration's filter, page by page and counted, in every order", () => {
    const matchingIp = new Set(allPages(repository, { text: 'ip' }, 500));
    const queries: [DeviceQuery, number[]][] = [
      [{ integrationId: legacy }, iosIds],
      [{ integrationId: legacy, sort: { column: 'deviceName', direction: 'asc' } }, iosIds],
      [{ integrationId: legacy, sort: { column: 'integration', direction: 'desc' } }, iosIds],
      [{ integrationId: legacy, text: 'ip' }, iosIds.filter((id) => matchingIp.has(id))],
      [{ integrationId: appConfig, sort: { column: 'lastCheckin', direction: 'desc' } }, tenantIds],
      [{ integrationId: android }, ids('SELECT id FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL', android)],
      [{ integrationId: elsewhere, sort: { column: 'uid', direction: 'asc' } }, ids('SELECT id FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL', elsewhere)],
    ];
    for (const [query, expected] of queries) {
      expect(sorted(allPages(repository, query, 100)), JSON.stringify(query)).toEqual(expected);
      expect(repository.count(query), JSON.stringify(query)).toBe(expected.length);
    }
    expect(iosIds.length).toBeGreaterThan(100);
  });

  it('counts it under each covering integration, and once in the totals', () => {
    const facets = repository.facets({});
    expect(facets.total).toBe(tenantIds.length + 300 + 200);
    const count = (id: string) => facets.integrations.find((i) => i.id === id)?.count;
    expect(count(appConfig)).toBe(tenantIds.length);
    expect(count(legacy)).toBe(iosIds.length);
    expect(count(android)).toBe(300);
    expect(count(elsewhere)).toBe(200);
    // Filtered facets agree with the filter's own count.
    expect(repository.facets({ integrationId: legacy })).toMatchObject({ total: iosIds.length, platforms: [{ value: 'IOS', count: iosIds.length }] });
    expect(repository.facets({ platformType: 'IOS' }).integrations.find((i) => i.id === legacy)?.count).toBe(iosIds.length);
  });

  it('is exported with every integration that covers it, in CSV and JSON, filtered by either', async () => {
    const dir = tempDir();
    const exports = new ExportService(db, repository, new AuditLog(db, () => new Date(NOW)), new EventBus().emit, dir, () => new Date(NOW), 'tester');
    await exports.write({ kind: 'devices', format: 'csv', query: { integrationId: legacy }, includeRaw: false }, path.join(dir, 'legacy.csv'));
    const { records } = readCsvRecords(fs.readFileSync(path.join(dir, 'legacy.csv'), 'utf8'));
    expect(records).toHaveLength(iosIds.length);
    expect(new Set(records.map((r) => r.integrations))).toEqual(new Set([JSON.stringify(['Acme iOS', 'Acme legacy'])]));
    expect(new Set(records.map((r) => r.integrationName))).toEqual(new Set(['Acme iOS']));

    await exports.write({ kind: 'devices', format: 'json', query: { integrationId: appConfig }, includeRaw: false }, path.join(dir, 'ios.json'));
    const exported = JSON.parse(fs.readFileSync(path.join(dir, 'ios.json'), 'utf8')) as { devices: { platformType: string; integrations: string[] }[] };
    expect(exported.devices).toHaveLength(tenantIds.length);
    const both = exported.devices.filter((d) => d.integrations.length === 2);
    expect(both).toHaveLength(iosIds.length);
    expect(both.every((d) => d.platformType === 'IOS' && d.integrations.join('|') === 'Acme iOS|Acme legacy')).toBe(true);
  });

  it('keeps the integration filter an index walk: a sorted page walks the sort index, a count reads the facets index', () => {
    const plansOf = (fn: () => void) =>
      sqlPreparedDuring(db, fn)
        .filter((sql) => /^\s*SELECT/.test(sql) && /integration_key/.test(sql) && !/sqlite_schema|FROM integrations/.test(sql))
        .map((sql) => ({ sql, plan: queryPlan(db, sql, Array((sql.match(/\?/g) ?? []).length).fill(null)) }));
    const page = plansOf(() => repository.search({ integrationId: legacy, sort: { column: 'deviceName', direction: 'asc' } }, { offset: 0, limit: 100 })).find((p) =>
      /LIMIT \? OFFSET \?/.test(p.sql),
    )!;
    expect(page.plan).toContain('devices_by_device_name_key');
    expect(page.plan).not.toContain('TEMP B-TREE');
    // The sightings are probed by their primary key, never scanned.
    expect(page.plan).toMatch(/SEARCH s USING PRIMARY KEY \(device_id=\? AND integration_key=\?\)/);
    const { devices } = openDeviceDatabaseAgain();
    const counts = plansOf(() => devices.count({ integrationId: legacy })).filter((p) => /count\(\*\)/.test(p.sql));
    expect(counts.length).toBeGreaterThan(0);
    for (const count of counts) expect(count.plan, count.sql).toMatch(/devices_facets|devices_by_/);
  });
});

/** A repository over the same database without the first one's cached counts. */
function openDeviceDatabaseAgain(): { devices: DeviceRepository } {
  return { devices: new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW)) };
}
