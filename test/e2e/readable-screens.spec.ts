import type { Browser, Locator, Page } from '@playwright/test';
import { seedDevices, seedFollowUpRun } from '../support/seed-devices';
import { DESKTOP, overflowingElements, ZOOM_200 } from './layout';
import { expect, openConsolePage, screenshot, test, type ConsolePage } from './rig-fixture';

/**
 * Issue 18 points 4, 5 and 7 in Chromium: tables that stay inside their cards, charts an admin can read (words,
 * meaningful colour-blind-safe colours, a table of the same figures, empty states), and the keyboard: no frame round
 * the page on load, the navigation two Tabs away, a device drawer that keeps focus and gives it back to its row.
 * One console and one page for the file; screenshots test-results/screenshots/readable-*.png at 1280×720.
 */
test.describe.configure({ mode: 'serial' });

let shared: ConsolePage | undefined;
let tec: ConsolePage['tec'];
let page: Page;
let errors: ConsolePage['errors'];
let integrationId = '';

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  shared = await openConsolePage(browser);
  ({ tec, page, errors } = shared);
});

test.afterAll(async () => {
  await shared?.close();
});

test.afterEach(() => errors.check());

async function section(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('main')).toHaveAttribute('aria-label', name);
}

function seedRuns(): void {
  const now = Date.now();
  integrationId = seedDevices(tec.core.services.db, {
    count: 400,
    seed: 'e2e-readable',
    referenceTime: now - 3_600_000,
    integration: { name: 'Readable tenant with a rather long integration name', platform: 'android', status: 'all-users' },
  }).integrationId;
  seedFollowUpRun(tec.core.services.db, { integrationId, changed: 8, removed: 4, at: now - 600_000 });
  const insert = tec.core.services.db.prepare(
    `INSERT INTO sync_runs (integration_id, trigger, status, started_at, finished_at, complete, devices_seen, errors) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
  );
  insert.run(integrationId, 'manual', 'cancelled', now - 300_000, now - 290_000, 120, '[]');
  insert.run(
    integrationId,
    'scheduled',
    'failed',
    now - 120_000,
    now - 119_000,
    0,
    JSON.stringify([
      {
        code: 'IVANTI_SPACE_FORBIDDEN',
        space: 'EU Field Staff',
        message: 'The API user cannot read devices in space "EU Field Staff": give it the Device Read Only role in that space in Ivanti Neurons (Admin → Roles), then sync again.',
      },
    ]),
  );
  tec.core.services.searchIndex.catchUp();
}

test('an empty console says so on the overview instead of charts of zeros', async () => {
  await section('Overview');
  const empty = page.getByRole('heading', { name: 'No devices synced yet' });
  await expect(empty).toBeVisible();
  await expect(page.getByText('No devices.')).toHaveCount(0);
  await expect(page.getByText('0 (0%)')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Platforms' })).toHaveCount(0);
  await screenshot(page, 'readable-01-overview-empty');
});

test('the first load puts no frame round the page, and the navigation is two Tabs away', async () => {
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Connect your first Ivanti Neurons tenant' })).toBeVisible();
  // Nothing inside the page holds focus after a load, so no focus frame is drawn round the content.
  expect(await page.evaluate(() => document.activeElement === document.body || document.activeElement === null)).toBe(true);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await expect(nav.getByRole('button', { name: 'Integrations', exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toHaveAttribute('aria-label', 'Devices');
  // The chosen page has focus (so it is announced) but draws no frame round itself; one Shift+Tab is the navigation.
  const main = page.getByRole('main');
  await expect(main).toBeFocused();
  expect(await main.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('none');
  await page.keyboard.press('Shift+Tab');
  await expect(nav.getByRole('button', { name: 'Settings', exact: true })).toBeFocused();
  await screenshot(page, 'readable-02-keyboard-navigation');
});

test('charts use admin words, meaningful colours from the tokens, and a table of the same figures', async () => {
  seedRuns();
  await section('Overview');
  const states = page.getByRole('region', { name: 'Registration states' });
  await expect(states).toBeVisible();
  // Words, not Ivanti's enums, in the chart and in its table.
  await expect(states.getByRole('table', { name: 'Registration states: devices per value' })).toBeVisible();
  await expect(states.getByRole('button', { name: /Registration states, Retire pending$/ })).toBeVisible();
  await expect(states.getByText('RETIRE_PENDING')).toHaveCount(0);
  await expect(states.locator('svg').getByText('Retire pending')).toBeVisible();
  const platforms = page.getByRole('region', { name: 'Platforms' });
  await expect(platforms.locator('svg').getByText('WINDOWS_PHONE')).toHaveCount(0);
  await expect(platforms.getByRole('button', { name: /Platforms, Android$/ })).toBeVisible();

  // Each label sits on its own line: no two axis labels of a chart overlap.
  for (const chart of await page.locator('[data-chart]').all()) {
    const boxes = await chart.locator('.recharts-cartesian-axis-tick-value').evaluateAll((ticks) => ticks.map((t) => t.getBoundingClientRect().toJSON() as DOMRect));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        expect(overlap, `axis labels ${i} and ${j} of ${await chart.getAttribute('data-chart')} overlap`).toBe(false);
      }
    }
  }

  // Trusted / not trusted and compliant / not compliant take the good and bad tokens: never blue, never alike.
  const token = (name: string) => page.evaluate((n) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${n})`;
    document.body.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, name);
  const good = await token('--color-chart-good');
  const bad = await token('--color-chart-bad');
  const warn = await token('--color-chart-warn');
  expect(new Set([good, bad, warn]).size).toBe(3);
  const fills = async (chart: Locator) => chart.locator('.recharts-bar-rectangle path').evaluateAll((paths) => paths.map((p) => getComputedStyle(p).fill));
  const trust = page.getByRole('region', { name: 'Trust' });
  // Trusted, Not trusted, then Can't tell (none here).
  expect((await fills(trust)).slice(0, 2)).toEqual([good, bad]);
  // A warning is not a verdict: Retire pending takes the warning token of its own.
  const stateNames = await states.getByRole('rowheader').allInnerTexts();
  expect((await fills(states))[stateNames.indexOf('Retire pending')]).toBe(warn);
  // The bars come in the table's order (most devices first).
  const compliance = page.getByRole('region', { name: 'Compliance' });
  const complianceFills = await fills(compliance);
  const values = await compliance.getByRole('rowheader').allInnerTexts();
  expect(complianceFills[values.indexOf('Compliant')]).toBe(good);
  expect(complianceFills[values.indexOf('Not compliant')]).toBe(bad);
  for (const colour of [...(await fills(trust)), ...complianceFills.slice(0, 2)]) expect(isBlue(colour), `${colour} reads as blue`).toBe(false);

  // The chart itself is a picture: hidden from screen readers and out of the Tab order (axe: aria-hidden-focus).
  expect(await page.locator('.overview-chart-area [tabindex]:not([tabindex="-1"])').count()).toBe(0);
  await trust.scrollIntoViewIfNeeded();
  await screenshot(page, 'readable-03-overview-charts');

  // The table's value opens the explorer filtered on it, as the bar does.
  await states.getByRole('button', { name: /Registration states, Retire pending$/ }).click();
  await expect(page.getByLabel('Registration state')).toHaveValue('RETIRE_PENDING');
  await expect(page.getByLabel('Registration state').locator('option:checked')).toHaveText(/^Retire pending \(/);
});

test('the explorer shows its whole placeholder, the Integration column at 1366 px, and keeps the name in view', async () => {
  await section('Devices');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  const search = page.getByLabel('Search devices');
  const [textWidth, boxWidth] = await search.evaluate((input: HTMLInputElement) => {
    const style = getComputedStyle(input);
    const canvas = document.createElement('canvas').getContext('2d')!;
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const inner = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [canvas.measureText(input.placeholder).width, inner];
  });
  expect(textWidth, 'the search placeholder is cut off').toBeLessThanOrEqual(boxWidth);

  await page.setViewportSize({ width: 1366, height: 768 });
  const table = page.getByRole('table', { name: 'Devices' });
  const scroller = page.getByTestId('device-table-scroll');
  const integration = table.getByRole('columnheader', { name: 'Integration' });
  const inView = async (cell: Locator) => {
    const [c, s] = [await cell.boundingBox(), await scroller.boundingBox()];
    return c !== null && s !== null && c.x >= s.x - 1 && c.x + c.width <= s.x + s.width + 1;
  };
  expect(await inView(integration), 'the Integration column is off-screen at 1366 px').toBe(true);
  await screenshot(page, 'readable-04-explorer-1366');
  await page.setViewportSize(DESKTOP);

  // Scrolled sideways, then a row focused: the name column stays in view.
  await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  const row = table.locator('[role="row"][data-index="2"]');
  await row.focus();
  await page.keyboard.press('ArrowDown');
  const next = table.locator('[role="row"][data-index="3"]');
  await expect(next).toBeFocused();
  expect(await inView(next.getByRole('cell').first()), 'the device name scrolled out of view').toBe(true);
  await screenshot(page, 'readable-05-explorer-row-focused');
});

test('the device drawer keeps focus inside, and Escape gives it back to the row it came from', async () => {
  const table = page.getByRole('table', { name: 'Devices' });
  const row = table.locator('[role="row"][data-index="3"]');
  await row.focus();
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog');
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('heading', { name: 'Raw record' })).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Close device details' })).toBeFocused();
  // Round the drawer's controls both ways, many times over: focus never lands outside it.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  await screenshot(page, 'readable-06-drawer-focus');
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  await expect(row).toBeFocused();
});

test('sync history stays inside its card after a cancelled run, and a failed sync says why across the table', async () => {
  await section('Integrations');
  await page.getByRole('button', { name: 'Readable tenant with a rather long integration name', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Device sync' });
  const history = panel.getByRole('table', { name: 'Sync history' });
  await expect(history.getByRole('row')).toHaveCount(1 + 4 + 1);
  await expect(history).toContainText('Cancelled');
  const reason = history.getByRole('row').filter({ hasText: 'Device Read Only role' });
  await expect(reason).toBeVisible();
  // The reason has the table's whole width, not a thin column.
  const [reasonBox, tableBox] = [await reason.getByRole('cell').boundingBox(), await history.boundingBox()];
  expect(reasonBox!.width).toBeGreaterThan(tableBox!.width * 0.9);
  for (const viewport of [DESKTOP, ZOOM_200]) {
    await page.setViewportSize(viewport);
    expect(await overflowingElements(page)).toEqual([]);
  }
  await page.setViewportSize(DESKTOP);
  await reason.scrollIntoViewIfNeeded();
  await screenshot(page, 'readable-07-sync-history');
});

test('the audit log names integrations, shows readable details, and filters on who, what, which integration and when', async () => {
  const audit = tec.core.services.audit;
  audit.append({ actor: 'alice', action: 'integration.status-changed', target: integrationId, details: { name: 'Readable tenant with a rather long integration name', from: 'disabled', to: 'all-users', testGroupMembers: ['a@acme.example', 'b@acme.example'] } });
  audit.append({ actor: 'bob', action: 'settings.changed', details: { syncIntervalMinutes: 45, staleAfterHours: 24 } });
  await section('Audit');
  const log = page.getByRole('table', { name: 'Audit log entries' });
  const statusRow = log.getByRole('row').filter({ hasText: 'Integration status changed' });
  await expect(statusRow).toContainText('Readable tenant with a rather long integration name');
  await expect(statusRow).not.toContainText(integrationId);
  await expect(statusRow).not.toContainText('{"');
  await expect(statusRow.getByRole('definition').filter({ hasText: 'all-users' })).toBeVisible();
  await expect(log.getByRole('row').filter({ hasText: 'Settings changed' })).toContainText('Sync interval minutes');

  const filters = page.getByRole('group', { name: 'Filter the audit log' });
  await filters.getByLabel('Who').selectOption('bob');
  await expect(log.getByRole('row')).toHaveCount(2);
  await filters.getByLabel('Who').selectOption('');
  await filters.getByLabel('Integration').selectOption({ label: 'Readable tenant with a rather long integration name' });
  await filters.getByLabel('Action').selectOption({ label: 'Integration status changed' });
  await expect(log.getByRole('row')).toHaveCount(2);
  const today = new Date();
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  await filters.getByLabel('To').fill(day(new Date(today.getTime() - 2 * 86_400_000)));
  await expect(page.getByText('No recorded action matches these filters.')).toBeVisible();
  await filters.getByLabel('To').fill(day(today));
  await expect(log.getByRole('row')).toHaveCount(2);
  for (const viewport of [DESKTOP, ZOOM_200]) {
    await page.setViewportSize(viewport);
    expect(await overflowingElements(page)).toEqual([]);
  }
  await page.setViewportSize(DESKTOP);
  await screenshot(page, 'readable-08-audit-filtered');
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await expect(log.getByRole('row').filter({ hasText: 'Settings changed' })).toBeVisible();
});

/** A hue between cyan and violet, saturated enough to read as blue. */
function isBlue(rgb: string): boolean {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((v) => v / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max - min < 0.15) return false;
  const hue = max === r ? (60 * ((g - b) / (max - min)) + 360) % 360 : max === g ? 60 * ((b - r) / (max - min)) + 120 : 60 * ((r - g) / (max - min)) + 240;
  return hue >= 190 && hue <= 260;
}
