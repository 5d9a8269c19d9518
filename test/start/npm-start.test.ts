import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { ALLOW_OLD_NODE_VAR, electronSqliteBindingPath, MINIMUM_NODE } from '../../resources/start/prepare-electron.mjs';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror';
import { scratchCheckout } from '../support/scratch-checkout';
import { standInElectronRelease, type StandInLaunch } from '../support/stand-in-electron';

/**
 * `npm start` (and `npm run dev`) from a fresh checkout, as a new user runs them: the package's own scripts, the real
 * electron-vite and Electron's own install.js, against a mirror on 127.0.0.1 that serves a stand-in Electron for this
 * OS (a Node script that records how it was launched and exits), in a scratch checkout whose Electron has no path.txt.
 *
 * What it cannot reach here: a real Electron (no download), and better-sqlite3 built for Electron's ABI (no Electron
 * headers). A file registering for Electron's ABI stands in for that build, so the start does not try to compile.
 */

const root = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const electronVersion: string = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const sqliteVersion: string = JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
// The ABI the start step checks the Electron build against, from the node-abi that @electron/rebuild ships with.
const nodeAbi = createRequire(join(root, 'node_modules', '@electron', 'rebuild', 'package.json'))('node-abi') as { getAbi(version: string, target: string): string };
const electronAbi = Number(nodeAbi.getAbi(electronVersion, 'electron'));
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const nodeIsOldForElectron = major < MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor < MINIMUM_NODE[1]);

let scratch: string;
let project: string;
let mirror: LoopbackMirror;
const recordFile = () => join(scratch, 'launches.jsonl');
const launches = (): StandInLaunch[] =>
  existsSync(recordFile()) ? readFileSync(recordFile(), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as StandInLaunch) : [];
const zipPath = `/v${electronVersion}/electron-v${electronVersion}-${process.platform}-${process.arch}.zip`;
const sqliteStandIn = () =>
  electronSqliteBindingPath({ nodeModules: join(project, 'node_modules'), sqliteVersion, electronVersion, platform: process.platform, arch: process.arch });

interface Run {
  code: number | null;
  output: string;
}

function npm(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A user's .npmrc mirror (npm_config_electron_*), CI's skip flag or an Electron path would change what is tested.
    if (value === undefined || /electron_(mirror|custom_dir|custom_filename)|^ELECTRON_(SKIP_BINARY_DOWNLOAD|EXEC_PATH|OVERRIDE_DIST_PATH|MIRROR)$/i.test(key)) continue;
    env[key] = value;
  }
  Object.assign(env, {
    ELECTRON_MIRROR: mirror.url,
    // The stand-in zip's checksum is not in Electron's bundled checksums.json: take it from the mirror's SHASUMS256.txt.
    electron_use_remote_checksums: '1',
    electron_config_cache: join(scratch, 'electron-cache'),
    ...(nodeIsOldForElectron ? { [ALLOW_OLD_NODE_VAR]: '1' } : {}),
    ...extraEnv,
  });
  return new Promise((done, fail) => {
    const child = spawn('npm', args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tec-npm-start-'));
  project = join(scratch, 'checkout');
  scratchCheckout(project);
  mirror = await startLoopbackMirror(standInElectronRelease(electronVersion, { platform: process.platform, arch: process.arch, launcher: { recordFile: recordFile() } }));
  mkdirSync(resolve(sqliteStandIn(), '..'), { recursive: true });
  writeFileSync(sqliteStandIn(), Buffer.from(`\x7fELF stand-in node_register_module_v${electronAbi}\x00`, 'latin1'));
}, 60_000);

afterAll(async () => {
  await mirror?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('npm start from a fresh checkout', () => {
  it('starts from a package without the Electron binary (no path.txt)', () => {
    expect(existsSync(join(project, 'node_modules', 'electron', 'path.txt'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'electron', 'install.js'))).toBe(true);
    expect(existsSync(join(project, 'out'))).toBe(false);
  });

  it('with ELECTRON_SKIP_BINARY_DOWNLOAD set, downloads nothing and says how to start', async () => {
    const run = await npm(['start'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toContain(`the Electron ${electronVersion} binary is not installed, and ELECTRON_SKIP_BINARY_DOWNLOAD is set`);
    expect(run.output).not.toContain('Electron uninstall');
    expect(mirror.requests).toEqual([]);
    expect(launches()).toEqual([]);
  });

  it('downloads Electron from the mirror, builds the app and launches Electron on the built main entry', async () => {
    const run = await npm(['start']);
    expect(run.code, run.output).toBe(0);
    expect(mirror.requests).toContain(zipPath);
    expect(mirror.requests).toContain(`/v${electronVersion}/SHASUMS256.txt`);
    expect(readFileSync(join(project, 'node_modules', 'electron', 'path.txt'), 'utf8')).not.toBe('');

    const [launch, ...more] = launches();
    expect(more).toEqual([]);
    // electron-vite launches `electron .` in the checkout: Electron then runs package.json's "main".
    expect(launch!.argv).toEqual(['.']);
    expect(launch!.cwd).toBe(project);
    expect(pkg.main).toBe('out/main/index.js');
    expect(existsSync(join(project, 'out', 'main', 'index.js'))).toBe(true);
    expect(existsSync(join(project, 'out', 'main', 'sync-worker.js'))).toBe(true);
    // The stand-in for better-sqlite3's Electron build was taken as it was, not rebuilt.
    expect(readFileSync(sqliteStandIn(), 'latin1')).toContain(`node_register_module_v${electronAbi}`);
  });

  it('does not download again on the next start', async () => {
    const before = mirror.requests.length;
    const run = await npm(['start']);
    expect(run.code, run.output).toBe(0);
    expect(mirror.requests.length).toBe(before);
    expect(launches()).toHaveLength(2);
  });

  it('npm run dev launches the same Electron with the renderer dev server, without downloading', async () => {
    const before = mirror.requests.length;
    const run = await npm(['run', 'dev']);
    expect(run.code, run.output).toBe(0);
    expect(mirror.requests.length).toBe(before);
    const launch = launches().at(-1)!;
    expect(launches()).toHaveLength(3);
    expect(launch.argv).toEqual(['.']);
    expect(launch.env.ELECTRON_RENDERER_URL).toMatch(/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\/?$/);
  });
});
