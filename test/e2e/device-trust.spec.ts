/**
 * Issue 18 point 6 in the explorer: the Trust column (the trust verifier's device-level answer, with its reason on
 * hover) and ******** explained where it shows. Screenshot: test-results/screenshots/explorer-trust-column.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readCsvRecords } from '../support/csv-reader';
import { seedDevices } from '../support/seed-devices';
import { expect, screenshot, test } from './rig-fixture';

test('the explorer shows each device\'s trust answer, and explains masked values', async ({ freshApp: app, freshTec: tec }) => {
  const { db } = tec.core.services;
  const seeded = seedDevices(db, { count: 40, seed: 'e2e-trust-column', referenceTime: Date.now(), integration: { name: 'Trust Android', platform: 'android', status: 'all-users' } });
  // A GDPR privacy profile hides the user of some devices; one device is retired.
  db.prepare("UPDATE devices SET uid = '********' WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND id IN (SELECT id FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) ORDER BY id LIMIT 3)").run(
    seeded.integrationId,
    seeded.integrationId,
  );
  tec.core.services.searchIndex.catchUp();
  const { rows } = await tec.core.handlers['devices.search']({ query: {}, offset: 0, limit: 500 }, { signal: new AbortController().signal });
  const trusted = rows.find((r) => r.trust.answer === 'trusted')!;
  const refused = rows.find((r) => r.trust.answer === 'not-trusted')!;
  expect(trusted.trust.label).toBe('Trusted: all users');

  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Devices', exact: true }).click();
  const table = app.getByRole('table', { name: 'Devices' });
  await expect(table.getByRole('columnheader', { name: 'Trust' })).toBeVisible();
  await expect(table.getByRole('cell', { name: 'Trusted: all users' }).first()).toBeVisible();
  // The page's rows carry the same answers as the handler, reason on hover.
  const refusedCell = table.getByRole('cell', { name: refused.trust.label }).first();
  await expect(refusedCell).toBeVisible();
  await expect(refusedCell).toHaveAttribute('title', /.{20,}/);
  const masked = table.getByRole('cell', { name: '********' }).first();
  await expect(masked).toHaveAttribute('title', /GDPR privacy profile/);
  await expect(app.getByText(/: Ivanti shows \*+ where a GDPR privacy profile hides a value/)).toBeVisible();
  await screenshot(app, 'explorer-trust-column');

  // The rig has no OS save dialog: the export goes to the path typed, with the Trust column in the file.
  const target = path.join(tec.dataDir, 'chosen', 'fleet.csv');
  await app.getByLabel('Save the devices export to (full path; empty: the data folder\'s exports folder)').fill(target);
  await app.getByRole('button', { name: 'Export devices as CSV' }).click();
  await expect(app.getByText(/^Exported 40 to/)).toBeVisible();
  const { records } = readCsvRecords(fs.readFileSync(target, 'utf8'));
  expect(records).toHaveLength(40);
  expect(records.find((r) => r.guid === trusted.guid)).toMatchObject({ trust: 'trusted' });
  await expect(app.getByRole('button', { name: 'Show in folder' })).toHaveCount(0);
});
