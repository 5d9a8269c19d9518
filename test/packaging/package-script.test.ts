import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackMirror, unreachableMirrorUrl, type LoopbackMirror } from '../support/loopback-mirror';
import { standInElectronRelease } from '../support/stand-in-electron';

/**
 * Runs the real packaging script the release workflow calls. Electron's download is the first step that needs the
 * internet; these tests make it impossible deterministically (a mirror on 127.0.0.1 that refuses or answers 404),
 * so the outcome is the same here, on a laptop with internet, and in CI.
 */

const root = resolve(__dirname, '..', '..');
const script = join(root, 'resources', 'packaging', 'package.mjs');
const electronVersion: string = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const hostPlatform = ({ darwin: 'mac', win32: 'win', linux: 'linux' } as Record<string, string>)[process.platform]!;
const otherPlatform = hostPlatform === 'linux' ? 'win' : 'linux';

let scratch: string;
let mirrors: LoopbackMirror[] = [];
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tec-package-'));
});
afterEach(async () => {
  await Promise.all(mirrors.map((mirror) => mirror.close()));
  mirrors = [];
  rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with these arguments from the checkout, as the script runs: a private cache and home, this mirror. */
function runNode(args: string[], mirror: string, extraEnv: Record<string, string> = {}): Promise<Outcome> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm passes .npmrc settings as npm_config_*; an electron mirror there would win over ELECTRON_MIRROR.
    if (value !== undefined && !/electron_(mirror|custom_dir|custom_filename)/i.test(key)) env[key] = value;
  }
  const cache = join(scratch, 'cache');
  Object.assign(env, {
    ELECTRON_MIRROR: mirror,
    // An empty, private cache: a cached Electron zip elsewhere on the machine must not change the outcome.
    XDG_CACHE_HOME: cache,
    LOCALAPPDATA: cache,
    HOME: join(scratch, 'home'),
    ...extraEnv,
  });
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function runScript(args: string[], mirror: string): Promise<Outcome> {
  return runNode([script, ...args], mirror);
}

/** The root of @electron/get's cache (env-paths' "electron" cache) in the private cache and home runNode sets. */
function electronCacheRoot(): string {
  return process.platform === 'darwin' ? join(scratch, 'home', 'Library', 'Caches', 'electron') : join(scratch, 'cache', 'electron');
}

/**
 * Runs the script's Electron step alone, in a child with its own temp folder (TMPDIR, TEMP), so whatever
 * @electron/get leaves in the machine's temp folder is seen, and nobody else's.
 */
function fetchElectronAlone(mirror: string, temp: string): Promise<Outcome> {
  const program = [
    `const packaging = await import(${JSON.stringify(pathToFileURL(script).href)});`,
    'await packaging.fetchElectron(await packaging.checkPrerequisites({ platforms: [], arch: null }));',
  ].join('\n');
  return runNode(['--input-type=module', '-e', program], mirror, { TMPDIR: temp, TEMP: temp, TMP: temp });
}

function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [];
}

describe('packaging script', () => {
  it('stops at the Electron download with a clear message when the network is unreachable, and leaves no package', async () => {
    const out = join(scratch, 'dist');
    const result = await runScript(['--out', out], await unreachableMirrorUrl());

    expect(result.code).toBe(3);
    expect(result.stdout).toContain('[1/5] Checking prerequisites');
    expect(result.stdout).toContain('[2/5] Fetching Electron');
    expect(result.stdout).not.toContain('[3/5]');
    expect(result.stderr).toContain(`Cannot package: Electron ${electronVersion} for ${process.platform}-`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('This machine cannot reach them, so no installer was built');
    expect(result.stderr).toContain('.github/workflows/release.yml');
    expect(existsSync(out)).toBe(false);
  });

  it('asks the mirror for the pinned Electron of this OS and reports the HTTP status it got', async () => {
    // Checksums for either arch of this OS, and no zip.
    const sums = ['x64', 'arm64'].map((arch) => `${'0'.repeat(64)} *electron-v${electronVersion}-${process.platform}-${arch}.zip`);
    const mirror = await startLoopbackMirror({ [`/v${electronVersion}/SHASUMS256.txt`]: Buffer.from(`${sums.join('\n')}\n`) });
    mirrors.push(mirror);
    const out = join(scratch, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'previous-release.txt'), 'kept');

    const result = await runScript(['--out', out], mirror.url);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the server answered HTTP 404');
    expect(mirror.requests[0]).toBe(`/v${electronVersion}/SHASUMS256.txt`);
    expect(mirror.requests[1]).toMatch(new RegExp(`^/v${electronVersion}/electron-v${electronVersion}-${process.platform}-(x64|arm64)\\.zip$`));
    expect(result.stderr).toContain(`(electron-v${electronVersion}-${process.platform}-`);
    // What was there stays; nothing half-built (no staging directory, no installer) is added.
    expect(leftovers(out)).toEqual(['previous-release.txt']);
  });

  it('fetches Electron without leaving a folder in the temp folder, and leaves its checksums where electron-builder reads them', async () => {
    // The host's targets as electron-builder.yml names them (x64 on Linux), one stand-in zip each.
    const { checkPrerequisites } = await import(pathToFileURL(script).href);
    const { targets } = await checkPrerequisites({ platforms: [], arch: null });
    const release: Record<string, Buffer> = {};
    const sums: string[] = [];
    for (const target of targets as { nodePlatform: NodeJS.Platform; arch: string }[]) {
      const files = standInElectronRelease(electronVersion, { platform: target.nodePlatform, arch: target.arch });
      sums.push(files[`/v${electronVersion}/SHASUMS256.txt`]!.toString());
      Object.assign(release, files);
    }
    release[`/v${electronVersion}/SHASUMS256.txt`] = Buffer.from(sums.join(''));
    const mirror = await startLoopbackMirror(release);
    mirrors.push(mirror);
    const temp = join(scratch, 'temp');
    mkdirSync(temp);
    const zips = Object.keys(release).filter((path) => path.endsWith('.zip'));

    const first = await fetchElectronAlone(mirror.url, temp);

    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(temp)).toEqual([]);
    expect(mirror.requests).toEqual([`/v${electronVersion}/SHASUMS256.txt`, ...zips]);
    expect(readFileSync(join(electronCacheRoot(), `SHASUMS256.txt-${electronVersion}`), 'utf8')).toBe(sums.join(''));

    // Packaging again needs nothing from the network: the checksums and the zips come from the cache.
    const again = await fetchElectronAlone(mirror.url, temp);

    expect(again.code, again.stderr).toBe(0);
    expect(mirror.requests).toHaveLength(1 + zips.length);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('refuses to package for another OS, whose native modules it cannot build', async () => {
    const result = await runScript([`--${otherPlatform}`, '--out', join(scratch, 'dist')], 'http://127.0.0.1:9/');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Cannot package for ${otherPlatform} on ${process.platform}`);
    expect(result.stdout).not.toContain('[2/5]');
  });

  it('rejects an unknown option before doing anything', async () => {
    const result = await runScript(['--sign-with', 'cert.p12'], 'http://127.0.0.1:9/');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown option --sign-with');
  });
});
