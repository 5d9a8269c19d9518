import { expect, screenshot, test } from './rig-fixture';
import { stepHeading } from './wizard-steps';

test('the first steps of the wizard work with the keyboard alone, and focus follows each step', async ({ app, tec }) => {
  await app.getByRole('button', { name: /^Add (your first )?integration$/ }).focus();
  await app.keyboard.press('Enter');
  await expect(stepHeading(app, 'Device management tool')).toBeFocused();

  await app.keyboard.press('Tab');
  await expect(app.getByRole('radio', { name: /Ivanti Neurons for MDM/ })).toBeFocused();
  await app.keyboard.press('Space');
  await expect(app.getByRole('radio', { name: /Ivanti Neurons for MDM/ })).toBeChecked();
  await app.keyboard.press('Tab'); // Back is disabled on the first step, so Tab reaches Next
  await expect(app.getByRole('button', { name: 'Next' })).toBeFocused();
  await app.keyboard.press('Enter');

  await expect(stepHeading(app, 'Platform')).toBeFocused();
  await app.keyboard.press('Tab');
  await expect(app.getByLabel('Integration name')).toBeFocused();
  await app.keyboard.type('Keyboard Android');
  await app.keyboard.press('Tab');
  await expect(app.getByRole('radio', { name: /^Android/ })).toBeFocused();
  await app.keyboard.press('Space');
  await app.keyboard.press('Shift+Tab');
  await app.keyboard.press('Enter'); // submits the step from the name field
  await expect(stepHeading(app, 'Values for Ivanti')).toBeFocused();
  await screenshot(app, 'wizard-keyboard-values');
  expect((await tec.core.services.integrations.list()).find((i) => i.name === 'Keyboard Android')?.status).toBe('disabled');
});
