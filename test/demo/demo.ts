/**
 * `npm run demo [-- --web] [--devices N]`: the whole flow without a tenant. Starts the Ivanti Neurons simulator on
 * 127.0.0.1 with a few thousand devices, creates (or updates) a clearly labelled demo integration pointing at it in a
 * demo data directory (.tec-demo-data/ in the checkout, never the app's real one) with the simulator's demo password
 * in the OS keychain, then opens the app on that data directory (`npm start`). With --web it serves the
 * same UI and services through the web test rig instead and prints the URL, for machines without a display or an
 * Electron binary. Ctrl-C stops everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { callChannel } from '../../src-main/cli/channel-call';
import { startRig } from '../rig/rig-server';
import { startSimulator } from '../simulator/ivanti-simulator';
import { startDuoDouble } from '../duo/duo-admin-double';
import { SYNC_WORKER_SOURCE } from '../support/sync-worker-source';

const ROOT = path.resolve(__dirname, '../..');
export const DEMO_INTEGRATION_NAME = 'Demo tenant (simulator)';
const DATA_DIR = path.resolve(process.env.TEC_DATA_DIR ?? path.join(ROOT, '.tec-demo-data'));
const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { web: { type: 'boolean', default: false }, devices: { type: 'string', default: '3000' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run demo [-- --web] [--devices N]\n');
    return;
  }
  const simulator = await startSimulator({ devices: Number(values.devices), seed: 'demo' });
  const duo = await startDuoDouble({ ivantiDevices: simulator.expectedDevices(), seed: 'demo' });
  const core = createCore({ dataDir: DATA_DIR, version: 'demo', transport: values.web ? 'web-test-rig' : 'cli', actor: 'demo', syncWorker: SYNC_WORKER_SOURCE });
  let closed = false;
  const stopAll = async () => {
    if (closed) return;
    closed = true;
    await core.close();
    await simulator.close();
    await duo.close();
  };
  try {
    const integration = await seedDemoIntegration(core, simulator.domain, simulator.credentials);
    // The Duo double's demo secret key goes to the keychain like a real one.
    await callChannel(core, 'duo.connect', { apiHostname: duo.apiHostname, ...duo.credentials }, new AbortController().signal);
    process.stdout.write(
      [
        `Ivanti Neurons simulator: ${simulator.url} (${simulator.deviceCount()} devices in ${simulator.spaces().length} spaces)`,
        `Demo integration: "${integration.name}" (${integration.platform}), password in the OS keychain`,
        `Duo Admin API double: ${duo.url} (${duo.users().length} users, ${duo.endpoints().length} endpoints), connected in Settings`,
        `Data directory: ${DATA_DIR}`,
        'In the app: Integrations → the demo integration → Test Configuration, then Sync → Run now.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  if (values.web) {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      process.stdout.write('Building the renderer (npx electron-vite build)…\n');
      const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('electron-vite build failed');
    }
    const rig = await startRig({ core, rendererDir: RENDERER_DIR });
    process.stdout.write(`Web test rig (a testing tool, not the product) on ${rig.origin}\nOpen: ${rig.url}\nPress Ctrl-C to stop.\n`);
    const stop = () => void rig.close().then(stopAll);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  // The app opens the database itself; this process keeps only the simulator.
  await core.close();
  closed = true;
  // npm start: fetches Electron and builds better-sqlite3 for it on first use (resources/start/prepare-electron.mjs).
  const app = spawn('npm', ['run', '-s', 'start'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TEC_DATA_DIR: DATA_DIR } });
  const stop = () => app.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  app.once('exit', (code) => {
    if (code !== 0) process.stderr.write('The app did not start (see the message above; no display?). Try: npm run demo -- --web\n');
    void Promise.all([simulator.close(), duo.close()]).then(() => process.exit(code ?? 0));
  });
}

/** Creates the demo integration, or points the existing one at this run's simulator port. */
async function seedDemoIntegration(core: Core, domain: string, credentials: { email: string; password: string }) {
  const signal = new AbortController().signal;
  const existing = (await callChannel(core, 'integrations.list', {}, signal)).find((i) => i.name === DEMO_INTEGRATION_NAME);
  const details = { domain, email: credentials.email, password: credentials.password };
  if (existing) return callChannel(core, 'integrations.updateApiDetails', { id: existing.id, ...details }, signal);
  return callChannel(core, 'integrations.create', { name: DEMO_INTEGRATION_NAME, platform: 'android', ...details }, signal);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`demo: ${message}\n`);
  if (/SECRET_STORE_UNAVAILABLE/.test(message)) {
    process.stderr.write('No OS keychain answered. On a headless Linux machine run: test/support/with-keyring.sh npm run demo -- --web\n');
  }
  process.exitCode = 1;
});
