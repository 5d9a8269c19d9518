import { PassThrough, Readable } from 'node:stream';
import { runVerifyCommand } from '../../src-main/cli/commands/verify';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, test } from './rig-fixture';
import { activeIdentifier, DUO_KEY, enterApiDetails, pasteDuoKey, failThenPassTestConfiguration, firstSyncIdentifierAndActivation, shooter, startSetup, stepHeading } from './wizard-steps';

let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator({ devices: 300, seed: 'e2e-wizard-android' });
});
test.afterAll(async () => {
  await sim.close();
});

test('an admin sets up Android end to end, recovers from a wrong password, and verifies a device', async ({ app, tec }) => {
  const shot = shooter(app, 'wizard-android');
  await app.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tec.rig.origin });
  await startSetup(app);
  // The only device management tool is chosen already.
  await expect(app.getByRole('radio', { name: /Ivanti Neurons for MDM/ })).toBeChecked();
  await shot('mdm');
  await app.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(app, 'Platform')).toBeVisible();
  await app.getByRole('button', { name: 'Create integration' }).click();
  await expect(app.getByText('Give the integration a name.')).toBeVisible();
  await app.getByLabel('Integration name').fill('E2E Android');
  await app.getByRole('radio', { name: /^Android/ }).check();
  await shot('platform');
  await app.getByRole('button', { name: 'Create integration' }).click();

  await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
  await expect(app.getByText(/It is Disabled/)).toBeVisible();
  // No key is invented: the step asks for the one Duo shows, and Next waits for it.
  await expect(app.getByLabel('Trusted Endpoints Configuration Key field value', { exact: true })).toHaveCount(0);
  await app.getByRole('button', { name: 'Next' }).click();
  await expect(app.locator('#wizard-configuration-key-error')).toContainText('Paste the configuration key Duo shows');
  await app.getByLabel('Configuration key from Duo').fill('DPK0W0KLPJ');
  await app.getByRole('button', { name: 'Save the key' }).click();
  await expect(app.getByRole('alert').filter({ hasText: "doesn't look like the keys Duo shows" })).toBeVisible();
  await expect(app.getByRole('button', { name: 'Save the key' })).toBeDisabled();
  await shot('values-paste-key-warning');
  await pasteDuoKey(app);
  const key = (await app.getByLabel('Trusted Endpoints Configuration Key field value', { exact: true }).textContent()) ?? '';
  expect(key).toBe(DUO_KEY);
  await expect(app.getByLabel('Trusted Endpoint Identifier field value', { exact: true })).toHaveText('${deviceClientDeviceIdentifier}');
  await app.getByRole('button', { name: 'Copy Trusted Endpoints Configuration Key field value' }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  expect(await app.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await shot('values');
  await app.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(app, 'Ivanti checklist')).toBeVisible();
  // Guidance, not a gate: two items ticked, and the API details can be typed already, with what is open in sight.
  const boxes = await app.getByRole('group', { name: 'In Ivanti Neurons' }).getByRole('checkbox').all();
  for (const box of boxes.slice(0, 2)) await box.check();
  await expect(app.getByText('2 of 6 done.')).toBeVisible();
  await shot('checklist');
  await app.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(app, 'API details')).toBeVisible();
  await expect(app.getByRole('list', { name: 'Checklist items still open' }).getByRole('listitem')).toHaveCount(4);
  await app.getByLabel('Ivanti Neurons domain').fill('http://acme.mobileiron.com');
  await expect(app.getByText('Use https: the console sends the API password only over https.', { exact: false })).toBeVisible();
  await app.getByLabel('API user email (its Ivanti username)').fill('not-an-email');
  await app.getByLabel('API user email (its Ivanti username)').blur();
  await expect(app.getByText("Enter the API user's email address (its Ivanti username).")).toBeVisible();
  await shot('api-details-invalid');
  // A pasted address is cleaned to the domain in the field, and that is what the test and the sync use.
  await enterApiDetails(app, { email: sim.credentials.email, password: 'definitely-wrong', domain: `https://${sim.domain}/` });
  await app.getByLabel('Ivanti Neurons domain').blur();
  await expect(app.getByLabel('Ivanti Neurons domain')).toHaveValue(sim.domain);
  await shot('api-details');
  await app.getByRole('button', { name: 'Next' }).click();

  await failThenPassTestConfiguration(app, sim, shot);
  const identifier = activeIdentifier(sim, 'ANDROID');
  await firstSyncIdentifierAndActivation(app, { identifier, testGroup: ['alice@acme.example', 'bob@acme.example'], shot });

  const [integration] = (await tec.core.services.integrations.list()).filter((i) => i.name === 'E2E Android');
  expect(integration).toMatchObject({ platform: 'android', status: 'test-group', testGroup: ['alice@acme.example', 'bob@acme.example'], hasPassword: true, domain: sim.domain });

  // The integration's page, and "Verify your setup" for a member and a non-member of the test group.
  await app.getByRole('button', { name: 'Open the integration' }).click();
  await expect(app.getByRole('heading', { name: 'E2E Android', level: 1 })).toBeVisible();
  const verify = app.getByRole('region', { name: 'Verify your setup' });
  await verify.getByLabel('Username', { exact: true }).fill('alice@acme.example');
  await verify.getByLabel('Device Client ID').fill(identifier);
  await verify.getByRole('button', { name: 'Verify' }).click();
  const trusted = verify.getByRole('status').filter({ hasText: 'Trusted for alice@acme.example.' });
  await expect(trusted).toBeVisible();
  await trusted.scrollIntoViewIfNeeded();
  await shot('verify-trusted');
  await verify.getByLabel('Username', { exact: true }).fill('mallory@acme.example');
  await verify.getByRole('button', { name: 'Verify' }).click();
  // The deciding reason and the action come first.
  const lead = verify.getByTestId('trust-lead');
  await expect(lead).toContainText('This Android device is not in any Android integration enabled for mallory@acme.example.');
  await expect(verify.getByTestId('trust-action')).toContainText('Add mallory@acme.example to the test group of "E2E Android"');
  await lead.scrollIntoViewIfNeeded();
  await shot('verify-not-trusted');

  // tec verify, on the same data directory, gives the same verdict the page showed.
  const out: string[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  const code = await runVerifyCommand(['--user', 'mallory@acme.example', '--identifier', identifier, '--data-dir', tec.dataDir, '--json'], {
    stdout,
    stderr: new PassThrough(),
    stdin: Readable.from([]),
    env: {},
    signal: new AbortController().signal,
  });
  expect(code).toBe(7);
  // Other Android integrations in this data directory add their own reasons; this one's is exactly the test group.
  const reasons = JSON.parse(out.join('')).reasons as { code: string; integrationName: string }[];
  expect(reasons.filter((r) => r.integrationName === 'E2E Android').map((r) => r.code)).toEqual(['user-not-in-test-group']);
});
