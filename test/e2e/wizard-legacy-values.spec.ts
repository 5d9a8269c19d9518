import { DUO_CA_VALUES } from '../support/duo-ca-values';
import { expect, test } from './rig-fixture';
import { shooter, startSetup, stepHeading } from './wizard-steps';

test('a legacy certificate setup waits on the values step for the Duo CA values, entered from Duo, never made up', async ({ app, tec }) => {
  const shot = shooter(app, 'wizard-legacy');
  await startSetup(app);
  await app.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(app, 'Platform')).toBeVisible();
  await app.getByLabel('Integration name').fill('Old certs');
  await app.getByRole('radio', { name: /Certificates for iOS/ }).check();
  await app.getByRole('checkbox', { name: /I am recording an existing certificate integration/ }).check();
  await app.getByRole('button', { name: 'Create integration' }).click();

  await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
  await expect(app.getByText('No CA profile is recorded for this integration yet.', { exact: false })).toBeVisible();
  await app.getByRole('button', { name: 'Next' }).click();
  await expect(app.getByRole('alert').filter({ hasText: 'Record the Duo CA values first' })).toContainText('in the Duo Admin Panel');
  await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
  await shot('values-without-ca-profile');

  // Recorded from Duo's values (Certificates page, or as here through the same service), the step lets the admin on.
  const [integration] = await tec.core.services.integrations.list();
  await tec.core.services.caProfiles.save({
    integrationId: integration!.id,
    ...DUO_CA_VALUES,
  });
  await app.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(app, 'Ivanti checklist')).toBeVisible();
});
