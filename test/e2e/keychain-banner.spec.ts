import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

/**
 * A console whose OS keychain does not answer: the rig runs in a process of its own whose session bus is gone (libsecret
 * binds to one bus per process). It must open, say why, and offer to ask again.
 */
async function startRigWithoutKeychain(dataDir: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(path.resolve('node_modules/.bin/tsx'), ['test/rig/start-rig.ts'], {
    env: { ...process.env, TEC_DATA_DIR: dataDir, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tec-no-bus', DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Open: (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the rig exited (${code}) before printing its URL:\n${out}`)));
  });
  return { url, process: child };
}

test('without a keychain the console opens, says why in a banner, and still works', async ({ page }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-e2e-no-keychain-'));
  const rig = await startRigWithoutKeychain(dataDir);
  try {
    await page.goto(rig.url);
    const banner = page.getByRole('status', { name: 'Keychain unavailable' });
    await expect(banner).toContainText('The system keychain is not available.');
    await expect(banner).toContainText('No Secret Service is running in this session');
    await expect(banner).toContainText('start and unlock GNOME Keyring or KWallet');
    await banner.getByRole('button', { name: 'Check again' }).click();
    await expect(banner).toBeVisible();
    // Everything that needs no password still works.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Devices', exact: true }).click();
    await expect(page.getByRole('main')).toHaveAttribute('aria-label', 'Devices');
  } finally {
    rig.process.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
