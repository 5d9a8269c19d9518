import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOW_OLD_NODE_VAR,
  EXIT,
  nodeVersionRefusal,
  prepareElectron,
  sqliteTarget,
  StartFailure,
  // @ts-expect-error: plain ESM script without type declarations
} from '../../resources/start/prepare-electron.mjs';
import { startLoopbackMirror, unreachableMirrorUrl, type LoopbackMirror } from '../support/loopback-mirror';
import { scratchCheckout } from '../support/scratch-checkout';
import { standInElectronRelease } from '../support/stand-in-electron';

/**
 * The three failures a newcomer meets on the first `npm start`, each ending with what to do instead of a stack trace:
 * a Node.js too old for Electron, no way to download Electron, and no better-sqlite3 build for Electron. The downloads
 * run Electron's real install.js in a scratch checkout against loopback addresses; the native build is a stand-in for
 * @electron/rebuild (a real one needs Electron's headers from the internet and minutes of compiling).
 */

const nodeBuildAbi = Number(process.versions.modules);
let scratch: string;
let checkout: string;
let electronVersion: string;
let mirror: LoopbackMirror;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tec-prepare-'));
  checkout = join(scratch, 'checkout');
  scratchCheckout(checkout);
  electronVersion = JSON.parse(readFileSync(join(checkout, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  mirror = await startLoopbackMirror(standInElectronRelease(electronVersion, { platform: process.platform, arch: process.arch }));
});

afterAll(async () => {
  await mirror?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Stops a test that gets past the download: a real build would compile for minutes. */
const noBuild = async () => {
  throw new Error('the native build was reached');
};

/** What `npm start` would see, minus anything of this machine's that changes where Electron comes from. */
function env(extra: Record<string, string>): Record<string, string> {
  return { electron_use_remote_checksums: '1', electron_config_cache: join(scratch, 'electron-cache'), ...extra };
}

async function failure(promise: Promise<unknown>): Promise<StartFailure & { exitCode: number }> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(StartFailure);
  return outcome as StartFailure & { exitCode: number };
}

describe('Node.js version', () => {
  it('refuses a Node.js older than 22.12 with what to install', () => {
    const refusal = nodeVersionRefusal('20.19.0', {});
    expect(refusal).toContain('this is Node.js 20.19.0');
    expect(refusal).toContain('needs Node.js 22.12 or newer');
    expect(refusal).toContain('nodejs.org');
    expect(refusal).toContain('npm ci');
    expect(nodeVersionRefusal('22.11.0', {})).not.toBeNull();
  });

  it('accepts 22.12 and newer', () => {
    expect(nodeVersionRefusal('22.12.0', {})).toBeNull();
    expect(nodeVersionRefusal('24.1.0', {})).toBeNull();
  });

  it('lets tests run the start path on an older Node only through the test-only override', () => {
    expect(nodeVersionRefusal('20.19.0', { [ALLOW_OLD_NODE_VAR]: '1' })).toBeNull();
    expect(nodeVersionRefusal('20.19.0', { [ALLOW_OLD_NODE_VAR]: 'yes' })).not.toBeNull();
  });

  it('stops before downloading anything', async () => {
    const stopped = await failure(prepareElectron({ root: join(scratch, 'nowhere'), env: env({ ELECTRON_MIRROR: mirror.url }), nodeVersion: '20.19.0', log: () => {}, rebuild: noBuild }));
    expect(stopped.exitCode).toBe(EXIT.node);
    expect(mirror.requests).toEqual([]);
  });
});

describe('Electron download', () => {
  const zip = () => `v${electronVersion}/electron-v${electronVersion}-${process.platform}-${process.arch}.zip`;

  it('without network, names the URL, the cause, ELECTRON_MIRROR and the proxy variables', async () => {
    const unreachable = await unreachableMirrorUrl();
    const stopped = await failure(prepareElectron({ root: checkout, env: env({ ELECTRON_MIRROR: unreachable }), nodeVersion: '22.12.0', log: () => {}, rebuild: noBuild }));
    expect(stopped.exitCode).toBe(EXIT.download);
    expect(stopped.message).toContain(`Cannot start: Electron ${electronVersion} for ${process.platform}-${process.arch} could not be downloaded.`);
    expect(stopped.message).toContain(`from:  ${unreachable}${zip()}`);
    expect(stopped.message).toContain('cause: ECONNREFUSED');
    expect(stopped.message).toContain('proxy: none (HTTPS_PROXY is not set)');
    expect(stopped.message).toContain('ELECTRON_MIRROR=');
    expect(stopped.message).toContain('HTTPS_PROXY=http://proxy.example:3128 (and NO_PROXY');
    expect(stopped.message).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(checkout, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('downloads through the proxy that HTTPS_PROXY names, and says so when the proxy fails', async () => {
    const deadProxy = (await unreachableMirrorUrl()).slice(0, -1);
    const before = mirror.requests.length;
    const stopped = await failure(
      prepareElectron({ root: checkout, env: env({ ELECTRON_MIRROR: mirror.url, HTTPS_PROXY: deadProxy, HTTP_PROXY: deadProxy }), nodeVersion: '22.12.0', log: () => {}, rebuild: noBuild }),
    );
    expect(stopped.exitCode).toBe(EXIT.download);
    expect(stopped.message).toContain('proxy: HTTPS_PROXY, HTTP_PROXY set');
    // The mirror itself was never asked: every request went to the proxy.
    expect(mirror.requests.length).toBe(before);
  });
});

describe('better-sqlite3 for Electron', () => {
  let target: { binding: string; electronAbi: number; sqliteVersion: string };
  beforeAll(() => {
    target = sqliteTarget(checkout);
    // What the download step leaves, so these tests reach the native build.
    const electron = join(checkout, 'node_modules', 'electron');
    mkdirSync(join(electron, 'dist'), { recursive: true });
    writeFileSync(join(electron, 'dist', 'version'), electronVersion);
    writeFileSync(join(electron, 'dist', 'electron'), '');
    writeFileSync(join(electron, 'path.txt'), 'electron');
  });

  const prepare = (rebuild: (options: { buildPath: string; electronVersion: string; headerURL: string }) => Promise<void>) =>
    prepareElectron({ root: checkout, env: env({}), nodeVersion: '22.12.0', log: () => {}, rebuild });
  const builtBinary = (buildPath: string) => join(buildPath, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  const addonFor = (abi: number) => Buffer.from(`\x7fELF stand-in node_register_module_v${abi}\x00`, 'latin1');

  it('when the build fails, gives the cause, where the headers come from and the toolchain it needs', async () => {
    const stopped = await failure(
      prepare(async ({ headerURL }) => {
        throw new Error(`gyp ERR! stack Error: 404 status code downloading tarball ${headerURL}/v${electronVersion}/node-v${electronVersion}-headers.tar.gz`);
      }),
    );
    expect(stopped.exitCode).toBe(EXIT.nativeBuild);
    expect(stopped.message).toContain(`Cannot start: better-sqlite3 ${target.sqliteVersion} could not be built for Electron ${electronVersion} (NODE_MODULE_VERSION ${target.electronAbi}).`);
    expect(stopped.message).toContain('cause: gyp ERR! stack Error: 404 status code downloading tarball https://www.electronjs.org/headers/');
    expect(stopped.message).toContain('ELECTRON_REBUILD_DIST_URL overrides it');
    expect(stopped.message).toContain('python3, make and g++');
    expect(existsSync(target.binding)).toBe(false);
  });

  it('refuses a build made for Node.js instead of Electron (node-gyp pointed at other headers)', async () => {
    const stopped = await failure(
      prepare(async ({ buildPath }) => {
        mkdirSync(dirname(builtBinary(buildPath)), { recursive: true });
        writeFileSync(builtBinary(buildPath), addonFor(nodeBuildAbi));
      }),
    );
    expect(stopped.exitCode).toBe(EXIT.nativeBuild);
    expect(stopped.message).toContain(`a binary for NODE_MODULE_VERSION ${nodeBuildAbi}, not ${target.electronAbi}`);
    expect(stopped.message).toContain('nodedir');
    expect(existsSync(target.binding)).toBe(false);
  });

  it('builds a copy of better-sqlite3 for Electron, leaves node_modules\' build alone, and builds only once', async () => {
    const nodeBuild = join(createRequire(join(checkout, 'package.json')).resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
    const nodeBuildBefore = readFileSync(nodeBuild);
    const builds: { buildPath: string; electronVersion: string }[] = [];
    const rebuild = async (options: { buildPath: string; electronVersion: string }) => {
      builds.push(options);
      // A copy without Node's build: @electron/rebuild must not find one to keep.
      expect(existsSync(join(options.buildPath, 'node_modules', 'better-sqlite3', 'build'))).toBe(false);
      expect(existsSync(join(options.buildPath, 'node_modules', 'better-sqlite3', 'binding.gyp'))).toBe(true);
      mkdirSync(dirname(builtBinary(options.buildPath)), { recursive: true });
      writeFileSync(builtBinary(options.buildPath), addonFor(target.electronAbi));
    };
    await prepare(rebuild);
    await prepare(rebuild);
    expect(builds.map((build) => build.electronVersion)).toEqual([electronVersion]);
    expect(readFileSync(target.binding)).toEqual(addonFor(target.electronAbi));
    expect(readFileSync(nodeBuild)).toEqual(nodeBuildBefore);
    expect(existsSync(builds[0]!.buildPath)).toBe(false); // the scratch copy is removed
  });
});
