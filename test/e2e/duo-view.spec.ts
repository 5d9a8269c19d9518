import { startDuoDouble, type RunningDuoDouble } from '../duo/duo-admin-double';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot, test, type RigFixture } from './rig-fixture';

let tenant: RunningSimulator;
let duo: RunningDuoDouble;

test.beforeAll(async () => {
  tenant = await startSimulator({ devices: 300, seed: 'duo-compare', spaces: [{ id: 1, name: 'Default Space', defaultSpace: true }] });
  duo = await startDuoDouble({ ivantiDevices: tenant.expectedDevices(), users: 40, seed: 'duo-compare' });
});

test.afterAll(async () => {
  await duo?.close();
  await tenant?.close();
});

/** Android and iOS App Config integrations enabled for all users and synced, then a read from the Duo double. */
async function syncedAndRead({ core }: RigFixture) {
  for (const platform of ['android', 'ios-appconfig'] as const) {
    const integration = await core.services.integrations.create({ name: `Acme ${platform}`, platform, domain: tenant.domain, email: tenant.credentials.email, password: tenant.credentials.password });
    await core.services.integrations.setStatus(integration.id, 'all-users');
    await (await core.services.sync.start(integration.id, 'manual')).finished;
  }
  await core.services.duo.connect({ apiHostname: duo.apiHostname, ...duo.credentials });
  await core.services.duo.read(undefined);
  const list = core.services.duoComparison.disagreements();
  const disagreeing = list.items.find((i) => i.match.identifier)!;
  // An agreeing endpoint: compared, no disagreement, with a synced identifier.
  let agreeing: { username: string; identifier: string } | null = null;
  for (const user of new Set(duo.endpoints().map((e) => e.username))) {
    const hit = core.services.duoComparison.userView(user).endpoints.find((e) => e.predicted !== null && e.trustedEndpoint !== null && !e.disagreement && e.match.identifier);
    if (hit) {
      agreeing = { username: user, identifier: hit.match.identifier! };
      break;
    }
  }
  return { disagreeing: { username: disagreeing.username, identifier: disagreeing.match.identifier!, epkey: disagreeing.epkey }, agreeing: agreeing!, count: list.items.length };
}

test.describe("Duo's view beside the console's", () => {
  test('the verify panel shows Duo\'s endpoints beside the prediction, for an agreeing and a disagreeing device; the overview lists disagreements', async ({ freshTec, freshApp: app }) => {
    const { agreeing, disagreeing, count } = await syncedAndRead(freshTec);
    await app.reload();
    await app.getByRole('button', { name: 'Integrations', exact: true }).click();
    const verify = app.getByRole('region', { name: 'Verify your setup' });

    await verify.getByLabel('Username').fill(agreeing.username);
    await verify.getByLabel('Device Client ID').fill(agreeing.identifier);
    await verify.getByRole('button', { name: 'Verify' }).click();
    const agreeView = verify.getByRole('table', { name: `Duo's endpoints for ${agreeing.username}` });
    await expect(agreeView).toBeVisible();
    await expect(agreeView.getByRole('row').filter({ hasText: agreeing.identifier })).not.toContainText('Disagreement');
    await verify.scrollIntoViewIfNeeded();
    await screenshot(app, 'duo-view-01-agreeing');

    await verify.getByLabel('Username').fill(disagreeing.username);
    await verify.getByLabel('Device Client ID').fill(disagreeing.identifier);
    await verify.getByRole('button', { name: 'Verify' }).click();
    const disagreeView = verify.getByRole('table', { name: `Duo's endpoints for ${disagreeing.username}` });
    const row = disagreeView.getByRole('row').filter({ hasText: disagreeing.epkey });
    await expect(row).toContainText('Disagreement.');
    await expect(row).toContainText('By identifier');
    await screenshot(app, 'duo-view-02-disagreeing');

    await app.getByRole('button', { name: 'Overview', exact: true }).click();
    const panel = app.getByRole('region', { name: 'Duo and the console disagree' });
    await expect(panel.getByRole('status').first()).toContainText(`${count} disagreement`);
    const table = panel.getByRole('table', { name: 'Disagreements between Duo and the console' });
    await expect(table.getByRole('row')).toHaveCount(count + 1);
    await panel.getByRole('button', { name: 'Export CSV' }).click();
    await expect(panel.getByText(/Exported \d+ to .*duo-disagreements-.*\.csv/)).toBeVisible();
    await panel.scrollIntoViewIfNeeded();
    await screenshot(app, 'duo-view-03-disagreements');
  });
});
