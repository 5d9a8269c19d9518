import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../../src-main/cli/cli-io';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { ERROR_CODES } from '../../src-shared/errors';
import type { CertificateRecord } from '../../src-shared/domain/ca-profile';
import { requirePrivateKeyring } from '../support/keyring';
import { DAY_MS, sampleCertificate } from '../core/certificates/sample-certificate';
import { runTec } from './cli-harness';

let dataDir: string;
let core: Core;
const ids: Record<string, string> = {};

beforeAll(async () => {
  requirePrivateKeyring();
  // One data directory: the CLI must read exactly what the app's core wrote.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-certificates-cli-'));
  core = createCore({ dataDir, version: '0.0.0-test', transport: 'web-test-rig' });
  const { integrations, certificates } = core.services;
  for (const name of ['Legacy East', 'Legacy West', 'Legacy Gone']) {
    ids[name] = (await integrations.create({ name, platform: 'ios-certs', acknowledgeLegacy: true })).id;
  }
  const now = Date.now();
  certificates.record(sampleCertificate(ids['Legacy East']!, { issuedAt: now, subject: 'CN=East test,O=Acme' }));
  certificates.record(sampleCertificate(ids['Legacy East']!, { issuedAt: now - 3 * DAY_MS, subject: 'CN=East old,O=Acme', device: { guid: 'g-1', identifier: 'client-1' } }));
  certificates.record(sampleCertificate(ids['Legacy West']!, { issuedAt: now, subject: 'CN=West device,O=Acme', device: { guid: null, identifier: 'client-2' } }));
  certificates.record(sampleCertificate(ids['Legacy Gone']!, { issuedAt: now, subject: 'CN=Gone device,O=Acme', device: { guid: 'g-3', identifier: null } }));
  await integrations.delete(ids['Legacy Gone']!, 'Legacy Gone', { purgeDevices: true });
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const tec = (...args: string[]) => runTec(['certificates', ...args, '--data-dir', dataDir]);

describe('tec certificates list', () => {
  it('prints every certificate with its status, validity, fingerprint and integration, as --json too', async () => {
    const run = await tec('list', '--json');
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const { certificates, counts } = JSON.parse(run.stdout) as { certificates: CertificateRecord[]; counts: Record<string, number> };
    expect(counts).toEqual({ active: 2, expired: 1, invalidated: 1 });
    expect(certificates.map((c) => [c.subject, c.status, c.integrationName])).toEqual([
      ['CN=Gone device,O=Acme', 'invalidated', 'Legacy Gone'],
      ['CN=West device,O=Acme', 'active', 'Legacy West'],
      ['CN=East old,O=Acme', 'expired', 'Legacy East'],
      ['CN=East test,O=Acme', 'active', 'Legacy East'],
    ]);
    expect(certificates[0]).toMatchObject({ integrationDeleted: true, invalidatedReason: 'integration deleted' });
    const fromHandler = await core.handlers['certificates.list']({ limit: 10 }, { signal: new AbortController().signal });
    expect(certificates).toEqual(fromHandler.certificates);

    const text = await tec('list');
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toContain(`INVALIDATED ${certificates[0]!.invalidatedAt} (integration deleted)  CN=Gone device,O=Acme  [Legacy Gone, deleted] device g-3`);
    expect(text.stdout).toContain(`SHA-256 ${certificates[1]!.sha256Fingerprint}`);
    expect(text.stdout).toContain(`valid ${certificates[2]!.notBefore} to ${certificates[2]!.notAfter}`);
    expect(text.stdout).toMatch(/4 certificates \(all: 2 active, 1 expired, 1 invalidated\)\.\n$/);
  });

  it('filters by integration name (any case) and by status', async () => {
    const expired = await tec('list', '--integration', 'legacy east', '--status', 'expired', '--json');
    expect(expired.code).toBe(EXIT.ok);
    expect((JSON.parse(expired.stdout) as { certificates: CertificateRecord[] }).certificates.map((c) => c.subject)).toEqual(['CN=East old,O=Acme']);
    const active = await tec('list', '--integration', 'Legacy East', '--status', 'active');
    expect(active.stdout).toContain('ACTIVE  CN=East test,O=Acme  [Legacy East] test certificate');
    expect(active.stdout).toMatch(/1 certificate active \(all: 1 active, 1 expired, 0 invalidated\)\.\n$/);
  });

  it('reads past the first page of a large inventory', async () => {
    const insert = core.services.db.prepare(
      `INSERT INTO certificates (integration_id, purpose, serial_number, subject, issuer, not_before, not_after, key_usage, sha256_fingerprint, der, created_at)
       VALUES (?, 'test', ?, 'CN=bulk', 'CN=Duo CA', ?, ?, 'digitalSignature', ?, x'00', ?)`,
    );
    const now = Date.now();
    core.services.db.transaction(() => {
      for (let i = 0; i < 1500; i++) {
        const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
        insert.run(ids['Legacy West']!, (i + 16).toString(16).toUpperCase(), now - DAY_MS, now + DAY_MS, fingerprint, now);
      }
    })();
    const run = await tec('list', '--integration', 'Legacy West', '--json');
    const listed = (JSON.parse(run.stdout) as { certificates: CertificateRecord[] }).certificates;
    expect(listed).toHaveLength(1501);
    expect(new Set(listed.map((c) => c.id)).size).toBe(1501);
    core.services.db.prepare("DELETE FROM certificates WHERE subject = 'CN=bulk'").run();
  });

  it('answers a wrong status with usage (2) and an unknown integration with not found (3)', async () => {
    const status = await tec('list', '--status', 'revoked', '--json');
    expect(status.code).toBe(EXIT.usage);
    expect(JSON.parse(status.stdout).error.code).toBe('VALIDATION_FAILED');
    const unknown = await tec('list', '--integration', 'Nowhere');
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toMatch(/^tec: INTEGRATION_NOT_FOUND: There is no integration called "Nowhere"/);
    expect((await tec('revoke')).code).toBe(EXIT.usage);
  });
});

describe('exit codes', () => {
  it('map every *_NOT_FOUND code to not found (3) and every *_INSECURE_URL code to usage (2)', () => {
    const notFound = ERROR_CODES.filter((c) => c.endsWith('_NOT_FOUND'));
    expect(notFound).toEqual(expect.arrayContaining(['INTEGRATION_NOT_FOUND', 'CA_PROFILE_NOT_FOUND', 'TEST_KEY_NOT_FOUND', 'SCEP_NOT_FOUND']));
    for (const code of notFound) expect(exitCodeFor(code), code).toBe(EXIT.notFound);
    const insecure = ERROR_CODES.filter((c) => c.endsWith('_INSECURE_URL'));
    expect(insecure).toEqual(expect.arrayContaining(['SCEP_INSECURE_URL', 'IVANTI_INSECURE_URL']));
    for (const code of insecure) expect(exitCodeFor(code), code).toBe(EXIT.usage);
  });

  it('gives usage (2) for a plain-http SCEP URL on the network', async () => {
    const run = await runTec(['scep', 'caps', '--url', 'http://ndes.acme.example/certsrv/mscep/mscep.dll']);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/^tec: SCEP_INSECURE_URL: /);
  });
});
