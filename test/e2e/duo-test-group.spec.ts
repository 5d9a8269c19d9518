import { startDuoDouble, PILOT_GROUP_NAME, type RunningDuoDouble } from '../duo/duo-admin-double';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot, test } from './rig-fixture';

let tenant: RunningSimulator;
let duo: RunningDuoDouble;

test.beforeAll(async () => {
  tenant = await startSimulator({ devices: 50, seed: 'duo-test-group' });
  duo = await startDuoDouble({ ivantiDevices: tenant.expectedDevices(), users: 40, seed: 'duo-test-group' });
});

test.afterAll(async () => {
  await duo?.close();
  await tenant?.close();
});

test.describe('the test group is a Duo group once Duo is connected', () => {
  test("picks the test group from Duo's groups, with its membership as read from Duo", async ({ freshTec, freshApp: app }) => {
    const { core } = freshTec;
    const created = await core.services.integrations.create({ name: 'Pilot Android', platform: 'android' });
    await core.services.duo.connect({ apiHostname: duo.apiHostname, ...duo.credentials });
    await core.services.duo.read(undefined);
    const pilot = duo.groups().find((g) => g.name === PILOT_GROUP_NAME)!;
    await app.reload();
    await app.getByRole('button', { name: 'Integrations', exact: true }).click();
    await app.getByRole('button', { name: 'Pilot Android', exact: true }).click();

    const status = app.getByRole('form', { name: 'Integration status' });
    await status.getByRole('radio', { name: /Enabled for a test group/ }).check();
    const picker = status.getByRole('combobox', { name: 'Test group in Duo' });
    await expect(picker).toContainText(`${PILOT_GROUP_NAME} (${pilot.members.length} members)`);
    // Keyboard: the group is chosen from the list, not typed.
    await picker.focus();
    await picker.selectOption({ label: `${PILOT_GROUP_NAME} (${pilot.members.length} members)` });
    const members = status.getByRole('list', { name: `Members of ${PILOT_GROUP_NAME} in Duo` });
    await expect(members.getByRole('listitem')).toHaveCount(pilot.members.length);
    await expect(status.getByLabel('Test group usernames (one per line)')).toHaveCount(0);
    const matches = status.getByRole('list', { name: 'How these users match in Duo and Ivanti' });
    await expect(matches.getByRole('listitem')).toHaveCount(pilot.members.length);
    await expect(matches.getByRole('listitem').first()).toContainText('(matched by Duo username)');
    await screenshot(app, 'duo-test-group-01-picked');
    await status.getByRole('button', { name: 'Save status' }).click();
    await expect(app.getByText(`(Duo group “${PILOT_GROUP_NAME}”, ${pilot.members.length} users)`)).toBeVisible();

    const expected = duo
      .users()
      .filter((u) => pilot.members.includes(u.user_id))
      .map((u) => u.username.toLowerCase())
      .sort();
    const saved = await core.services.integrations.get(created.id);
    expect([...saved.testGroup].sort()).toEqual(expected);
    expect(saved.testGroupDuo).toEqual({ groupId: pilot.group_id, name: PILOT_GROUP_NAME });
    // Reopened, the editor shows the Duo group chosen, not a list of names.
    await app.reload();
    await app.getByRole('button', { name: 'Integrations', exact: true }).click();
    await app.getByRole('button', { name: 'Pilot Android', exact: true }).click();
    await expect(app.getByRole('form', { name: 'Integration status' }).getByRole('combobox', { name: 'Test group in Duo' })).toHaveValue(pilot.group_id);
    await expect(app.getByText(`Duo group id ${pilot.group_id}`)).toBeVisible();
    await screenshot(app, 'duo-test-group-02-saved');

    // Renamed in Duo and read again: the editor still finds the group, by its id.
    duo.renameGroup(pilot.group_id, 'Device trust pilot (renamed)');
    await core.services.duo.read(undefined);
    await app.reload();
    await app.getByRole('button', { name: 'Integrations', exact: true }).click();
    await app.getByRole('button', { name: 'Pilot Android', exact: true }).click();
    const reopened = app.getByRole('form', { name: 'Integration status' });
    await expect(reopened.getByRole('combobox', { name: 'Test group in Duo' })).toHaveValue(pilot.group_id);
    await expect(reopened.getByRole('combobox', { name: 'Test group in Duo' })).toContainText('Device trust pilot (renamed)');
    await expect(reopened.getByText(`Duo group id ${pilot.group_id}`)).toBeVisible();
    await reopened.getByText(`Duo group id ${pilot.group_id}`).scrollIntoViewIfNeeded();
    await screenshot(app, 'duo-test-group-03-renamed');

    // Typed instead: each name is matched to a Duo user by username, alias or email, and the list says which.
    const aliased = duo.users().find((u) => u.alias1)!;
    const plain = duo.users().find((u) => !u.alias1)!;
    await reopened.getByRole('combobox', { name: 'Test group in Duo' }).selectOption({ value: '' });
    await reopened.getByLabel('Test group usernames (one per line)').fill(`${aliased.alias1}\n${plain.email}\nnobody-here`);
    const typed = reopened.getByRole('list', { name: 'How these users match in Duo and Ivanti' });
    await expect(typed.getByRole('listitem')).toHaveCount(3);
    await expect(typed.getByRole('listitem').nth(0)).toContainText(`Duo user ${aliased.username} (matched by Duo alias)`);
    await expect(typed.getByRole('listitem').nth(1)).toContainText(`Duo user ${plain.username} (matched by Duo email)`);
    await expect(typed.getByRole('listitem').nth(2)).toContainText('not a Duo user in the last read');
    await typed.scrollIntoViewIfNeeded();
    await screenshot(app, 'duo-test-group-04-typed-matches');
  });
});
