/**
 * `npm run screenshots`: the README's pictures, made the way an admin sees the console. A simulated tenant, the real
 * core in a fresh data directory and the web test rig; Debian's Chromium at 1280×720 photographs the integrations
 * page, the device explorer and a trust verdict into docs/screenshots/. Run after `electron-vite build` (the npm
 * script does both). TEC_CHROMIUM overrides the browser, as for the Playwright suite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createCore } from '../../src-main/core/app/composition-root';
import { startSimulator } from '../simulator/ivanti-simulator';
import { startRig } from '../rig/rig-server';

const OUT_DIR = path.resolve('docs/screenshots');
const VIEWPORT = { width: 1280, height: 720 };

async function run(): Promise<void> {
  const sim = await startSimulator({ devices: 400, seed: 'readme-screenshots' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-screenshots-'));
  const core = createCore({ dataDir, version: 'screenshots', transport: 'web-test-rig' });
  const browser = await chromium.launch({ executablePath: process.env.TEC_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const { integrations, sync } = core.services;
    const details = { domain: sim.domain, email: sim.credentials.email, password: sim.credentials.password };
    const android = await integrations.create({ name: 'Acme Android', platform: 'android', ...details });
    const ios = await integrations.create({ name: 'Acme iOS', platform: 'ios-appconfig', ...details });
    await integrations.enterConfigurationKey(android.id, 'DPK0W0KLPJLOGSKHTDD');
    await integrations.enterConfigurationKey(ios.id, 'DPK7Q2M9XR4TB8NV3LC');
    await integrations.setStatus(android.id, 'all-users');
    await integrations.setStatus(ios.id, 'test-group', ['ada.lovelace@acmecorp.example']);
    for (const id of [android.id, ios.id]) await (await sync.start(id, 'manual')).finished;

    const device = [...sim.expectedDevices()].find((d) => d.platformType === 'ANDROID' && d.registrationState === 'ACTIVE' && typeof d.clientDeviceIdentifier === 'string');
    if (!device) throw new Error('the simulated tenant has no active Android device with a Device Client ID');

    const rig = await startRig({ core, rendererDir: path.resolve('out/renderer') });
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(rig.url);
      fs.mkdirSync(OUT_DIR, { recursive: true });
      const shoot = (name: string) => page.screenshot({ path: path.join(OUT_DIR, `${name}.png`) });

      await page.getByRole('button', { name: 'Acme Android', exact: true }).waitFor();
      await shoot('integrations');

      await page.getByLabel('Username').fill(String(device.uid));
      await page.getByLabel('Device Client ID').fill(String(device.clientDeviceIdentifier));
      await page.getByRole('button', { name: 'Verify' }).click();
      const verdict = page.getByTestId('trust-verdict');
      await verdict.waitFor();
      const answer = (await verdict.textContent()) ?? '';
      if (!answer.startsWith('Trusted for')) throw new Error(`expected a trusted verdict for the README, got: ${answer.slice(0, 200)}`);
      await verdict.scrollIntoViewIfNeeded();
      await shoot('verdict');

      await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Devices', exact: true }).click();
      await page.getByRole('columnheader', { name: 'Trust' }).waitFor();
      await page.getByRole('cell', { name: /^Trusted: / }).first().waitFor();
      await shoot('explorer');
      process.stdout.write(`Wrote integrations.png, verdict.png and explorer.png to ${OUT_DIR}\n`);
    } finally {
      await rig.close();
    }
  } finally {
    await browser.close();
    await core.close();
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
