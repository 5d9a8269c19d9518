import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { checkPrerequisites, StepFailure, verifyPackagedApps } from '../../resources/packaging/package.mjs';
import { startLoopbackMirror, type LoopbackMirror } from '../support/loopback-mirror';
import { standInElectronRelease } from '../support/stand-in-electron';

/**
 * Runs the real electron-builder on the real electron-builder.yml, with a stand-in Electron served from 127.0.0.1
 * (Electron itself cannot be downloaded here), and checks what the packaging step produces: fuses flipped in the
 * binary as configured, native modules unpacked from the asar, and the verification that refuses to ship a
 * better-sqlite3 built for Node instead of Electron.
 *
 * The project is a scratch copy (config, resources, package.json, a stub main) sharing this checkout's node_modules;
 * npmRebuild is off because a rebuild would recompile the shared node_modules, and it cannot reach Electron's headers
 * here anyway. The pipeline's rebuild is what the verification stands behind.
 */

const root = resolve(__dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const { getCurrentFuseWire, flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');
/** A fuse as @electron/fuses reads it off the wire: the byte '1' (on) or '0' (off). */
const fuse = (byte: number) => ({ '1': 'on', '0': 'off' })[String.fromCharCode(byte)] ?? `unexpected byte ${byte}`;
type Facts = { config: Record<string, any>; electronVersion: string; electronAbi: number; nodeAbi: number };

let scratch: string;
let mirror: LoopbackMirror;
let staging: string;
let facts: Facts;
let builder: { code: number | null; output: string };
let downloadFoldersBefore: Set<string>;
/** What @electron/get names its temp folders, in the machine's temp folder. */
const electronDownloadFolders = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('electron-download-')));
const unpackedDir = () => join(staging, 'linux-unpacked');
const binary = () => join(unpackedDir(), facts.config.linux.executableName);
const sqliteAddon = () => join(unpackedDir(), 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/**
 * electron-builder changes behaviour under vitest: it silences its log and copies files as hard links, which would
 * tie the packed app's better_sqlite3.node to this checkout's. Without VITEST it behaves as in the release pipeline.
 */
function builderEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.VITEST;
  return env;
}

beforeAll(async () => {
  facts = await checkPrerequisites({ platforms: [], arch: null });
  scratch = mkdtempSync(join(tmpdir(), 'tec-packed-'));
  const project = join(scratch, 'project');
  staging = join(scratch, 'staging');
  mkdirSync(join(project, 'out', 'main'), { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) copyFileSync(join(root, file), join(project, file));
  cpSync(join(root, 'resources'), join(project, 'resources'), { recursive: true });
  writeFileSync(join(project, 'out', 'main', 'index.js'), "'use strict';\n");
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'junction');

  const release = standInElectronRelease(facts.electronVersion);
  mirror = await startLoopbackMirror(release);

  const cache = join(scratch, 'cache');
  // The release's checksums seeded where electron-builder looks for them (SHASUMS256.txt-<version> at @electron/get's
  // cache root, XDG_CACHE_HOME/electron here), so it hands them to @electron/get inline. Without them @electron/get
  // 3.1 (app-builder-lib's) fetches SHASUMS256.txt and checks the zip in a temp folder it never removes
  // (validateArtifact's withTempDirectoryIn without a clean-up mode): an empty electron-download-* folder was left in
  // the machine's temp folder on every run. Inline, it writes the sums into that folder and removes it after the check.
  // `npm run package` seeds the same file before electron-builder runs (package.mjs, releaseChecksums).
  mkdirSync(join(cache, 'electron'), { recursive: true });
  writeFileSync(join(cache, 'electron', `SHASUMS256.txt-${facts.electronVersion}`), release[`/v${facts.electronVersion}/SHASUMS256.txt`]!);
  downloadFoldersBefore = electronDownloadFolders();
  // The machine's own temp folder, not one of ours: electron-builder refuses to pack a file whose real path is under
  // /tmp unless it is under os.tmpdir() (asarUtil.js, protectSystemAndUnsafePaths), and a checkout in /tmp (CI's fresh
  // clone) shares its node_modules with this project.
  builder = await new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', 'electron-builder', 'cli.js'), '--config', 'electron-builder.yml', '--linux', 'dir', '-c.npmRebuild=false', `-c.directories.output=${staging}`],
      { cwd: project, env: builderEnv({ ELECTRON_MIRROR: mirror.url, XDG_CACHE_HOME: cache, ELECTRON_BUILDER_CACHE: cache }) },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the packaged app (real electron-builder, stand-in Electron)', () => {
  it('is produced by electron-builder from this configuration', () => {
    expect(builder.code, builder.output).toBe(0);
    expect(builder.output).toContain('executing @electron/fuses');
  });

  it('leaves no electron-download-* folder in the machine\'s temp folder', () => {
    expect(builder.code, builder.output).toBe(0);
    expect([...electronDownloadFolders()].filter((name) => !downloadFoldersBefore.has(name))).toEqual([]);
  });

  it('has every fuse flipped as configured', async () => {
    const wire = await getCurrentFuseWire(binary());
    const state = (option: string) => fuse(wire[FuseV1Options[option]]);
    expect({
      runAsNode: state('RunAsNode'),
      enableCookieEncryption: state('EnableCookieEncryption'),
      enableNodeOptionsEnvironmentVariable: state('EnableNodeOptionsEnvironmentVariable'),
      enableNodeCliInspectArguments: state('EnableNodeCliInspectArguments'),
      enableEmbeddedAsarIntegrityValidation: state('EnableEmbeddedAsarIntegrityValidation'),
      onlyLoadAppFromAsar: state('OnlyLoadAppFromAsar'),
      loadBrowserProcessSpecificV8Snapshot: state('LoadBrowserProcessSpecificV8Snapshot'),
      grantFileProtocolExtraPrivileges: state('GrantFileProtocolExtraPrivileges'),
    }).toEqual({
      runAsNode: 'off',
      enableCookieEncryption: 'on',
      enableNodeOptionsEnvironmentVariable: 'off',
      enableNodeCliInspectArguments: 'off',
      enableEmbeddedAsarIntegrityValidation: 'on',
      onlyLoadAppFromAsar: 'on',
      loadBrowserProcessSpecificV8Snapshot: 'off',
      grantFileProtocolExtraPrivileges: 'off',
    });
  });

  it('has better-sqlite3, keytar and zstd-napi outside the asar, without their sources', () => {
    const unpacked = join(unpackedDir(), 'resources', 'app.asar.unpacked', 'node_modules');
    expect(existsSync(sqliteAddon())).toBe(true);
    expect(statSync(sqliteAddon()).nlink).toBe(1); // a copy, not a hard link into this checkout
    expect(existsSync(join(unpacked, 'keytar', 'build', 'Release', 'keytar.node'))).toBe(true);
    expect(existsSync(join(unpacked, 'zstd-napi', 'build', 'Release', 'binding.node'))).toBe(true);
    expect(existsSync(join(unpacked, 'zstd-napi', 'deps'))).toBe(false);
    expect(existsSync(join(unpacked, 'zstd-napi', 'src'))).toBe(false);
    expect(existsSync(join(unpacked, 'better-sqlite3', 'deps'))).toBe(false);
    expect(existsSync(join(unpacked, 'better-sqlite3', 'src'))).toBe(false);
  });

  it('is refused by the verification while better-sqlite3 is built for Node, not Electron', async () => {
    const refusal = await verifyPackagedApps(facts, staging).then(() => null, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(StepFailure);
    expect((refusal as Error).message).toContain(
      `better_sqlite3.node is built for NODE_MODULE_VERSION ${facts.nodeAbi}, Electron ${facts.electronVersion} needs ${facts.electronAbi} ` +
        `(${facts.nodeAbi} is this Node.js: the rebuild targeted Node, not Electron)`,
    );
  });

  it('is accepted once better-sqlite3 is built for Electron, and refused again if a fuse is not as configured', async () => {
    // What the pipeline's rebuild produces: an addon registering for Electron's NODE_MODULE_VERSION.
    // Replaced, not rewritten in place: the packed file must never be a link to this checkout's node_modules.
    rmSync(sqliteAddon());
    writeFileSync(sqliteAddon(), Buffer.from(`\x7fELF stand-in node_register_module_v${facts.electronAbi}\x00`, 'latin1'));
    await expect(verifyPackagedApps(facts, staging)).resolves.toBeUndefined();
    await flipFuses(binary(), { version: FuseVersion.V1, [FuseV1Options.RunAsNode]: true });
    await expect(verifyPackagedApps(facts, staging)).rejects.toThrow('fuse runAsNode is on, the configuration says off');
  });
});
