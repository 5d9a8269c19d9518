import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackMirror, unreachableMirrorUrl, type LoopbackMirror } from '../support/loopback-mirror';

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

function runScript(args: string[], mirror: string): Promise<Outcome> {
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
  });
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
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
    const mirror = await startLoopbackMirror();
    mirrors.push(mirror);
    const out = join(scratch, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'previous-release.txt'), 'kept');

    const result = await runScript(['--out', out], mirror.url);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the server answered HTTP 404');
    expect(mirror.requests[0]).toMatch(new RegExp(`^/v${electronVersion}/electron-v${electronVersion}-${process.platform}-(x64|arm64)\\.zip$`));
    // What was there stays; nothing half-built (no staging directory, no installer) is added.
    expect(leftovers(out)).toEqual(['previous-release.txt']);
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
