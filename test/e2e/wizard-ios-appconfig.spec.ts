import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, test } from './rig-fixture';
import { activeIdentifier, DUO_KEY, enterApiDetails, failThenPassTestConfiguration, firstSyncIdentifierAndActivation, pasteDuoKey, shooter, startSetup, stepHeading } from './wizard-steps';

let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator({ devices: 300, seed: 'e2e-wizard-ios' });
});
test.afterAll(async () => {
  await sim.close();
});

test('an admin sets up iOS (App Config) end to end with the two STRING items, after turning down the legacy platform', async ({ app, tec }) => {
  const shot = shooter(app, 'wizard-ios');
  await startSetup(app);
  await app.getByRole('radio', { name: /Ivanti Neurons for MDM/ }).check();
  await shot('mdm');
  await app.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(app, 'Platform')).toBeVisible();
  await app.getByLabel('Integration name').fill('E2E iOS');
  // The legacy choice explains itself and points to App Config.
  await app.getByRole('radio', { name: /Certificates for iOS/ }).check();
  await expect(app.getByRole('group', { name: 'Legacy platform' })).toContainText('choose iOS (App Config)');
  await shot('platform-legacy-notice');
  await app.getByRole('button', { name: 'Create integration' }).click();
  await expect(app.getByRole('alert')).toContainText('end of life');
  await app.getByRole('button', { name: 'Use iOS (App Config) instead' }).click();
  await expect(app.getByRole('radio', { name: /^iOS \(App Config\)/ })).toBeChecked();
  await shot('platform');
  await app.getByRole('button', { name: 'Create integration' }).click();

  await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
  await pasteDuoKey(app);
  const items = app.getByRole('table', { name: 'Apple Managed App Configuration items' });
  const rows = items.getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('trustedEndpointConfigurationKey');
  await expect(rows.nth(1)).toContainText(DUO_KEY);
  await expect(rows.nth(1)).toContainText('STRING');
  await expect(rows.nth(2)).toContainText('trustedEndpointIdentifier');
  await expect(rows.nth(2)).toContainText('${deviceClientDeviceIdentifier}');
  await expect(rows.nth(2)).toContainText('STRING');
  await expect(items.getByRole('button', { name: /^Copy / })).toHaveCount(4);
  // The key names are ours until entered from Duo: the step says where Duo shows them.
  await expect(app.getByText(/Duo shows the two key names to use/)).toBeVisible();
  await shot('values');
  await app.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(app, 'Ivanti checklist')).toBeVisible();
  const checklist = app.getByRole('group', { name: 'In Ivanti Neurons' });
  await expect(checklist).toContainText('Duo Mobile is distributed as a managed app');
  await expect(checklist).toContainText('System Read Only');
  for (const box of await checklist.getByRole('checkbox').all()) await box.check();
  await shot('checklist');
  await app.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(app, 'API details')).toBeVisible();
  await enterApiDetails(app, { email: sim.credentials.email, password: 'wrong-password', domain: sim.domain });
  await shot('api-details');
  await app.getByRole('button', { name: 'Next' }).click();

  await failThenPassTestConfiguration(app, sim, shot);
  await firstSyncIdentifierAndActivation(app, { identifier: activeIdentifier(sim, 'IOS'), testGroup: ['carol@acme.example'], shot });

  const integration = (await tec.core.services.integrations.list()).find((i) => i.name === 'E2E iOS');
  expect(integration).toMatchObject({ platform: 'ios-appconfig', status: 'test-group', testGroup: ['carol@acme.example'] });
  // The whole walk wrote exactly one integration: the refused legacy attempt created nothing.
  expect((await tec.core.services.integrations.list()).filter((i) => i.name === 'E2E iOS')).toHaveLength(1);
});
