import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Reads the configuration the build really uses, through electron-builder's own loader and schema validation, and
 * checks it against the requirements. File patterns are checked with electron-builder's own matchers on the
 * real files in node_modules, so "better-sqlite3 is unpacked" means what electron-builder will do, not what the YAML
 * looks like.
 */

const root = resolve(__dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const builderConfig = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<Config>;
  validateConfiguration(config: Config, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const fileMatcher = require('app-builder-lib/out/fileMatcher.js') as {
  getFileMatchers(config: Config, name: string, destination: string, options: Record<string, unknown>): Matcher[] | null;
  getNodeModuleFileMatcher(appDir: string, destination: string, expand: (s: string) => string, platformOptions: object, packager: object): Matcher;
};

interface Matcher {
  createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
}
// electron-builder's configuration is a large, loosely typed object; the tests read it as such.
type Config = Record<string, any>;

let config: Config;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

beforeAll(async () => {
  config = await builderConfig.getConfig(root, null, null);
});

const targetsOf = (platform: Config) => ([] as Config[]).concat(platform.target).map((t) => (typeof t === 'string' ? { target: t } : t));
const identity = (s: string) => s;
/** Which of these project-relative paths one of electron-builder's file filters accepts, asked as it asks for a file. */
const accepted = (matcher: Matcher, paths: string[]) => {
  const filter = matcher.createFilter();
  return paths.filter((path) => filter(join(root, path), { isDirectory: () => false }));
};

describe('electron-builder configuration', () => {
  it('passes electron-builder\'s own schema validation', async () => {
    await expect(builderConfig.validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  });

  it('names the app and takes its version from package.json', () => {
    expect(config.appId).toBe('com.trustedendpoints.console');
    expect(config.productName).toBe('Trusted Endpoints Console');
    expect(config.version).toBeUndefined();
    expect(config.extraMetadata?.version).toBeUndefined();
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('builds a dmg for both Mac architectures', () => {
    expect(targetsOf(config.mac)).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(config.mac.hardenedRuntime).toBe(true);
  });

  it('builds an assisted NSIS installer that offers per-user and per-machine installs', () => {
    expect(targetsOf(config.win)).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    // oneClick false + perMachine false is NSIS's "install for me / for all users" page; allowElevation lets the
    // all-users choice ask for admin rights.
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
  });

  it('builds an AppImage and a deb with a desktop entry in the right menu categories', () => {
    expect(targetsOf(config.linux).map((t) => t.target)).toEqual(['AppImage', 'deb']);
    const entry = config.linux.desktop.entry;
    expect(entry.Categories.split(';').filter(Boolean)).toEqual(expect.arrayContaining(['Utility', 'Security']));
    expect(entry.Name).toBe('Trusted Endpoints Console');
    expect(entry.Exec).toBeUndefined(); // electron-builder refuses a custom Exec; the executable name is set instead
    expect(config.linux.executableName).toBe('trusted-endpoints-console');
    expect(config.linux.syncDesktopName).toBe(true);
    expect(pkg.desktopName).toBe('trusted-endpoints-console.desktop');
    expect(config.deb.depends).toContain('libsecret-1-0');
  });

  it('points every platform at icons that exist in resources/', () => {
    const resources = join(root, config.directories.buildResources);
    expect(statSync(join(resources, config.mac.icon)).isFile()).toBe(true);
    expect(statSync(join(resources, config.win.icon)).isFile()).toBe(true);
    const linuxIcons = readdirSync(join(resources, config.linux.icon));
    expect(linuxIcons).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '256x256.png', '512x512.png']));
  });

  it('unpacks better-sqlite3, keytar and zstd-napi (every file of each) from the asar, and nothing else', () => {
    const [matcher] = fileMatcher.getFileMatchers(config, 'asarUnpack', '/', {
      macroExpander: identity,
      customBuildOptions: {},
      globalOutDir: join(root, 'dist'),
      defaultSrc: root,
    })!;
    const unpacked = ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/lib/database.js'];
    unpacked.push('node_modules/keytar/build/Release/keytar.node', 'node_modules/keytar/lib/keytar.js');
    unpacked.push('node_modules/zstd-napi/build/Release/binding.node', 'node_modules/zstd-napi/binding.js');
    const packed = ['out/main/index.js', 'node_modules/zod/package.json'];
    expect(accepted(matcher!, [...unpacked, ...packed])).toEqual(unpacked);
  });

  it('ships the native binaries but not their sources or build intermediates', () => {
    const matcher = fileMatcher.getNodeModuleFileMatcher(root, '/', identity, {}, { config, debugLogger: { isEnabled: false } });
    const sqlite = 'node_modules/better-sqlite3';
    const shipped = [`${sqlite}/build/Release/better_sqlite3.node`, `${sqlite}/lib/index.js`, 'node_modules/keytar/build/Release/keytar.node', 'node_modules/zstd-napi/build/Release/binding.node'];
    const left = [`${sqlite}/deps/sqlite3/sqlite3.c`, `${sqlite}/src/better_sqlite3.cpp`, `${sqlite}/build/Release/test_extension.node`];
    left.push(`${sqlite}/build/Release/obj.target/better_sqlite3/src/better_sqlite3.o`);
    left.push('node_modules/zstd-napi/deps/zstd/lib/zstd.h', 'node_modules/zstd-napi/src/binding.cc', 'node_modules/zstd-napi/build/Release/zstd.a');
    expect(accepted(matcher, [...shipped, ...left])).toEqual(shipped);
  });

  it('rebuilds native modules for Electron when packaging', () => {
    expect(config.npmRebuild).toBe(true);
  });

  it('sets every hardening fuse', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
      resetAdHocDarwinSignature: true,
    });
    expect(config.asar).toBe(true);
  });

  it('does not load the renderer from file:// while file:// has no extra privileges', () => {
    // With grantFileProtocolExtraPrivileges off, a Vite build loaded through loadFile() cannot load its module
    // scripts: the window would stay blank. The renderer must come from a custom protocol (protocol.handle).
    const electronDir = join(root, 'src-main', 'electron');
    const sources = existsSync(electronDir) ? readdirSync(electronDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')) : [];
    const offenders = sources.filter((file) => /\.loadFile\(|loadURL\(\s*['"`]file:/.test(readFileSync(join(electronDir, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('takes signing only from the environment and still builds unsigned', () => {
    const text = JSON.stringify(config);
    for (const key of ['certificateFile', 'certificatePassword', 'certificateSubjectName', 'certificateSha1', 'cscLink', 'cscKeyPassword', 'identity', 'appleId', 'teamId', 'keychain', 'azureSignOptions', 'signtoolOptions', 'sign']) {
      expect(text).not.toContain(`"${key}"`);
    }
    expect(config.forceCodeSigning ?? false).toBe(false);
    // Notarization runs only when the APPLE_* variables are present (electron-builder skips it with a warning otherwise).
    expect(config.mac.notarize).toBe(true);
    const entitlements = readFileSync(join(root, config.directories.buildResources, 'entitlements.mac.plist'), 'utf8');
    expect([...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it('installs the tec shims from files that exist, committed executable where the OS needs it', () => {
    const fpmMapping = config.deb.fpm.find((arg: string) => arg.endsWith('=/usr/bin/tec'));
    const linuxShim = fpmMapping.split('=')[0];
    const macShim = config.mac.extraResources[0].from;
    expect(config.mac.extraResources[0].to).toBe('bin/tec');
    // The mode git records is the one every checkout (and so every packaging runner) gets.
    const modes = execFileSync('git', ['ls-files', '--stage', '--', linuxShim, macShim], { cwd: root, encoding: 'utf8' });
    expect(modes.trim().split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['100755', '100755']);
    expect(existsSync(join(root, config.win.extraFiles[0].from))).toBe(true);
  });

  it('keeps publishing out of electron-builder: the release workflow attaches the installers', () => {
    expect(config.publish).toBeNull();
  });
});
