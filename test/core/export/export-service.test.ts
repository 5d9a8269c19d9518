import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import type { Db } from '../../../src-main/core/db/database';
import type { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { ExportService } from '../../../src-main/core/export/export-service';
import { DeviceRecordCodec, type RecordContext } from '../../../src-main/core/sync/device-record-codec';
import type { ExportProgress } from '../../../src-shared/domain/export';
import { AppError } from '../../../src-shared/errors';
import { readCsvRecords } from '../../support/csv-reader';
import { seedDevices, seedFollowUpRun } from '../../support/seed-devices';
import { useTempDir } from '../../support/temp-dir';
import { allPages, NOW, openDeviceDatabase } from '../devices/device-fixture';

/** Text a tenant could send that a spreadsheet would run, or that stresses CSV quoting. */
const HOSTILE = [
  '=HYPERLINK("http://evil.example","click")',
  '+1+1',
  '-2+3',
  '@SUM(A1:A2)',
  '\tTabbed',
  '\rCarriage',
  "'already quoted",
  "''twice",
  "'=quoted formula",
  'comma, separated',
  'say "hello"',
  'line\nbreak',
  'crlf\r\ninside',
  ' leading and trailing ',
  'ünïcødé 😀 日本',
  '',
  '-',
  '=',
  '"',
];

interface StoredDevice {
  integration_id: string;
  guid: string;
  ivanti_id: number | null;
  client_device_identifier: string | null;
  platform_type: string | null;
  compliant: number | null;
  quarantined: number | null;
  jailbroken: number | null;
  device_name: string | null;
  display_name: string | null;
  uid: string | null;
  model: string | null;
  space_id: number | null;
  last_checkin: number | null;
  first_seen_at: number;
  last_seen_at: number;
  removed_at: number | null;
  raw_record: Buffer;
  [column: string]: unknown;
}

/** A stored row holds every copied column its record is encoded with. */
type StoredRow = StoredDevice & RecordContext;

const TEXT_COLUMNS: [string, string][] = [
  ['integrationId', 'integration_id'],
  ['guid', 'guid'],
  ['clientDeviceIdentifier', 'client_device_identifier'],
  ['platformType', 'platform_type'],
  ['platformVersion', 'platform_version'],
  ['registrationState', 'registration_state'],
  ['uid', 'uid'],
  ['email', 'email'],
  ['displayName', 'display_name'],
  ['serialNumber', 'serial_number'],
  ['imei', 'imei'],
  ['udid', 'udid'],
  ['wifiMac', 'wifi_mac'],
  ['model', 'model'],
  ['deviceName', 'device_name'],
  ['manufacturer', 'manufacturer'],
  ['spaceName', 'space_name'],
];

const tempDir = useTempDir('tec-export-');
const suiteDir = useTempDir('tec-export-db-', { lives: 'file' });
let db: Db;
let repository: DeviceRepository;
let audit: AuditLog;
let integrationId: string;

function service(events?: EventBus, exportDir = tempDir()): ExportService {
  return new ExportService(db, repository, audit, (events ?? new EventBus()).emit, exportDir, () => new Date(NOW), 'tester');
}

beforeAll(() => {
  ({ db, repository } = openDeviceDatabase(suiteDir()));
  audit = new AuditLog(db, () => new Date(NOW));
  integrationId = seedDevices(db, { count: 1200, seed: 'export', referenceTime: NOW, integration: { name: 'Export "fleet", =1' } }).integrationId;
  seedFollowUpRun(db, { integrationId, changed: 12, removed: 5, at: NOW + 60_000 });
  // Hostile values in every text column the tenant controls, and in the raw record.
  const insert = db.prepare(
    `INSERT INTO devices (integration_key, guid, ivanti_id, client_device_identifier, platform_type, registration_state, compliant, uid, email,
                          display_name, serial_number, model, device_name, manufacturer, space_name, last_checkin, raw_record, record_hash,
                          first_seen_at, last_seen_at, last_seen_run)
     VALUES ((SELECT key FROM integrations WHERE id = ?), ?, -7, ?, 'ANDROID', 'ACTIVE', NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, x'', ?, ?, 1)`,
  );
  const codec = DeviceRecordCodec.of(db);
  HOSTILE.forEach((text, i) => {
    insert.run(integrationId, `hostile-${i}`, text, text, text, text, text, text, text, text, text, codec.encode(JSON.stringify({ note: text, nested: [text, null, 1.5] }), hostileRow(`hostile-${i}`, text)), NOW, NOW);
  });
  for (let i = 0; i < 20; i++) audit.append({ actor: '=cmd|"/c calc"!A1', action: 'test.entry', target: `t${i}`, details: { i, text: HOSTILE[i % HOSTILE.length] } });
});

/** The copied columns the hostile rows are inserted with (their record is encoded with them). */
function hostileRow(guid: string, text: string): RecordContext {
  return { guid, client_device_identifier: text, uid: text, email: text, display_name: text, serial_number: text, imei: null, udid: null, wifi_mac: null, model: text, device_name: text, manufacturer: text };
}

/** The raw record as stored, decompressed. */
function rawOf(device: StoredDevice): unknown {
  return JSON.parse(DeviceRecordCodec.of(db).decode(device.raw_record, device as StoredRow, device.guid));
}

function stored(): Map<string, StoredDevice> {
  return new Map((db.prepare('SELECT *, (SELECT id FROM integrations i WHERE i.key = devices.integration_key) AS integration_id FROM devices').all() as StoredDevice[]).map((d) => [`${d.integration_id}/${d.guid}`, d]));
}

describe('device exports', () => {
  it('read back from CSV to exactly the stored values, raw record included', async () => {
    const file = path.join(tempDir(), 'devices.csv');
    const result = await service().write({ kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: true }, file);
    const { records } = readCsvRecords(fs.readFileSync(file, 'utf8'));
    const byKey = stored();
    expect(records).toHaveLength(byKey.size);
    expect(result).toMatchObject({ state: 'completed', written: byKey.size, total: byKey.size });
    for (const record of records) {
      const device = byKey.get(`${record.integrationId}/${record.guid}`)!;
      expect(device, String(record.guid)).toBeDefined();
      for (const [name, column] of TEXT_COLUMNS) expect(record[name], `${name} of ${device.guid}`).toBe(device[column]);
      expect(record.integrationName).toBe('Export "fleet", =1');
      expect(record.ivantiId === null ? null : Number(record.ivantiId)).toBe(device.ivanti_id);
      expect(record.spaceId === null ? null : Number(record.spaceId)).toBe(device.space_id);
      for (const [name, column] of [['compliant', 'compliant'], ['quarantined', 'quarantined'], ['jailbroken', 'jailbroken']] as const) {
        expect(record[name] === null ? null : record[name] === 'true' ? 1 : 0, name).toBe(device[column]);
      }
      for (const [name, column] of [['lastCheckin', 'last_checkin'], ['firstSeenAt', 'first_seen_at'], ['lastSeenAt', 'last_seen_at'], ['removedAt', 'removed_at']] as const) {
        expect(record[name] === null ? null : Date.parse(record[name]!), name).toBe(device[column]);
      }
      expect(JSON.parse(record.raw!)).toEqual(rawOf(device));
      // Written as the sync serialized it, not parsed and written again.
      expect(record.raw).toBe(JSON.stringify(rawOf(device)));
    }
  });

  it('never lets a cell begin with = + - @ tab or carriage return unguarded', async () => {
    const file = path.join(tempDir(), 'devices.csv');
    await service().write({ kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: true }, file);
    const { fields } = readCsvRecords(fs.readFileSync(file, 'utf8'));
    const cells = fields.flat().map((f) => f.cell);
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    // The hostile values were there, and were guarded rather than dropped.
    for (const text of ['=HYPERLINK("http://evil.example","click")', '+1+1', '-2+3', '@SUM(A1:A2)', '\tTabbed', '\rCarriage']) {
      expect(cells).toContain(`'${text}`);
    }
    expect(cells).toContain("''already quoted");
  });

  it('write a UTF-8 byte-order mark and CRLF line ends, for Excel', async () => {
    const file = path.join(tempDir(), 'devices.csv');
    await service().write({ kind: 'devices', format: 'csv', query: { platformType: 'IOS' }, includeRaw: false }, file);
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').split('\r\n').length).toBe(repository.count({ platformType: 'IOS' }) + 2);
  });

  // 'ada.lo' is a word of several tokens, tested on each row's text on the export's own connection too (migration 0025).
  it.each(['ada', 'ada.lo'])('honour the explorer\'s text (%s), filters and order', async (text) => {
    const query = { text, platformType: 'ANDROID', sort: { column: 'deviceName', direction: 'desc' } } as const;
    const file = path.join(tempDir(), 'devices.json');
    await service().write({ kind: 'devices', format: 'json', query, includeRaw: false }, file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { devices: { guid: string }[]; count: number; query: unknown };
    const rows = allPages(repository, query, 100);
    expect(rows.length).toBeGreaterThan(0);
    const guidOf = new Map((db.prepare('SELECT id, guid FROM devices').all() as { id: number; guid: string }[]).map((r) => [r.id, r.guid]));
    expect(exported.devices.map((d) => d.guid)).toEqual(rows.map((id) => guidOf.get(id)));
    expect(exported.count).toBe(rows.length);
    expect(exported.query).toEqual(query);
  });

  it('read back from JSON to the stored values, with typed flags, times and raw record', async () => {
    const file = path.join(tempDir(), 'devices.json');
    await service().write({ kind: 'devices', format: 'json', query: { presence: 'all' }, includeRaw: true }, file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind: string; devices: Record<string, unknown>[] };
    const byKey = stored();
    expect(exported.kind).toBe('devices');
    expect(exported.devices).toHaveLength(byKey.size);
    for (const d of exported.devices) {
      const device = byKey.get(`${String(d.integrationId)}/${String(d.guid)}`)!;
      for (const [name, column] of TEXT_COLUMNS) expect(d[name]).toBe(device[column]);
      expect(d.compliant).toBe(device.compliant === null ? null : device.compliant === 1);
      expect(d.lastSeenAt).toBe(new Date(device.last_seen_at).toISOString());
      expect(d.raw).toEqual(rawOf(device));
    }
  });

  it('are a snapshot: devices written while the export streams are not in it', async () => {
    const before = repository.count({ presence: 'all' });
    const file = path.join(tempDir(), 'devices.csv');
    const writing = service().write({ kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: true }, file);
    // The export has read its first rows and yielded; a sync now stores more devices.
    seedDevices(db, { count: 50, seed: 'late', integration: integrationId, firstIndex: 5000, referenceTime: NOW });
    await writing;
    expect(readCsvRecords(fs.readFileSync(file, 'utf8')).records).toHaveLength(before);
    db.prepare("DELETE FROM devices WHERE guid IN (SELECT guid FROM devices ORDER BY id DESC LIMIT 50)").run();
  });
});

describe('running exports', () => {
  it('report progress as events and end completed, with the file in place and the export in the audit log', async () => {
    const events = new EventBus();
    const seen: ExportProgress[] = [];
    events.subscribe((name, payload) => {
      if (name === 'export.progress') seen.push(payload as ExportProgress);
    });
    const dir = tempDir();
    const started = service(events, dir).start({ kind: 'devices', format: 'csv', query: {}, includeRaw: false });
    expect(started).toMatchObject({ state: 'running', written: 0 });
    expect(path.dirname(started.file)).toBe(dir);
    await expect.poll(() => seen.at(-1)?.state, { timeout: 30_000 }).toBe('completed');
    const last = seen.at(-1)!;
    expect(last.exportId).toBe(started.exportId);
    expect(last.written).toBe(repository.count({}));
    expect(fs.existsSync(started.file)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([path.basename(started.file)]);
    const [entry] = audit.list({ limit: 1 });
    expect(entry).toMatchObject({ action: 'export.created', target: 'devices', actor: 'tester' });
    expect(entry.details).toMatchObject({ rows: last.written, file: path.basename(started.file) });
  });

  it('stop when cancelled and leave no file behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'devices.csv');
    const controller = new AbortController();
    const progress: ExportProgress[] = [];
    const writing = service().write({ kind: 'devices', format: 'csv', query: { presence: 'all' }, includeRaw: true }, file, {
      signal: controller.signal,
      onProgress: (p) => progress.push(p),
    });
    controller.abort();
    await expect(writing).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(progress.at(-1)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
  });

  it('cancel by id from the UI, and say so when the export is no longer running', async () => {
    const events = new EventBus();
    const seen: ExportProgress[] = [];
    events.subscribe((name, payload) => {
      if (name === 'export.progress') seen.push(payload as ExportProgress);
    });
    const exports = service(events);
    const started = exports.start({ kind: 'devices', format: 'json', query: { presence: 'all' }, includeRaw: true });
    exports.cancel(started.exportId);
    await expect.poll(() => seen.at(-1)?.state).toBe('cancelled');
    expect(fs.existsSync(started.file)).toBe(false);
    expect(() => exports.cancel(started.exportId)).toThrow(AppError);
  });

  it('fail with a plain message when the file cannot be written', async () => {
    const blocker = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    await expect(service().write({ kind: 'audit', format: 'csv' }, path.join(blocker, 'audit.csv'))).rejects.toMatchObject({
      code: 'LOCAL_DATA',
      message: `The export folder ${blocker} cannot be used: it is a file, not a folder. Choose another location.`,
    });
  });
});

describe('sync diff exports', () => {
  it('put each changed field of a run on a line of its own, and each added or removed device on one line', async () => {
    const twoFields = db.prepare("SELECT id FROM device_changes WHERE kind = 'changed' ORDER BY id LIMIT 1").pluck().get() as number;
    db.prepare('UPDATE device_changes SET fields = ? WHERE id = ?').run(JSON.stringify({ registrationState: ['ACTIVE', 'RETIRED'], deviceName: ['Old', '=New'] }), twoFields);
    const runId = db.prepare("SELECT max(run_id) FROM device_changes WHERE kind = 'removed'").pluck().get() as number;
    const file = path.join(tempDir(), 'changes.csv');
    await service().write({ kind: 'changes', format: 'csv', runId }, file);
    const { header, records } = readCsvRecords(fs.readFileSync(file, 'utf8'));
    expect(header).toEqual(['changeId', 'runId', 'integrationName', 'integrationId', 'at', 'guid', 'clientDeviceIdentifier', 'deviceName', 'kind', 'field', 'before', 'after']);
    const changed = records.filter((r) => r.kind === 'changed');
    const removed = records.filter((r) => r.kind === 'removed');
    expect(new Set(changed.map((r) => r.guid)).size).toBe(12);
    expect(changed.map((r) => r.field).sort((a, b) => (a ?? '').localeCompare(b ?? ''))).toEqual(['deviceName', ...Array(12).fill('registrationState')]);
    expect(changed.find((r) => r.field === 'deviceName')).toMatchObject({ before: '"Old"', after: '"=New"' });
    for (const r of changed.filter((c) => c.field === 'registrationState')) {
      const [before, after] = [JSON.parse(r.before!) as string, JSON.parse(r.after!) as string];
      expect(before).not.toBe(after);
      expect(['ACTIVE', 'RETIRED']).toContain(after);
    }
    expect(removed).toHaveLength(5);
    expect(removed.every((r) => r.field === null && r.before === null)).toBe(true);
  });

  it('keep each change\'s fields as {field: [before, after]} in JSON', async () => {
    db.prepare("UPDATE device_changes SET fields = json_remove(fields, '$.deviceName') WHERE kind = 'changed'").run();
    const file = path.join(tempDir(), 'changes.json');
    await service().write({ kind: 'changes', format: 'json', integrationId, change: 'changed' }, file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { changes: { kind: string; fields: Record<string, [unknown, unknown]> }[] };
    expect(exported.changes).toHaveLength(12);
    for (const change of exported.changes) {
      expect(change.kind).toBe('changed');
      expect(Object.keys(change.fields)).toEqual(['registrationState']);
      expect(change.fields.registrationState[0]).not.toBe(change.fields.registrationState[1]);
    }
  });
});

describe('audit log exports', () => {
  it('hold every entry with its hashes, and say whether the chain verified', async () => {
    const csvFile = path.join(tempDir(), 'audit.csv');
    const jsonFile = path.join(tempDir(), 'audit.json');
    const entries = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as { seq: number; actor: string; details: string; hash: string; prev_hash: string }[];
    await service().write({ kind: 'audit', format: 'csv' }, csvFile);
    const { records } = readCsvRecords(fs.readFileSync(csvFile, 'utf8'));
    expect(records.map((r) => [Number(r.seq), r.actor, r.details, r.prevHash, r.hash])).toEqual(entries.map((e) => [e.seq, e.actor, e.details, e.prev_hash, e.hash]));
    // The CSV export itself is now in the log, and in the JSON export that follows.
    await service().write({ kind: 'audit', format: 'json' }, jsonFile);
    const exported = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { verification: { ok: boolean; checked: number }; audit: { seq: number; action: string }[] };
    expect(exported.verification).toMatchObject({ ok: true, checked: entries.length + 1 });
    expect(exported.audit.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq), entries.length + 1]);
    expect(exported.audit.at(-1)?.action).toBe('export.created');
  });
});
