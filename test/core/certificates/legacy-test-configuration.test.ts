import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import { summarizeCertificate } from '../../../src-main/core/scep/certificate-summary';
import { pemToDer } from '../../../src-main/core/scep/pem';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { secretAccount } from '../../../src-main/core/secrets/secret-store';
import type { Channel, Envelope, InputOf, OutputOf, PayloadOf } from '../../../src-shared/contract';
import { requirePrivateKeyring } from '../../support/keyring';
import { scepServerUnavailable, startScepServer, type ScepServer } from '../../support/scep-server';
import { useTempDir } from '../../support/temp-dir';
import { PAGE_PASSWORD, startFakeNdes, type FakeNdesServer } from '../scep/fake-ndes-server';
import { resignCertRep, startScepPeer, type PeerResponse, type ScepPeer } from '../scep/scep-peer';
import { readCertificate } from '../../../src-main/core/scep/certificate-fields';
import { uniqueSubject } from '../scep/unique-subject';

const unavailable = scepServerUnavailable();
const tempDir = useTempDir('tec-legacy-test-');
const secrets = new KeytarSecretStore('Trusted Endpoints Console (legacy test configuration test)');
/** Distinctive, so a search of the database's bytes for it cannot match anything else. */
const CA_PASSWORD = 'Ca-Pa55word-q7Zx9-ndes';
const NDES_USER = 'svc-ndes';

let server: ScepServer;
let ndes: FakeNdesServer;
let peer: ScepPeer;
const cores: Core[] = [];

/** A console with one legacy integration; every handler answer it gives is kept for the secret checks. */
async function consoleWithLegacyIntegration() {
  const dataDir = tempDir();
  const core = createCore({ dataDir, version: '0.0.0-test', transport: 'web-test-rig', secrets });
  cores.push(core);
  const answers: string[] = [];
  const progress: PayloadOf<'certificates.testProgress'>[] = [];
  core.events.subscribe((name, payload) => {
    if (name === 'certificates.testProgress') progress.push(payload as PayloadOf<'certificates.testProgress'>);
  });
  const call = async <C extends Channel>(channel: C, input: InputOf<C>): Promise<Envelope<OutputOf<C>>> => {
    const envelope = (await dispatch(core.handlers, channel, input, { signal: new AbortController().signal })) as Envelope<OutputOf<C>>;
    answers.push(JSON.stringify(envelope));
    return envelope;
  };
  const value = async <C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> => {
    const envelope = await call(channel, input);
    if (!envelope.ok) throw new Error(`${channel} failed: ${envelope.error.code}: ${envelope.error.message}`);
    return envelope.value;
  };
  const failure = async <C extends Channel>(channel: C, input: InputOf<C>) => {
    const envelope = await call(channel, input);
    if (envelope.ok) throw new Error(`${channel} succeeded; a failure was expected`);
    return envelope.error;
  };
  const integration = await value('integrations.create', { name: 'Legacy iOS', platform: 'ios-certs', acknowledgeLegacy: true });
  const saveProfile = (profile: { scepUrl?: string; challengeUrl?: string; password?: string; subject?: string } = {}) =>
    value('certificates.saveProfile', {
      integrationId: integration.id,
      name: 'Duo CA',
      scepUrl: profile.scepUrl ?? server.url,
      username: NDES_USER,
      subject: profile.subject ?? uniqueSubject('duo-te'),
      ...(profile.challengeUrl ? { challengeUrl: profile.challengeUrl } : {}),
      ...(profile.password ? { password: profile.password } : {}),
    });
  const stored = () => ({
    certificates: (core.services.db.prepare('SELECT COUNT(*) AS n FROM certificates').get() as { n: number }).n,
    issuedAudits: core.services.audit.list({ limit: 500 }).filter((e) => e.action === 'certificates.test-certificate-issued').length,
  });
  return { core, dataDir, integration, answers, progress, call, value, failure, saveProfile, stored };
}

describe.skipIf(unavailable)(`Legacy Test Configuration against Debian's scepserver${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    requirePrivateKeyring();
    // The server's challenge is the one the fake NDES page hands out; allowRenewDays 0 lets a subject be tested twice.
    server = await startScepServer({ challenge: PAGE_PASSWORD, allowRenewDays: 0 });
    ndes = await startFakeNdes({ user: NDES_USER, password: CA_PASSWORD });
    ndes.thumbprint = createHash('sha1').update(pemToDer(server.caCertificatePem)).digest('hex').toUpperCase();
    peer = await startScepPeer(server.url);
  });
  afterEach(async () => {
    for (const core of cores.splice(0)) {
      for (const integration of await core.services.integrations.list()) {
        for (const account of await secrets.accounts(secretAccount.integrationPrefix(integration.id))) await secrets.delete(account);
      }
      await core.close();
    }
    peer.reset();
    ndes.requests.length = 0;
  });
  afterAll(() => Promise.all([ndes?.close(), peer?.close(), server?.stop()]));

  it('enrolls one test certificate with the identity configuration through a fresh NDES challenge, records it and shows its details', async () => {
    const { value, saveProfile, integration, progress } = await consoleWithLegacyIntegration();
    const subject = uniqueSubject('duo-te');
    const profile = await saveProfile({ challengeUrl: ndes.url, password: CA_PASSWORD, subject });
    expect(profile).toMatchObject({ hasPassword: true, identity: { keySize: 2048, signatureAlgorithm: 'sha256WithRSA', keyUsage: ['digitalSignature'] } });

    const result = await value('certificates.testConfiguration', { integrationId: integration.id, testRunId: 'run-1' });

    const issued = new X509Certificate(result.certificatePem);
    expect(issued.verify(new X509Certificate(server.caCertificatePem).publicKey)).toBe(true);
    const ca = summarizeCertificate(pemToDer(server.caCertificatePem));
    expect(result.certificate).toMatchObject({
      integrationId: integration.id,
      integrationName: 'Legacy iOS',
      purpose: 'test',
      status: 'active',
      subject: subject.replace(/, ?/g, ','),
      issuer: ca.subject,
      serialNumber: issued.serialNumber.replace(/^(00)+/, ''),
      deviceGuid: null,
      deviceIdentifier: null,
    });
    expect(result.certificate.sha256Fingerprint).toBe(issued.fingerprint256);
    expect(result.certificate.notAfter).toBe(new Date(issued.validTo).toISOString());
    expect(result.keyUsage).toEqual(result.certificate.keyUsage);
    expect(result.challengeSource).toBe('challenge-url');
    expect(ndes.requests.some((r) => r.scheme === 'Basic')).toBe(true);
    expect(progress.filter((p) => p.testRunId === 'run-1').map((p) => p.stage)).toEqual(['challenge', 'enroll', 'record']);

    const inventory = await value('certificates.list', { integrationId: integration.id });
    expect(inventory.certificates).toEqual([result.certificate]);
    expect(inventory.counts).toEqual({ active: 1, expired: 0, invalidated: 0 });

    // Every Test Configuration fetches its own single-use challenge.
    const before = ndes.requests.length;
    await value('certificates.testConfiguration', { integrationId: integration.id });
    expect(ndes.requests.length).toBeGreaterThan(before);
    expect((await value('certificates.list', { integrationId: integration.id })).counts.active).toBe(2);
  });

  it('hands the test key out once, on the admin\'s explicit export, as PEM or to a new file with mode 0600', async () => {
    const { value, failure, saveProfile, integration, core } = await consoleWithLegacyIntegration();
    await saveProfile();
    const first = await value('certificates.testConfiguration', { integrationId: integration.id, challengePassword: PAGE_PASSWORD });
    const certificateKey = new X509Certificate(first.certificatePem).publicKey.export({ format: 'der', type: 'spki' });

    const shown = await value('certificates.exportTestKey', { keyHandle: first.keyHandle });
    expect(createPublicKey(shown.pem!).export({ format: 'der', type: 'spki' }).equals(certificateKey)).toBe(true);
    expect((await failure('certificates.exportTestKey', { keyHandle: first.keyHandle })).code).toBe('TEST_KEY_NOT_FOUND');

    const second = await value('certificates.testConfiguration', { integrationId: integration.id, challengePassword: PAGE_PASSWORD });
    const dir = tempDir();
    const taken = path.join(dir, 'taken.pem');
    fs.writeFileSync(taken, 'something the admin keeps');
    const refused = await failure('certificates.exportTestKey', { keyHandle: second.keyHandle, path: taken });
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'path' } });
    expect(fs.readFileSync(taken, 'utf8')).toBe('something the admin keeps');
    expect((await failure('certificates.exportTestKey', { keyHandle: second.keyHandle, path: 'relative/key.pem' })).code).toBe('VALIDATION_FAILED');

    // A refused destination does not use the key up.
    const file = path.join(dir, 'test-key.pem');
    expect(await value('certificates.exportTestKey', { keyHandle: second.keyHandle, path: file })).toEqual({ pem: null, path: file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const written = createPublicKey(fs.readFileSync(file, 'utf8')).export({ format: 'der', type: 'spki' });
    expect(written.equals(new X509Certificate(second.certificatePem).publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    expect(core.services.audit.list({ limit: 10 }).filter((e) => e.action === 'certificates.test-key-exported').map((e) => e.details.to)).toEqual([
      'file',
      'screen',
    ]);
  });

  it('uses a typed challenge only when the profile has no challenge URL, and asks for one when it is missing', async () => {
    const { value, failure, saveProfile, integration, stored } = await consoleWithLegacyIntegration();
    await saveProfile();
    const missing = await failure('certificates.testConfiguration', { integrationId: integration.id });
    expect(missing).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'challengePassword' } });
    const result = await value('certificates.testConfiguration', { integrationId: integration.id, challengePassword: PAGE_PASSWORD });
    expect(result.challengeSource).toBe('typed');

    await saveProfile({ challengeUrl: ndes.url, password: CA_PASSWORD });
    const both = await failure('certificates.testConfiguration', { integrationId: integration.id, challengePassword: PAGE_PASSWORD });
    expect(both).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'challengePassword' } });
    expect(stored()).toEqual({ certificates: 1, issuedAudits: 1 });
  });

  it('refuses a wrong challenge clearly and stores nothing', async () => {
    const { failure, saveProfile, integration, stored, value } = await consoleWithLegacyIntegration();
    await saveProfile();
    const error = await failure('certificates.testConfiguration', { integrationId: integration.id, challengePassword: 'NOT-THE-CHALLENGE' });
    expect(error.code).toBe('SCEP_CHALLENGE_REJECTED');
    expect(error.message).toMatch(/challenge password is most likely wrong, expired or already used/);
    expect(stored()).toEqual({ certificates: 0, issuedAudits: 0 });
    expect((await value('certificates.list', {})).certificates).toEqual([]);
  });

  const tamperings: Array<[string, string, (reply: PeerResponse) => PeerResponse]> = [
    ['a byte flipped in the CA\'s signature', 'SCEP_BAD_SIGNATURE', (reply) => {
      const body = Buffer.from(reply.body);
      body[body.length - 5]! ^= 0x01;
      return { ...reply, body };
    }],
    ['a correctly signed reply to another nonce', 'SCEP_NONCE_MISMATCH', (reply) => ({
      ...reply,
      body: resignCertRep(reply.body, (a) => ({ ...a, recipientNonce: Buffer.alloc(16, 7) }), readCertificate(pemToDer(server.caCertificatePem)), server.caPrivateKey()),
    })],
    ['a correctly signed reply for another transaction', 'SCEP_TRANSACTION_MISMATCH', (reply) => ({
      ...reply,
      body: resignCertRep(reply.body, (a) => ({ ...a, transactionId: 'someone-elses' }), readCertificate(pemToDer(server.caCertificatePem)), server.caPrivateKey()),
    })],
  ];

  it.each(tamperings)('reports %s on the way back from the CA as %s and stores nothing', async (_what, code, tamper) => {
    const { failure, saveProfile, integration, stored } = await consoleWithLegacyIntegration();
    await saveProfile({ scepUrl: peer.url, challengeUrl: ndes.url, password: CA_PASSWORD });
    peer.handler = async (exchange) => {
      const answer = await exchange.forward();
      return exchange.operation === 'PKIOperation' ? tamper(answer) : answer;
    };
    const error = await failure('certificates.testConfiguration', { integrationId: integration.id });
    expect(error.code).toBe(code);
    expect(peer.seen.some((s) => s.operation === 'PKIOperation')).toBe(true);
    expect(stored()).toEqual({ certificates: 0, issuedAudits: 0 });
  });

  it('stops on cancel while the request is with the CA, and records nothing', async () => {
    const { failure, saveProfile, integration, stored, value, progress } = await consoleWithLegacyIntegration();
    await saveProfile({ scepUrl: peer.url });
    peer.handler = async (exchange) => {
      if (exchange.operation === 'PKIOperation') await value('certificates.cancelTest', { testRunId: 'to-cancel' });
      return exchange.forward();
    };
    const error = await failure('certificates.testConfiguration', { integrationId: integration.id, challengePassword: PAGE_PASSWORD, testRunId: 'to-cancel' });
    expect(error.code).toBe('CANCELLED');
    expect(progress.map((p) => p.stage)).toEqual(['enroll']);
    expect(stored()).toEqual({ certificates: 0, issuedAudits: 0 });
  });

  it('invalidates every certificate of a deleted integration and removes its CA password from the keychain', async () => {
    const { value, failure, saveProfile, integration, core } = await consoleWithLegacyIntegration();
    await saveProfile({ challengeUrl: ndes.url, password: CA_PASSWORD });
    const result = await value('certificates.testConfiguration', { integrationId: integration.id });
    await secrets.set(secretAccount.challengePassword(integration.id), 'left-by-an-older-version');
    expect(await secrets.get(secretAccount.caPassword(integration.id))).toBe(CA_PASSWORD);

    await value('integrations.delete', { id: integration.id, confirmName: 'Legacy iOS', purgeDevices: true });

    const [certificate] = (await value('certificates.list', {})).certificates;
    expect(certificate).toMatchObject({ id: result.certificate.id, status: 'invalidated', invalidatedReason: 'integration deleted', integrationDeleted: true });
    expect(await secrets.accounts(secretAccount.integrationPrefix(integration.id))).toEqual([]);
    expect((core.services.db.prepare('SELECT COUNT(*) AS n FROM ca_profiles').get() as { n: number }).n).toBe(0);
    expect((await failure('certificates.exportTestKey', { keyHandle: result.keyHandle })).code).toBe('TEST_KEY_NOT_FOUND');
    expect(core.services.audit.list({ limit: 5 }).map((e) => e.action)).toContain('certificates.invalidated');
  });

  it('never writes the CA password to the database file or into any answer', async () => {
    const { value, saveProfile, integration, core, dataDir, answers } = await consoleWithLegacyIntegration();
    await saveProfile({ challengeUrl: ndes.url, password: CA_PASSWORD });
    // Re-saved without a password: the stored one stays, and is still used.
    await saveProfile({ challengeUrl: ndes.url });
    await value('certificates.getProfile', { integrationId: integration.id });
    const result = await value('certificates.testConfiguration', { integrationId: integration.id });
    expect(ndes.requests.some((r) => r.scheme === 'Basic')).toBe(true);
    await value('certificates.list', {});
    await value('certificates.exportTestKey', { keyHandle: result.keyHandle });
    expect(answers.length).toBeGreaterThan(5);
    for (const answer of answers) expect(answer).not.toContain(CA_PASSWORD);

    await core.close();
    cores.splice(cores.indexOf(core), 1);
    const files = fs.readdirSync(dataDir);
    expect(files).toContain('console.sqlite');
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(dataDir, file));
      expect(bytes.includes(Buffer.from(CA_PASSWORD, 'utf8')), file).toBe(false);
      expect(bytes.includes(Buffer.from(CA_PASSWORD, 'utf16le')), file).toBe(false);
    }
    for (const account of await secrets.accounts(secretAccount.integrationPrefix(integration.id))) await secrets.delete(account);
  });
});
