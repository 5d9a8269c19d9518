// The SCEP test peer reaches node-forge's internal modules, typed by the SCEP core's declarations.
/// <reference path="../../src-main/core/scep/node-forge-modules.d.ts" />
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { secretAccount } from '../../src-main/core/secrets/secret-store';
import { PAGE_PASSWORD, startFakeNdes, type FakeNdesServer } from '../core/scep/fake-ndes-server';
import { startScepPeer, type ScepPeer } from '../core/scep/scep-peer';
import { scepServerUnavailable, startScepServer, type ScepServer } from '../support/scep-server';
import { expect, test } from './rig-fixture';
import { shooter } from './wizard-steps';

const unavailable = scepServerUnavailable();
const NDES_ACCOUNT = { user: 'svc-ndes', password: 'E2e-Ndes-Pa55-k3v' };
const SUBJECT = 'CN=Duo Trusted Endpoints E2E,O=Acme';

let server: ScepServer;
let ndes: FakeNdesServer;
let peer: ScepPeer;

test.skip(unavailable !== null, `needs Debian's scepserver: ${unavailable}`);

test.beforeAll(async () => {
  // The fake NDES page hands out the challenge the real CA enforces; allowRenewDays 0 lets the subject be tested again.
  server = await startScepServer({ challenge: PAGE_PASSWORD, allowRenewDays: 0 });
  ndes = await startFakeNdes(NDES_ACCOUNT);
  ndes.thumbprint = createHash('sha1').update(new X509Certificate(server.caCertificatePem).raw).digest('hex').toUpperCase();
  peer = await startScepPeer(server.url);
});
test.afterAll(async () => {
  await Promise.all([ndes?.close(), peer?.close(), server?.stop()]);
});

test('an admin enters the Duo CA, runs Test Configuration against a real SCEP server and finds the certificate in the inventory', async ({ app, tec }) => {
  const shot = shooter(app, 'certificates');
  const integration = await tec.core.services.integrations.create({ name: 'E2E Legacy Certs', platform: 'ios-certs', acknowledgeLegacy: true });
  await app.reload();
  await app.getByRole('button', { name: 'Certificates', exact: true }).click();
  await expect(app.getByRole('region', { name: 'Legacy end of life' })).toContainText('end of life');
  await expect(app.getByRole('button', { name: 'Migrate “E2E Legacy Certs” to App Config' })).toBeVisible();

  const panel = app.getByRole('region', { name: 'CA profile of “E2E Legacy Certs”' });
  const form = panel.getByRole('form', { name: 'CA profile' });
  // Checked as typed, with the contract's own rules.
  await form.getByLabel('SCEP URL').fill('http://ndes.acme.example/certsrv/mscep/mscep.dll');
  await expect(form.getByText('must use https://')).toBeVisible();
  await form.getByLabel('Subject').fill('Duo Trusted Endpoints');
  await expect(form.getByText('is not of the form NAME=value')).toBeVisible();
  await form.getByLabel('Subject').scrollIntoViewIfNeeded();
  await shot('profile-validation');

  await form.getByLabel('SCEP URL').fill(server.url);
  await expect(form.getByText('must use https://')).toHaveCount(0);
  await form.getByLabel('Username').fill(NDES_ACCOUNT.user);
  await form.getByLabel('Password', { exact: true }).fill(NDES_ACCOUNT.password);
  await form.getByLabel('Challenge URL').fill(ndes.url);
  await form.getByLabel('Subject').fill(SUBJECT);
  await expect(form.getByRole('checkbox', { name: 'Use as digital signature' })).toBeChecked();
  await shot('profile-filled');
  await form.getByRole('button', { name: 'Create CA profile' }).click();
  await expect(app.getByText('CA profile saved.')).toBeVisible();
  await expect(form.getByLabel('Password', { exact: true })).toHaveValue('');
  await expect(form.getByLabel('Password', { exact: true })).toHaveAttribute('placeholder', /Stored in the keychain/);
  expect(await tec.core.services.secrets.get(secretAccount.caPassword(integration.id))).toBe(NDES_ACCOUNT.password);
  const stored = tec.core.services.db.prepare('SELECT * FROM ca_profiles WHERE integration_id = ?').get(integration.id);
  expect(JSON.stringify(stored)).not.toContain(NDES_ACCOUNT.password);

  await panel.getByRole('button', { name: 'Test Configuration' }).click();
  await expect(panel.getByText('Configuration test successful')).toBeVisible();
  const details = panel.getByRole('definition').filter({ hasText: /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/ });
  await expect(details).toHaveCount(1);
  const testCertificate = panel.getByLabel('Test certificate');
  await expect(testCertificate).toContainText(SUBJECT);
  await expect(testCertificate).toContainText('Digital signature');
  await testCertificate.scrollIntoViewIfNeeded();
  await shot('test-passed');
  expect(ndes.requests.length).toBeGreaterThan(0);

  const [recorded] = (await tec.core.handlers['certificates.list']({ integrationId: integration.id, limit: 10 }, { signal: new AbortController().signal }))
    .certificates;
  expect(recorded).toMatchObject({ purpose: 'test', status: 'active', subject: SUBJECT });
  await expect(details).toHaveText(recorded!.sha256Fingerprint);

  // The inventory shows it with status, validity, fingerprint and integration.
  const table = app.getByRole('table', { name: 'Certificate inventory' });
  const row = table.getByRole('row').filter({ hasText: recorded!.sha256Fingerprint });
  await expect(row).toContainText('Active');
  await expect(row).toContainText('E2E Legacy Certs');
  await expect(row).toContainText('Test certificate');
  await expect(row).toContainText(SUBJECT);
  await app.getByLabel('Integration', { exact: true }).selectOption({ label: 'E2E Legacy Certs' });
  await expect(table.getByRole('row')).toHaveCount(2);
  await app.getByRole('heading', { name: 'Inventory' }).scrollIntoViewIfNeeded();
  await shot('inventory');
  await app.getByLabel('Status', { exact: true }).selectOption('expired');
  await expect(app.getByText('No certificates match this filter')).toBeVisible();
  await app.getByLabel('Status', { exact: true }).selectOption('');
  await expect(table.getByRole('row')).toHaveCount(2);

  // The test key leaves memory only when the admin asks, once.
  const keyFile = path.join(tec.dataDir, 'exported-test-key.pem');
  await panel.getByLabel('Save to file (full path)').fill(keyFile);
  await panel.getByRole('button', { name: 'Save private key' }).click();
  await expect(panel.getByText('Private key written to')).toBeVisible();
  expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
});

test('Test Configuration shows its progress, can be cancelled, and explains a rejected challenge', async ({ app, tec }) => {
  const shot = shooter(app, 'certificates-test');
  const integration = await tec.core.services.integrations.create({ name: 'E2E Legacy Typed', platform: 'ios-certs', acknowledgeLegacy: true });
  await tec.core.services.caProfiles.save({
    integrationId: integration.id,
    name: 'Duo CA',
    caType: 'microsoft',
    scepUrl: peer.url,
    username: NDES_ACCOUNT.user,
    subject: 'CN=Duo Trusted Endpoints Typed,O=Acme',
  });
  const before = (await tec.core.handlers['certificates.list']({ integrationId: integration.id, limit: 10 }, { signal: new AbortController().signal })).counts;
  // The CA's answer is held back until the test is cancelled, as a slow NDES server would.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  peer.handler = async (exchange) => {
    if (exchange.operation === 'PKIOperation') await held;
    return exchange.forward();
  };

  await app.reload();
  await app.getByRole('button', { name: 'Certificates', exact: true }).click();
  const panel = app.getByRole('region', { name: 'CA profile of “E2E Legacy Typed”' });
  await panel.getByRole('button', { name: 'Test Configuration' }).click();
  await expect(panel.getByText('Enter a challenge password from the CA')).toBeVisible();
  await panel.getByLabel('Challenge password').fill(PAGE_PASSWORD);
  await panel.getByRole('button', { name: 'Test Configuration' }).click();
  await expect(panel.getByRole('progressbar', { name: 'Test Configuration in progress' })).toBeVisible();
  await expect(panel.getByRole('status')).toContainText('Requesting a test certificate for CN=Duo Trusted Endpoints Typed,O=Acme');
  await panel.getByRole('status').scrollIntoViewIfNeeded();
  await shot('progress');
  await panel.getByRole('button', { name: 'Cancel test' }).click();
  await expect(panel.getByText('Test cancelled. Nothing was recorded.')).toBeVisible();
  release();
  peer.reset();

  await panel.getByLabel('Challenge password').fill('NOT-THE-CHALLENGE');
  await panel.getByRole('button', { name: 'Test Configuration' }).click();
  const failure = panel.getByRole('alert');
  await expect(failure).toContainText('Configuration test failed.');
  await expect(failure).toContainText('SCEP_CHALLENGE_REJECTED');
  await expect(failure).toContainText('connector is registered and online');
  await failure.scrollIntoViewIfNeeded();
  await shot('challenge-rejected');
  const after = (await tec.core.handlers['certificates.list']({ integrationId: integration.id, limit: 10 }, { signal: new AbortController().signal })).counts;
  expect(after).toEqual(before);
});

test('a legacy integration\'s page holds its CA profile', async ({ app, tec }) => {
  await tec.core.services.integrations.create({ name: 'E2E Legacy Detail', platform: 'ios-certs', acknowledgeLegacy: true });
  await app.reload();
  await app.getByRole('button', { name: 'E2E Legacy Detail', exact: true }).click();
  const panel = app.getByRole('region', { name: 'Certificate authority (Duo CA)' });
  await expect(panel.getByRole('form', { name: 'CA profile' })).toBeVisible();
  await expect(panel.getByText('Save the CA profile to test it.')).toBeVisible();
  await panel.scrollIntoViewIfNeeded();
  await shooter(app, 'certificates-detail')('ca-profile-on-integration-page');
});
