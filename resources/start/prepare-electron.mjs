#!/usr/bin/env node
// Runs before `electron-vite preview` / `electron-vite dev` (npm start, npm run dev, npm run demo) and makes the
// checkout launchable, each step skipped when already done:
//
//   1. Node.js: Electron 45's launcher (and @electron/get, @electron/rebuild) need 22.12+.
//   2. Electron: Electron 45's npm package has no install script; its binary is downloaded when the `electron` module
//      is first loaded, which electron-vite never does (it only reads node_modules/electron/path.txt and fails with
//      "Electron uninstall"). So this runs Electron's own install.js, which downloads, checks and unpacks it.
//   3. better-sqlite3 for Electron: better-sqlite3 is not N-API, and node_modules keeps the build for Node that the
//      tests use. A second build for Electron's ABI goes to node_modules/.cache/tec-electron-abi/; the app loads it
//      through better-sqlite3's `nativeBinding` option (src-main/core/db/sqlite-binding.ts). keytar is N-API.
//
// Each failure a newcomer meets ends with a message saying what to do, and a non-zero exit:
// 2 Node.js too old, 3 Electron download, 4 native module build.
// Imported (by tests and the demo) it runs nothing.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readNativeAbiOfFile } from '../packaging/native-abi.mjs';

export const EXIT = { ok: 0, node: 2, download: 3, nativeBuild: 4 };
export const MINIMUM_NODE = [22, 12];
/** Test-only: lets the start path run on the Node 20 that CI uses. Never set it to run the app. */
export const ALLOW_OLD_NODE_VAR = 'TEC_START_ALLOW_OLD_NODE';
const DEFAULT_ELECTRON_MIRROR = 'https://github.com/electron/electron/releases/download/';
const DEFAULT_HEADERS_URL = 'https://www.electronjs.org/headers';
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

export class StartFailure extends Error {
  constructor(exitCode, message) {
    super(message);
    this.exitCode = exitCode;
  }
}

const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Refuses a Node.js older than Electron's launcher needs; `null` when this one will do. */
export function nodeVersionRefusal(version, env) {
  const [major, minor] = version.split('.').map(Number);
  const [wantMajor, wantMinor] = MINIMUM_NODE;
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return null;
  if (env[ALLOW_OLD_NODE_VAR] === '1') return null;
  return [
    `Cannot start: this is Node.js ${version}; Trusted Endpoints Console needs Node.js ${wantMajor}.${wantMinor} or newer to run`,
    'Electron 45 (its launcher and downloader require it). Install a current Node.js LTS (https://nodejs.org/, or',
    '`nvm install 22`), run `npm ci` again with it, then `npm start`.',
  ].join('\n');
}

/**
 * Where the Electron build of better-sqlite3 lives. Keyed by every version that changes the binary, so an upgrade
 * of either package or a different machine type never loads a stale build. src-main/core/db/sqlite-binding.ts
 * computes the same path in the app (a test checks they agree).
 */
export function electronSqliteBindingPath({ nodeModules, sqliteVersion, electronVersion, platform, arch }) {
  return join(nodeModules, '.cache', 'tec-electron-abi', `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function installedPackageDir(root, name) {
  const dir = join(root, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) throw new StartFailure(EXIT.download, `${name} is not installed in ${join(root, 'node_modules')}. Run \`npm ci\` first.`);
  return dir;
}

function electronMirror(env) {
  return env.npm_config_electron_mirror || env.NPM_CONFIG_ELECTRON_MIRROR || env.ELECTRON_MIRROR || DEFAULT_ELECTRON_MIRROR;
}

/** What electron-vite needs: path.txt naming an executable that exists, from the pinned version. */
export function isElectronInstalled(electronDir) {
  try {
    const version = readJson(join(electronDir, 'package.json')).version;
    const executable = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    return readFileSync(join(electronDir, 'dist', 'version'), 'utf8').replace(/^v/, '').trim() === version && existsSync(join(electronDir, 'dist', executable));
  } catch {
    return false;
  }
}

/** Electron's install.js, asynchronously: a mirror served from this very process (the tests') must stay able to answer. */
function runInstallScript(script, cwd, env) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => done({ status: null, stderr, error }));
    child.on('close', (status) => done({ status, stderr }));
  });
}

/** Asks the URL directly, only to name the cause (refused, DNS, TLS, HTTP status) that install.js does not print. */
async function probe(url) {
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(10_000) });
    return `HTTP ${response.status} from ${url}`;
  } catch (error) {
    const cause = error?.cause;
    return `${cause?.code ?? cause?.name ?? error?.name}: ${cause?.message ?? error?.message} (${url})`;
  }
}

export async function ensureElectronBinary({ root, env, log }) {
  const electronDir = installedPackageDir(root, 'electron');
  if (isElectronInstalled(electronDir)) return 'present';
  const version = readJson(join(electronDir, 'package.json')).version;
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    throw new StartFailure(
      EXIT.download,
      `Cannot start: the Electron ${version} binary is not installed, and ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded.\n` +
        'Unset ELECTRON_SKIP_BINARY_DOWNLOAD (it is meant for CI, which never launches the app) and run npm start again.',
    );
  }
  const mirror = electronMirror(env);
  const target = `${env.ELECTRON_INSTALL_PLATFORM || process.platform}-${env.ELECTRON_INSTALL_ARCH || process.arch}`;
  const zip = `v${version}/electron-v${version}-${target}.zip`;
  log(`Downloading Electron ${version} for ${target} from ${mirror} (once; later starts reuse it)…`);
  const childEnv = { ...env };
  // @electron/get honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY only when asked to (through undici's EnvHttpProxyAgent).
  if (PROXY_VARS.some((name) => env[name]) && !env.ELECTRON_GET_USE_PROXY) childEnv.ELECTRON_GET_USE_PROXY = '1';
  const result = await runInstallScript(join(electronDir, 'install.js'), root, childEnv);
  if (result.status === 0 && isElectronInstalled(electronDir)) return 'downloaded';
  const reported = (result.stderr ?? result.error?.message ?? '').split('\n').find((line) => line.trim() !== '') ?? `exit ${result.status}`;
  const cause = /fetch failed/.test(reported) && !childEnv.ELECTRON_GET_USE_PROXY ? await probe(`${mirror}${zip}`) : reported.trim();
  const proxies = PROXY_VARS.filter((name) => env[name]);
  throw new StartFailure(
    EXIT.download,
    [
      `Cannot start: Electron ${version} for ${target} could not be downloaded.`,
      `  from:  ${mirror}${zip}`,
      `  cause: ${cause}`,
      `  proxy: ${proxies.length > 0 ? `${proxies.join(', ')} set` : 'none (HTTPS_PROXY is not set)'}`,
      'The first start downloads Electron once (about 100 MB) into node_modules/electron/dist. Without direct access to GitHub:',
      '  • ELECTRON_MIRROR=https://mirror.example/electron/ downloads from a mirror laid out like Electron\'s releases',
      `    (${zip} and v${version}/SHASUMS256.txt);`,
      '  • HTTPS_PROXY=http://proxy.example:3128 (and NO_PROXY for hosts to reach directly) sends it through a proxy.',
      'Then run npm start again.',
    ].join('\n'),
  );
}

/** The facts that decide which better-sqlite3 build the app needs. */
export function sqliteTarget(root, platform = process.platform, arch = process.arch) {
  const nodeModules = join(root, 'node_modules');
  const electronVersion = readJson(join(installedPackageDir(root, 'electron'), 'package.json')).version;
  const sqliteVersion = readJson(join(installedPackageDir(root, 'better-sqlite3'), 'package.json')).version;
  const abiRequire = createRequire(join(installedPackageDir(root, '@electron/rebuild'), 'package.json'));
  const electronAbi = Number(abiRequire('node-abi').getAbi(electronVersion, 'electron'));
  return {
    electronVersion,
    sqliteVersion,
    electronAbi,
    binding: electronSqliteBindingPath({ nodeModules, sqliteVersion, electronVersion, platform, arch }),
  };
}

function builtFor(file, abi) {
  try {
    const found = readNativeAbiOfFile(file);
    return found.napi || found.nodeAbis.includes(abi);
  } catch {
    return false;
  }
}

/**
 * Builds better-sqlite3 for Electron's ABI in a scratch copy of the package (node_modules keeps Node's build), with
 * @electron/rebuild: a prebuilt binary when one is published for this Electron, else a compile against Electron's
 * headers (ELECTRON_REBUILD_DIST_URL overrides where they come from; the proxy variables apply).
 */
export async function ensureElectronSqlite({ root, env, log, rebuild }) {
  const target = sqliteTarget(root);
  if (builtFor(target.binding, target.electronAbi)) return 'present';
  const headersUrl = env.ELECTRON_REBUILD_DIST_URL || DEFAULT_HEADERS_URL;
  log(`Building better-sqlite3 ${target.sqliteVersion} for Electron ${target.electronVersion} (NODE_MODULE_VERSION ${target.electronAbi}; once)…`);
  const cacheDir = dirname(dirname(target.binding));
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'build-'));
  try {
    const copy = join(work, 'node_modules', 'better-sqlite3');
    const source = realpathSync(installedPackageDir(root, 'better-sqlite3'));
    // A real copy (never a link: the rebuild would then recompile node_modules' own), without its build/ (Node's
    // binary, which must stay where the tests load it): @electron/rebuild builds anew.
    cpSync(source, copy, { recursive: true, dereference: true, filter: (file) => file !== join(source, 'build') });
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'tec-electron-abi-build', private: true, dependencies: { 'better-sqlite3': target.sqliteVersion } }));
    try {
      await (rebuild ?? (await loadRebuild(root)))({
        buildPath: work,
        electronVersion: target.electronVersion,
        onlyModules: ['better-sqlite3'],
        force: true,
        headerURL: headersUrl,
      });
    } catch (error) {
      throw buildFailure(target, headersUrl, env, error);
    }
    const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
    if (!builtFor(built, target.electronAbi)) throw buildFailure(target, headersUrl, env, new Error(wrongBuild(built, target.electronAbi)));
    mkdirSync(dirname(target.binding), { recursive: true });
    renameSync(built, target.binding);
    return 'built';
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function wrongBuild(file, abi) {
  if (!existsSync(file)) return `the build produced no ${basename(file)}`;
  const found = readNativeAbiOfFile(file).nodeAbis;
  return (
    `the build produced a binary for NODE_MODULE_VERSION ${found.join(', ') || 'unknown'}, not ${abi}: node-gyp compiled against other headers ` +
    '(a `nodedir` in .npmrc or npm_config_nodedir overrides the Electron headers; unset it for this build)'
  );
}

async function loadRebuild(root) {
  const main = join(installedPackageDir(root, '@electron/rebuild'), 'lib', 'main.js');
  return (await import(pathToFileURL(main).href)).rebuild;
}

function buildFailure(target, headersUrl, env, error) {
  const proxies = PROXY_VARS.filter((name) => env[name]);
  const detail = String(error?.message ?? error).split('\n').filter((line) => line.trim() !== '').slice(-3).join('\n         ');
  return new StartFailure(
    EXIT.nativeBuild,
    [
      `Cannot start: better-sqlite3 ${target.sqliteVersion} could not be built for Electron ${target.electronVersion} (NODE_MODULE_VERSION ${target.electronAbi}).`,
      `  cause: ${detail}`,
      `  headers: ${headersUrl} (ELECTRON_REBUILD_DIST_URL overrides it); proxy: ${proxies.length > 0 ? `${proxies.join(', ')} set` : 'none (HTTPS_PROXY is not set)'}`,
      'The app needs a build of better-sqlite3 for Electron beside the one for Node.js that the tests use. It is downloaded',
      "prebuilt when better-sqlite3 publishes one, else compiled, which needs Electron's headers from the URL above and a",
      'C++ toolchain (README, Prerequisites: python3, make and g++ on Linux; Xcode command line tools on macOS; Visual Studio',
      'Build Tools on Windows). Fix the cause above, then run npm start again.',
    ].join('\n'),
  );
}

/** The whole preparation, as npm start runs it. Resolves to nothing, or throws a StartFailure. */
export async function prepareElectron({ root = defaultRoot, env = process.env, nodeVersion = process.versions.node, log = (line) => process.stdout.write(`${line}\n`), rebuild } = {}) {
  const refusal = nodeVersionRefusal(nodeVersion, env);
  if (refusal) throw new StartFailure(EXIT.node, refusal);
  await ensureElectronBinary({ root, env, log });
  await ensureElectronSqlite({ root, env, log, rebuild });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  prepareElectron().then(
    () => process.exit(EXIT.ok),
    (error) => {
      process.stderr.write(`${error instanceof StartFailure ? error.message : `Cannot start: ${error?.stack ?? error}`}\n`);
      process.exit(error instanceof StartFailure ? error.exitCode : 1);
    },
  );
}
