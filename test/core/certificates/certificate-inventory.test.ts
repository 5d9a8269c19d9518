import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { createCertificateServices } from '../../../src-main/core/certificates/certificate-services';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { IntegrationService } from '../../../src-main/core/integrations/integration-service';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/contract/app';
import type { PayloadOf } from '../../../src-shared/contract';
import { requirePrivateKeyring } from '../../support/keyring';
import { useTempDir } from '../../support/temp-dir';
import { DAY_MS, sampleCertificate } from './sample-certificate';

const tempDir = useTempDir();
const secrets = new KeytarSecretStore('Trusted Endpoints Console (inventory test)');
const START = Date.UTC(2026, 5, 1, 12);

beforeAll(() => requirePrivateKeyring());

function open(settings: Partial<Settings> = {}) {
  const clock = { now: START };
  const now = () => new Date(clock.now);
  const { db } = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations });
  const audit = new AuditLog(db, now);
  const events = new EventBus();
  const notices: PayloadOf<'app.notice'>[] = [];
  events.subscribe((name, payload) => {
    if (name === 'app.notice') notices.push(payload as PayloadOf<'app.notice'>);
  });
  const integrations = new IntegrationService(db, secrets, audit, now, 'test');
  const services = createCertificateServices({
    db,
    secrets,
    integrations,
    audit,
    events,
    settings: () => ({ ...DEFAULT_SETTINGS, ...settings }),
    now,
    actor: 'test',
  });
  const legacy = (name: string) => integrations.create({ name, platform: 'ios-certs', acknowledgeLegacy: true });
  return { db, clock, audit, events, notices, integrations, legacy, ...services };
}

describe('the certificate inventory', () => {
  it('derives each certificate\'s status when read: active, expired once notAfter passes, invalidated above all', async () => {
    const { inventory, legacy, clock } = open();
    const integration = await legacy('Legacy A');
    const recorded = inventory.record(sampleCertificate(integration.id, { issuedAt: START }));
    expect(recorded).toMatchObject({ status: 'active', purpose: 'test', integrationName: 'Legacy A', integrationDeleted: false, invalidatedAt: null });
    expect(Date.parse(recorded.notAfter)).toBe(Math.floor((START + DAY_MS) / 1000) * 1000);

    clock.now = Date.parse(recorded.notAfter);
    expect(inventory.get(recorded.id)!.status).toBe('expired');
    clock.now = Date.parse(recorded.notAfter) - 1;
    expect(inventory.get(recorded.id)!.status).toBe('active');

    expect(inventory.invalidateIntegration(integration.id, 'integration deleted')).toBe(1);
    clock.now = Date.parse(recorded.notAfter) + DAY_MS;
    expect(inventory.get(recorded.id)).toMatchObject({ status: 'invalidated', invalidatedReason: 'integration deleted' });
  });

  it('filters by integration and status, counts every status, and pages newest first without gaps or repeats', async () => {
    const { inventory, legacy, clock } = open();
    const a = await legacy('Legacy A');
    const b = await legacy('Legacy B');
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(inventory.record(sampleCertificate(a.id, { issuedAt: START + i * DAY_MS })).id);
    inventory.record(sampleCertificate(b.id, { issuedAt: START + 3 * DAY_MS }));
    // At START + 3.5 days, the certificates issued on days 0, 1 and 2 have expired (each lives 24 hours).
    clock.now = START + 3.5 * DAY_MS;

    const pages: number[][] = [];
    let beforeId: number | undefined;
    do {
      const page = inventory.list({ integrationId: a.id, limit: 3, beforeId });
      expect(page.counts).toEqual({ active: 4, expired: 3, invalidated: 0 });
      pages.push(page.certificates.map((c) => c.id));
      beforeId = page.nextBeforeId ?? undefined;
    } while (beforeId !== undefined);
    expect(pages).toEqual([ids.slice(4).reverse(), ids.slice(1, 4).reverse(), [ids[0]]]);

    expect(inventory.list({ integrationId: a.id, status: 'expired', limit: 100 }).certificates.map((c) => c.id)).toEqual(ids.slice(0, 3).reverse());
    expect(inventory.list({ status: 'active', limit: 100 }).certificates.map((c) => c.integrationName).sort((a, b) => a.localeCompare(b))).toEqual([
      ...Array(4).fill('Legacy A'),
      'Legacy B',
    ]);
    expect(inventory.list({ status: 'active', limit: 100 }).counts).toEqual({ active: 5, expired: 3, invalidated: 0 });
  });

  it('finds a device\'s certificates by its tenant guid as well as its identifier, and never counts test certificates', async () => {
    const { inventory, legacy } = open();
    const integration = await legacy('Legacy A');
    inventory.record(sampleCertificate(integration.id, { issuedAt: START, device: { guid: 'guid-1', identifier: null } }));
    inventory.record(sampleCertificate(integration.id, { issuedAt: START, device: { guid: null, identifier: 'client-id-2' } }));
    inventory.record(sampleCertificate(integration.id, { issuedAt: START }));

    expect(inventory.forDevice(integration.id, { identifier: 'unknown', guids: ['guid-1'] })).toHaveLength(1);
    expect(inventory.forDevice(integration.id, { identifier: 'client-id-2', guids: [] })).toHaveLength(1);
    expect(inventory.forDevice(integration.id, { identifier: 'unknown', guids: [] })).toEqual([]);
    expect(inventory.forDevice('another-integration', { identifier: 'client-id-2', guids: ['guid-1'] })).toEqual([]);
    expect(inventory.expiringBefore(integration.id, START, START + 2 * DAY_MS)).toBe(2);
  });
});

describe('expiry warnings', () => {
  it('name each live integration with device certificates that expire within the warning window', async () => {
    const { inventory, legacy, integrations } = open();
    const a = await legacy('Legacy A');
    const b = await legacy('Legacy B');
    const gone = await legacy('Legacy gone');
    const device = { guid: null, identifier: 'client-id' };
    inventory.record(sampleCertificate(a.id, { issuedAt: START + 2 * DAY_MS, device }));
    inventory.record(sampleCertificate(a.id, { issuedAt: START + 1 * DAY_MS, device }));
    // Outside a 5-day window.
    inventory.record(sampleCertificate(b.id, { issuedAt: START + 10 * DAY_MS, device }));
    // Test certificates and deleted integrations' certificates warn about nothing.
    inventory.record(sampleCertificate(b.id, { issuedAt: START }));
    inventory.record(sampleCertificate(gone.id, { issuedAt: START, device }));
    await integrations.delete(gone.id, 'Legacy gone', { purgeDevices: true });

    expect(inventory.expiryWarnings(5)).toEqual([
      { integrationId: a.id, integrationName: 'Legacy A', count: 2, soonestNotAfter: new Date(Math.floor((START + 2 * DAY_MS) / 1000) * 1000).toISOString() },
    ]);
    expect(inventory.expiryWarnings(15).map((w) => w.integrationName)).toEqual(['Legacy A', 'Legacy B']);
  });

  it('are pushed as one app.notice per integration and day after a sync of that integration finishes', async () => {
    const { inventory, legacy, events, notices, clock } = open({ certificateWarningDays: 7 });
    const a = await legacy('Legacy A');
    inventory.record(sampleCertificate(a.id, { issuedAt: START + DAY_MS, device: { guid: 'g', identifier: null } }));
    const finished = (integrationId: string) =>
      events.emit('sync.finished', { integrationId, runId: 1, run: {} as PayloadOf<'sync.finished'>['run'] });

    finished('some-other-integration');
    expect(notices).toEqual([]);
    finished(a.id);
    finished(a.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'warning', code: 'certificates-expiring' });
    expect(notices[0]!.message).toContain('1 device certificate expires within 7 days in "Legacy A"');

    clock.now = START + 1.2 * DAY_MS;
    finished(a.id);
    expect(notices).toHaveLength(2);
  });
});
