import fs from 'node:fs';
import { seedDevices, seedFollowUpRun } from '../support/seed-devices';
import { expect, screenshot, test } from './rig-fixture';

/**
 * The audit in Chromium: the hash-chained log verifies, then names the exact entry someone edited in the database;
 * sync runs show their per-device diffs and export them; "Check if devices have synced" answers found and not found.
 */
test.describe.configure({ mode: 'serial' });

let integrationId = '';
let firstSeq = 0;

test.beforeAll(async ({ tec }) => {
  const now = Date.now();
  integrationId = seedDevices(tec.core.services.db, { count: 2_000, seed: 'e2e-audit', referenceTime: now - 3_600_000, integration: { name: 'Audited tenant' } }).integrationId;
  seedFollowUpRun(tec.core.services.db, { integrationId, changed: 30, removed: 12, at: now });
  firstSeq = tec.core.services.audit.append({ actor: 'admin', action: 'integration.status-changed', target: integrationId, details: { to: 'all-users' } }).seq;
  for (let i = 0; i < 5; i++) tec.core.services.audit.append({ actor: 'admin', action: 'settings.changed', details: { syncIntervalMinutes: 30 + i } });
});

test.afterAll(async ({ tec }) => {
  tec.core.services.db.prepare('DELETE FROM integrations WHERE id = ?').run(integrationId);
  tec.core.services.searchIndex.catchUp();
});

test('the audit log verifies, and names exactly the entry that was edited in the database', async ({ app, tec }) => {
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Audit', exact: true }).click();
  await app.getByRole('button', { name: 'Verify log integrity' }).click();
  const entries = tec.core.services.audit.verify().checked;
  await expect(app.getByTestId('audit-verification')).toHaveText(new RegExp(`^All ${entries} entries are intact`));

  const seq = firstSeq + 2;
  const db = tec.core.services.db;
  const original = db.prepare('SELECT details FROM audit_log WHERE seq = ?').pluck().get(seq) as string;
  db.prepare('UPDATE audit_log SET details = ? WHERE seq = ?').run(original.replace('31', '91'), seq);
  try {
    await app.getByRole('button', { name: 'Verify log integrity' }).click();
    await expect(app.getByTestId('audit-verification')).toContainText(`The log was altered at entry #${seq}`);
    await expect(app.getByTestId('audit-verification')).toContainText(`The ${seq - 1} entries before it are intact`);
    await screenshot(app, 'audit-01-tampered');
  } finally {
    db.prepare('UPDATE audit_log SET details = ? WHERE seq = ?').run(original, seq);
  }

  await app.getByRole('button', { name: 'Export audit log as CSV' }).click();
  const group = app.getByRole('group', { name: 'Export audit log' });
  await expect(group.getByText(/Exported [\d,]+ to/)).toBeVisible();
  const file = await group.getByLabel('export file', { exact: true }).innerText();
  expect(fs.readFileSync(file, 'utf8').startsWith('\uFEFFseq,at,atMs,actor,action,target,details,prevHash,hash\r\n')).toBe(true);
});

test('sync runs show what each one added, changed and removed, and export that diff', async ({ app, tec }) => {
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Audit', exact: true }).click();
  await app.getByRole('tab', { name: 'Sync runs' }).click();
  await app.getByLabel('Integration', { exact: true }).selectOption({ label: 'Audited tenant' });
  const history = app.getByRole('table', { name: 'Sync history' });
  await expect(history.getByRole('row')).toHaveCount(3);
  await history.getByRole('button', { name: /Show the changes/ }).first().click();
  const changes = app.getByRole('region', { name: /Changes of run/ });
  await expect(changes).toContainText('registrationState');
  await expect(changes.getByRole('row')).toHaveCount(30 + 12 + 1);
  await screenshot(app, 'audit-02-sync-run-diff');

  await app.getByRole('button', { name: /Export the changes of run \d+ as CSV/ }).click();
  const group = app.getByRole('group', { name: /Export the changes of run/ });
  await expect(group.getByText(/Exported 42 to/)).toBeVisible();
  const file = await group.getByLabel('export file', { exact: true }).innerText();
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\r\n');
  // One line per changed field (the registration state here) and one per removed device, under the header.
  expect(lines).toHaveLength(1 + 30 + 12);
  expect(tec.core.services.audit.list({ limit: 1 })[0].action).toBe('export.created');
});

test('"Check if devices have synced" answers found with the device, and not found with what to do', async ({ app, tec }) => {
  const device = tec.core.services.db
    .prepare("SELECT client_device_identifier, device_name FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND client_device_identifier IS NOT NULL AND removed_at IS NULL LIMIT 1")
    .get(integrationId) as { client_device_identifier: string; device_name: string };
  await app.getByRole('button', { name: 'Audited tenant', exact: true }).click();
  const check = app.locator('[data-feature="device-sync-check"]');
  await check.getByLabel('Device Client ID').fill(device.client_device_identifier);
  await check.getByRole('button', { name: 'Check' }).click();
  await expect(check.getByRole('status')).toContainText('Found');
  await expect(check.getByRole('status')).toContainText(device.device_name);
  await expect(check.getByRole('status')).toContainText('Last synced');
  await check.scrollIntoViewIfNeeded();
  await screenshot(app, 'audit-03-sync-check-found');
  await check.getByLabel('Device Client ID').fill('0123456789abcdef-not-synced');
  await check.getByRole('button', { name: 'Check' }).click();
  await expect(check.getByRole('status')).toContainText('Not found');
  await expect(check.getByRole('status')).toContainText('Overview → Settings');
  await expect(check.getByRole('status')).toContainText('Check the API configuration');
  await expect(check.getByRole('status')).toContainText('Wait for the next sync');
  await check.getByRole('status').scrollIntoViewIfNeeded();
  await screenshot(app, 'audit-04-sync-check-not-found');
});
