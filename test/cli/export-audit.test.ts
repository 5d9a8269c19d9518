import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { readCsvRecords } from '../support/csv-reader';
import { seedDevices } from '../support/seed-devices';
import { runTec } from './cli-harness';

let dataDir: string;
let core: Core;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-cli-export-'));
  core = createCore({ dataDir, version: '0.0.0-test', transport: 'web-test-rig' });
  seedDevices(core.services.db, { count: 600, seed: 'cli-export', integration: { name: 'Fleet A' } });
  for (let i = 0; i < 8; i++) core.services.audit.append({ actor: 'admin', action: 'settings.changed', details: { step: i } });
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const tec = (...args: string[]) => runTec([...args, '--data-dir', dataDir]);

describe('tec export', () => {
  it('writes the devices the explorer\'s filters select, in its order, as CSV', async () => {
    const out = path.join(dataDir, 'ios.csv');
    const result = await tec('export', 'devices', '--format', 'csv', '--out', out, '--platform', 'ios', '--sort', 'deviceName:desc', '--integration', 'fleet a');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain(`to ${out}`);
    const { records } = readCsvRecords(fs.readFileSync(out, 'utf8'));
    const query = { platformType: 'IOS', sort: { column: 'deviceName', direction: 'desc' } } as const;
    expect(records).toHaveLength(core.services.devices.count(query));
    expect(records.map((r) => r.guid)).toEqual(core.services.devices.search(query, { offset: 0, limit: 500 }).map((r) => r.guid));
  });

  it("carries the explorer's Trust column: the same device-level answer as devices.search, with its reason", async () => {
    const out = path.join(dataDir, 'trust.csv');
    expect((await tec('export', 'devices', '--format', 'csv', '--out', out)).code).toBe(EXIT.ok);
    const { records } = readCsvRecords(fs.readFileSync(out, 'utf8'));
    const { rows } = await core.handlers['devices.search']({ query: {}, offset: 0, limit: 500 }, { signal: new AbortController().signal });
    const byGuid = new Map(records.map((r) => [r.guid, r]));
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) expect(byGuid.get(row.guid)).toMatchObject({ trust: row.trust.answer, trustReason: row.trust.detail });
    // The seed holds active devices with identifiers (trusted) and retired or unidentified ones (each with its reason).
    expect(new Set(records.map((r) => r.trust))).toEqual(new Set(['trusted', 'not-trusted']));
    expect(records.filter((r) => r.trust === 'not-trusted').every((r) => (r.trustReason ?? '').length > 20)).toBe(true);
  });

  it('starts from a saved search when asked', async () => {
    core.services.savedSearches.save('Retired', { registrationState: 'RETIRED' });
    const out = path.join(dataDir, 'retired.json');
    const result = await tec('export', 'devices', '--format', 'json', '--out', out, '--saved', 'retired', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, rows: core.services.devices.count({ registrationState: 'RETIRED' }) });
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).query).toEqual({ registrationState: 'RETIRED' });
  });

  it('exports the audit log and the sync diffs', async () => {
    const audit = path.join(dataDir, 'audit.csv');
    expect((await tec('export', 'audit', '--format', 'csv', '--out', audit)).code).toBe(EXIT.ok);
    expect(readCsvRecords(fs.readFileSync(audit, 'utf8')).records.length).toBeGreaterThanOrEqual(8);
    const changes = path.join(dataDir, 'changes.json');
    expect((await tec('export', 'changes', '--format', 'json', '--out', changes, '--change', 'removed')).code).toBe(EXIT.ok);
    expect(JSON.parse(fs.readFileSync(changes, 'utf8')).changes).toEqual([]);
  });

  it('refuses a bad option with a usage error naming it, and writes nothing', async () => {
    const out = path.join(dataDir, 'bad.csv');
    const bad = await tec('export', 'devices', '--format', 'xlsx', '--out', out);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--format');
    const badFilter = await tec('export', 'devices', '--format', 'csv', '--out', out, '--compliance', 'maybe');
    expect(badFilter.code).toBe(EXIT.usage);
    expect(badFilter.stderr).toContain('--compliance');
    expect((await tec('export', 'everything', '--format', 'csv', '--out', out)).code).toBe(EXIT.usage);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('stops on Ctrl-C with exit 130 and no file', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = path.join(dataDir, 'cancelled.csv');
    const result = await runTec(['export', 'devices', '--format', 'csv', '--raw', '--out', out, '--data-dir', dataDir], { signal: controller.signal });
    expect(result.code).toBe(EXIT.cancelled);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('tec devices search', () => {
  it('finds devices by a typed prefix, with the explorer\'s filters, and says how many match', async () => {
    const row = core.services.db.prepare("SELECT serial_number FROM devices WHERE platform_type = 'ANDROID' AND serial_number NOT LIKE '*%' LIMIT 1").get() as { serial_number: string };
    const result = await tec('devices', 'search', row.serial_number.slice(0, 6), '--platform', 'android', '--json');
    expect(result.code).toBe(EXIT.ok);
    const answer = JSON.parse(result.stdout) as { total: number; rows: { serialNumber: string }[] };
    expect(answer.rows.map((r) => r.serialNumber)).toContain(row.serial_number);
    expect(answer.total).toBe(answer.rows.length);
  });
});

describe('tec audit verify', () => {
  it('says the log is intact and exits 0', async () => {
    const result = await tec('audit', 'verify');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/intact: \d+ entries verified/);
  });

  it('names the first altered entry and exits 7 when one byte of it was changed', async () => {
    core.services.db.prepare("UPDATE audit_log SET details = replace(details, '\"step\":3', '\"step\":4') WHERE seq = (SELECT seq FROM audit_log WHERE details LIKE '%\"step\":3%')").run();
    const seq = core.services.db.prepare("SELECT seq FROM audit_log WHERE details LIKE '%\"step\":4%' ORDER BY seq LIMIT 1").pluck().get() as number;
    const result = await tec('audit', 'verify');
    expect(result.code).toBe(EXIT.negative);
    expect(result.stderr).toContain(`AUDIT_CHAIN_BROKEN: The audit log was altered at entry ${seq}`);
    const json = await tec('audit', 'verify', '--json');
    expect(json.code).toBe(EXIT.negative);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, brokenAt: seq, checked: seq - 1 });
  });
});
