/**
 * Issue 18 points 1-3 beyond the wizard walks: Test Configuration on an integration's page (the wizard's per-check
 * view), a discard that asks first, and the legacy values step that leads to Certificates.
 * Screenshots: test-results/screenshots/flows-NN-*.png.
 */
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot, test } from './rig-fixture';
import { stepHeading } from './wizard-steps';

let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator({ devices: 40, seed: 'e2e-flows' });
});
test.afterAll(async () => {
  await sim.close();
});

test('Test Configuration runs from the integration page with the same checks as the wizard', async ({ app, tec }) => {
  const { integrations } = tec.core.services;
  await integrations.create({ name: 'Flows Android', platform: 'android', domain: sim.domain, email: sim.credentials.email, password: sim.credentials.password });
  await integrations.create({ name: 'Flows wrong password', platform: 'android', domain: sim.domain, email: sim.credentials.email, password: 'not-the-password' });
  await app.reload();

  await app.getByRole('button', { name: 'Flows Android', exact: true }).click();
  const panel = app.getByRole('region', { name: 'Test Configuration' });
  await panel.getByRole('button', { name: 'Run Test Configuration' }).click();
  await expect(panel.getByText('Configuration successful.')).toBeVisible();
  const checks = panel.getByRole('list', { name: 'Test Configuration checks' });
  await expect(checks.getByRole('listitem')).toHaveCount(6);
  await expect(checks).toContainText("The API user's email and password are accepted");
  await expect(panel.getByRole('table', { name: 'Device spaces the API user can read' })).toBeVisible();
  await panel.scrollIntoViewIfNeeded();
  await screenshot(app, 'flows-01-test-configuration-passed');

  await app.getByRole('button', { name: /^← All integrations/ }).click();
  await app.getByRole('button', { name: 'Flows wrong password', exact: true }).click();
  const failing = app.getByRole('region', { name: 'Test Configuration' });
  await failing.getByRole('button', { name: 'Run Test Configuration' }).click();
  const failure = failing.getByRole('alert').filter({ hasText: 'failed.' });
  await expect(failure).toContainText('IVANTI_AUTH_REJECTED');
  await expect(failing.getByRole('list', { name: 'Test Configuration checks' })).toContainText('Not tried');
  await failing.scrollIntoViewIfNeeded();
  await screenshot(app, 'flows-02-test-configuration-failed');
  // The fix is in the API details, further down the same page.
  await failure.getByRole('button', { name: 'Change the API details' }).click();
  await expect(app.getByRole('button', { name: 'Edit API details' })).toBeFocused();
});

test('discarding an unfinished setup asks first, and Enter keeps it', async ({ app, tec }) => {
  const { wizard } = tec.core.services;
  const draft = await wizard.start({});
  await wizard.update(draft.id, { name: 'Half done' });
  await app.reload();
  const drafts = app.getByRole('region', { name: 'Unfinished setups' });
  await drafts.getByRole('button', { name: 'Discard setup of Half done' }).click();
  const confirm = drafts.getByRole('group', { name: 'Discard setup of Half done?' });
  await expect(confirm).toContainText('Its values and ticks are lost.');
  // Focus waits on the safe answer: a stray Enter keeps the setup.
  await expect(confirm.getByRole('button', { name: 'Keep the setup' })).toBeFocused();
  await screenshot(app, 'flows-03-discard-confirmation');
  await app.keyboard.press('Enter');
  await expect(confirm).toHaveCount(0);
  expect((await wizard.list()).map((d) => d.id)).toContain(draft.id);

  await drafts.getByRole('button', { name: 'Discard setup of Half done' }).click();
  await drafts.getByRole('button', { name: 'Discard setup', exact: true }).click();
  await expect(app.getByText('Discarded the setup of “Half done”.')).toBeVisible();
  expect((await wizard.list()).map((d) => d.id)).not.toContain(draft.id);
});

test('the legacy values step says what Ivanti holds and links to Certificates, keeping the setup', async ({ app }) => {
  await app.getByRole('button', { name: /^Add (your first )?integration$/ }).click();
  await expect(stepHeading(app, 'Device management tool')).toBeVisible();
  await app.getByRole('button', { name: 'Next' }).click();
  await app.getByLabel('Integration name').fill('Flows legacy');
  await app.getByRole('radio', { name: /^Certificates for iOS/ }).check();
  await app.getByRole('checkbox', { name: /I am recording an existing certificate integration/ }).check();
  await app.getByRole('button', { name: 'Create integration' }).click();

  await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
  await expect(app.getByText('An external certificate authority')).toBeVisible();
  await expect(app.getByText('No CA profile is recorded for this integration yet.')).toBeVisible();
  await screenshot(app, 'flows-04-legacy-values');
  await app.getByRole('button', { name: 'Open Certificates (this setup is kept)' }).click();
  await expect(app.getByRole('heading', { name: 'Certificates', level: 1 })).toBeVisible();
  // Back in Integrations, the setup is where it was.
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Integrations' }).click();
  await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
});
