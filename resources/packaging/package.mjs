#!/usr/bin/env node
// Builds the installers for this machine's OS: `npm run package` (or package:mac / package:win / package:linux).
//
//   1. prerequisites: Node, installed tools, pinned Electron, config, icons, a target this OS can build
//   2. Electron: fetch the release zip(s) into the shared cache first, so an offline machine fails in seconds with a
//      clear message instead of after a full build, and never half-way through packaging
//   3. build: electron-vite build (out/main, out/preload, out/renderer)
//   4. package: electron-builder into a staging directory; it rebuilds better-sqlite3 and keytar for Electron's ABI,
//      flips the fuses, signs and notarizes when the environment carries credentials
//   5. verify: every packed native module is built for Electron's ABI and every fuse is as configured; only then are
//      the installers moved to the output directory. Any failure removes the staging directory: no broken package
//      is ever left where a release step would pick it up.
//
// Usage: node resources/packaging/package.mjs [--mac|--win|--linux] [--arch x64,arm64] [--out dist]
// Exit codes: 0 ok, 2 prerequisites, 3 download, 4 build, 5 electron-builder, 6 verification.
// Imported (by tests) it runs nothing; checkPrerequisites, fetchElectron and verifyPackagedApps are exported.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNativeAbiOfFile } from './native-abi.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireHere = createRequire(join(root, 'package.json'));

export const EXIT = { ok: 0, prerequisites: 2, download: 3, build: 4, package: 5, verify: 6 };

export class StepFailure extends Error {
  constructor(exitCode, message) {
    super(message);
    this.exitCode = exitCode;
  }
}

const PLATFORMS = {
  mac: { node: 'darwin', flag: '--mac', config: 'mac' },
  win: { node: 'win32', flag: '--win', config: 'win' },
  linux: { node: 'linux', flag: '--linux', config: 'linux' },
};

// Errors that mean "the network is not there", as Node and got report them.
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EPROTO',
  'ECONNABORTED',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

function log(message) {
  process.stdout.write(`${message}\n`);
}

function parseArgs(argv) {
  const options = { platforms: [], arch: null, out: join(root, 'dist') };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const platform = Object.entries(PLATFORMS).find(([, p]) => p.flag === arg);
    if (platform) options.platforms.push(platform[0]);
    else if (arg === '--arch') options.arch = argv[++i]?.split(',').filter(Boolean) ?? [];
    else if (arg === '--out') options.out = resolve(argv[++i] ?? '');
    else throw new StepFailure(EXIT.prerequisites, `Unknown option ${arg}. Usage: package.mjs [--mac|--win|--linux] [--arch x64,arm64] [--out dir]`);
  }
  return options;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Directory of an installed package as Node would find it from `from` (walking up node_modules folders). Resolving
 * `<name>/package.json` instead fails for packages whose "exports" hide it (@electron/rebuild does).
 */
function packageDir(name, from = root) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed`);
  }
}

function requireFrom(packageName) {
  return createRequire(join(packageDir(packageName), 'package.json'));
}

/** The Electron ABI that @electron/rebuild (and prebuild-install) target, from the node-abi they ship with. */
function electronAbiOf(version) {
  return Number(requireFrom('@electron/rebuild')('node-abi').getAbi(version, 'electron'));
}

export async function checkPrerequisites(options) {
  const pkg = readJson(join(root, 'package.json'));
  const [wantMajor = 0, wantMinor = 0] = (/>=\s*(\d+)(?:\.(\d+))?/.exec(pkg.engines?.node ?? '') ?? []).slice(1).map((n) => Number(n ?? 0));
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
    throw new StepFailure(EXIT.prerequisites, `Node.js ${process.versions.node} is too old: package.json asks for ${pkg.engines.node}.`);
  }
  const missing = ['electron', 'electron-builder', 'app-builder-lib', 'electron-vite', '@electron/rebuild', '@electron/fuses', 'yaml'].filter(
    (name) => {
      try {
        packageDir(name);
        return false;
      } catch {
        return true;
      }
    },
  );
  if (missing.length > 0) {
    throw new StepFailure(EXIT.prerequisites, `Missing ${missing.join(', ')} in node_modules. Run \`npm ci\` first.`);
  }
  const electronVersion = readJson(join(packageDir('electron'), 'package.json')).version;
  const pinned = pkg.devDependencies?.electron;
  if (pinned !== electronVersion) {
    throw new StepFailure(
      EXIT.prerequisites,
      `node_modules has Electron ${electronVersion} but package.json pins ${pinned}. Run \`npm ci\` so the app is packaged with the pinned Electron.`,
    );
  }
  let electronAbi;
  try {
    electronAbi = electronAbiOf(electronVersion);
  } catch (error) {
    throw new StepFailure(EXIT.prerequisites, `Cannot tell Electron ${electronVersion}'s native ABI (${error.message}). Update @electron/rebuild.`);
  }

  const configPath = join(root, 'electron-builder.yml');
  if (!existsSync(configPath)) throw new StepFailure(EXIT.prerequisites, 'electron-builder.yml is missing at the top of the repository.');
  const { parse } = requireHere('yaml');
  const config = parse(readFileSync(configPath, 'utf8'));

  const icons = ['resources/icons/icon.icns', 'resources/icons/icon.ico', 'resources/icons/png/512x512.png'];
  const absentIcons = icons.filter((icon) => !existsSync(join(root, icon)));
  if (absentIcons.length > 0) {
    throw new StepFailure(EXIT.prerequisites, `Icons missing (${absentIcons.join(', ')}): run \`npm run icons\` and commit the result.`);
  }

  const hostPlatform = Object.keys(PLATFORMS).find((key) => PLATFORMS[key].node === process.platform);
  const platforms = options.platforms.length > 0 ? [...new Set(options.platforms)] : [hostPlatform];
  for (const platform of platforms) {
    // Native modules are compiled for the OS they will run on, so each OS packages its own installers.
    if (PLATFORMS[platform]?.node !== process.platform) {
      throw new StepFailure(
        EXIT.prerequisites,
        `Cannot package for ${platform} on ${process.platform}: better-sqlite3 and keytar must be built on the target OS. Use a ${platform} machine or the release workflow.`,
      );
    }
  }
  const targets = [];
  for (const platform of platforms) {
    const configured = [].concat(config[PLATFORMS[platform].config]?.target ?? []);
    const archs = options.arch ?? [...new Set(configured.flatMap((target) => target.arch ?? ['x64']))];
    for (const arch of archs) targets.push({ platform, nodePlatform: PLATFORMS[platform].node, arch });
  }
  return { pkg, config, electronVersion, electronAbi, nodeAbi: Number(process.versions.modules), targets };
}

/** Describes a download failure so whoever reads the CI log knows it is the network, not the code. */
function describeDownloadFailure(error) {
  const status = error?.response?.statusCode;
  if (status) return `the server answered HTTP ${status}`;
  const code = error?.code;
  return code ? `${code}: ${error.message}` : String(error?.message ?? error);
}

/**
 * The release's checksums, as SHASUMS256.txt-<version> at the root of @electron/get's cache: read from there when an
 * earlier run left them, else fetched once and left there. Both downloads of a run then get them inline: ours below,
 * and electron-builder's, which reads that file itself (resolveSeededChecksums in app-builder-lib). Without inline
 * checksums @electron/get 3.1 fetches SHASUMS256.txt on every download, and that fetch's check runs in a temp folder
 * it never removes (validateArtifact's withTempDirectoryIn in ORPHAN mode under cacheMode Bypass): each `npm run
 * package` left two empty electron-download-* folders in the machine's temp folder. The fetch here runs in WriteOnly
 * mode, whose temp folders @electron/get removes.
 */
async function releaseChecksums(get, electronGet, { version, cacheRoot, downloadOptions, artifacts }) {
  const seeded = join(cacheRoot, `SHASUMS256.txt-${version}`);
  const covers = (checksums) => artifacts.every((artifact) => checksums[artifact] !== undefined);
  if (existsSync(seeded)) {
    const checksums = electronGet.parseChecksumFile(readFileSync(seeded, 'utf8'));
    if (covers(checksums)) return checksums;
  }
  const fetched = await get.downloadArtifact({
    isGeneric: true,
    version,
    artifactName: 'SHASUMS256.txt',
    cacheRoot,
    downloadOptions,
    cacheMode: get.ElectronDownloadCacheMode.WriteOnly,
  });
  const text = readFileSync(fetched, 'utf8');
  // Written whole, then renamed: electron-builder must never read half a file.
  mkdirSync(cacheRoot, { recursive: true });
  writeFileSync(`${seeded}.${process.pid}`, text);
  renameSync(`${seeded}.${process.pid}`, seeded);
  return electronGet.parseChecksumFile(text);
}

export async function fetchElectron(facts) {
  // The same @electron/get (and so the same cache) that electron-builder uses to unpack Electron.
  const get = requireFrom('app-builder-lib')('@electron/get');
  const electronGet = requireFrom('app-builder-lib')('./out/util/electronGet');
  const cacheRoot = electronGet.defaultElectronGetCacheRoot();
  const mirror = process.env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/';
  // got options: fail within seconds when nothing answers, not after the OS's multi-minute TCP timeout.
  const downloadOptions = { timeout: { lookup: 15_000, connect: 20_000, secureConnect: 20_000, response: 60_000 } };
  const artifactOf = (target) => `electron-v${facts.electronVersion}-${target.nodePlatform}-${target.arch}.zip`;
  const artifacts = facts.targets.map(artifactOf);
  let fetching = 'SHASUMS256.txt';
  try {
    const checksums = await releaseChecksums(get, electronGet, { version: facts.electronVersion, cacheRoot, downloadOptions, artifacts });
    for (const target of facts.targets) {
      fetching = artifactOf(target);
      log(`  ${fetching}`);
      await get.downloadArtifact({
        version: facts.electronVersion,
        platform: target.nodePlatform,
        arch: target.arch,
        artifactName: 'electron',
        cacheRoot,
        downloadOptions,
        checksums,
      });
    }
  } catch (error) {
    const offline = NETWORK_CODES.has(error?.code) || error?.response?.statusCode !== undefined;
    const targets = facts.targets.map((target) => `${target.nodePlatform}-${target.arch}`).join(', ');
    throw new StepFailure(
      EXIT.download,
      [
        `Cannot package: Electron ${facts.electronVersion} for ${targets} could not be downloaded`,
        `(${fetching}: ${describeDownloadFailure(error)}).`,
        `Packaging needs SHASUMS256.txt and ${artifacts.join(', ')} from ${mirror} (ELECTRON_MIRROR overrides it),`,
        "then electron-builder's packaging tools and Electron's headers to rebuild better-sqlite3 for Electron.",
        `${offline ? 'This machine cannot reach them' : 'The download failed'}, so no installer was built. Package on a machine with`,
        'internet access, or push a v* tag and let .github/workflows/release.yml build the installers.',
      ].join('\n'),
    );
  }
}

function run(command, args, { capture = false, env = process.env } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: root, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => {
        process.stdout.write(chunk);
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        process.stderr.write(chunk);
        output += chunk;
      });
    }
    child.on('error', (error) => resolvePromise({ code: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

function binOf(packageName, binName) {
  const dir = packageDir(packageName);
  const bin = readJson(join(dir, 'package.json')).bin;
  return join(dir, typeof bin === 'string' ? bin : bin[binName ?? packageName]);
}

async function build(facts) {
  const viteConfig = ['electron.vite.config.ts', 'electron.vite.config.mts', 'electron.vite.config.mjs', 'electron.vite.config.js'].find((name) =>
    existsSync(join(root, name)),
  );
  if (!viteConfig) throw new StepFailure(EXIT.build, 'No electron.vite.config.ts at the top of the repository: nothing tells electron-vite what to build.');
  const { code } = await run(process.execPath, [binOf('electron-vite'), 'build']);
  if (code !== 0) throw new StepFailure(EXIT.build, `electron-vite build failed (exit ${code}); see its output above.`);
  const main = join(root, facts.pkg.main ?? 'out/main/index.js');
  if (!existsSync(main)) throw new StepFailure(EXIT.build, `electron-vite build finished but ${relative(root, main)} (package.json "main") is missing.`);
}

async function packageWithBuilder(facts, staging) {
  const platforms = [...new Set(facts.targets.map((target) => target.platform))];
  const archs = [...new Set(facts.targets.map((target) => target.arch))];
  const args = [
    binOf('electron-builder'),
    '--config',
    'electron-builder.yml',
    ...platforms.map((platform) => PLATFORMS[platform].flag),
    ...archs.map((arch) => `--${arch}`),
    '--publish',
    'never',
    `-c.directories.output=${staging}`,
  ];
  // An npm `nodedir` (set on some machines to Node's own headers) makes node-gyp build for Node's ABI while claiming
  // to target Electron; clear it so @electron/rebuild fetches Electron's headers.
  const env = { ...process.env, npm_config_nodedir: '' };
  const { code, output } = await run(process.execPath, args, { capture: true, env });
  if (code === 0) return;
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|getaddrinfo|unable to download|cannot download|dial tcp/i.test(output)) {
    throw new StepFailure(
      EXIT.download,
      'Cannot package: electron-builder could not download what it needs (its packaging tools, Electron headers or a prebuilt native module). ' +
        'No installer was built. Package on a machine with internet access, or let the release workflow build the installers.',
    );
  }
  throw new StepFailure(EXIT.package, `electron-builder failed (exit ${code}); see its output above. No installer was kept.`);
}

/** Unpacked app directories electron-builder left in the staging directory, with their Electron binary. */
function unpackedApps(facts, staging) {
  const productName = facts.config.productName;
  const apps = [];
  for (const name of readdirSync(staging)) {
    const dir = join(staging, name);
    if (!statSync(dir).isDirectory()) continue;
    const macApp = join(dir, `${productName}.app`);
    if (existsSync(join(macApp, 'Contents', 'Resources', 'app.asar'))) {
      apps.push({ dir, binary: macApp, resources: join(macApp, 'Contents', 'Resources') });
    } else if (existsSync(join(dir, 'resources', 'app.asar'))) {
      const binary = process.platform === 'win32' ? join(dir, `${productName}.exe`) : join(dir, facts.config.linux?.executableName ?? facts.pkg.name);
      apps.push({ dir, binary, resources: join(dir, 'resources') });
    }
  }
  return apps;
}

function findFiles(dir, fileName, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(path, fileName, found);
    else if (entry.name === fileName) found.push(path);
  }
  return found;
}

/** Throws a StepFailure listing every packed app whose native modules or fuses are not what the build promises. */
export async function verifyPackagedApps(facts, staging) {
  const apps = unpackedApps(facts, staging);
  if (apps.length === 0) throw new StepFailure(EXIT.verify, 'electron-builder produced no unpacked app to verify.');
  const problems = [];
  // The @electron/fuses electron-builder flips the fuses with. It answers each fuse as its byte on the wire, ASCII
  // '1' on and '0' off ('r' removed); its FuseState enum is not exported.
  const { getCurrentFuseWire, FuseV1Options } = requireFrom('app-builder-lib')('@electron/fuses');
  const describeFuse = (byte) => ({ 1: 'on', 0: 'off', r: 'removed' })[String.fromCharCode(byte)] ?? 'missing';
  const fuseNames = {
    runAsNode: FuseV1Options.RunAsNode,
    enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
    enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
    enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
    enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
    onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
    loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
    grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
  };
  for (const app of apps) {
    const where = relative(staging, app.dir);
    const unpacked = join(app.resources, 'app.asar.unpacked');
    const sqlite = findFiles(unpacked, 'better_sqlite3.node');
    const keytar = findFiles(unpacked, 'keytar.node');
    // zstd-napi's addon is named binding.node; without it a sync writes deflate blocks and cannot read zstd ones.
    const zstd = findFiles(unpacked, 'binding.node').filter((file) => file.includes(`${sep}zstd-napi${sep}`));
    if (sqlite.length === 0) problems.push(`${where}: better_sqlite3.node is not in app.asar.unpacked`);
    if (keytar.length === 0) problems.push(`${where}: keytar.node is not in app.asar.unpacked`);
    if (zstd.length === 0) problems.push(`${where}: zstd-napi's binding.node is not in app.asar.unpacked`);
    for (const file of sqlite) {
      const abi = readNativeAbiOfFile(file);
      if (!abi.nodeAbis.includes(facts.electronAbi)) {
        problems.push(
          `${relative(staging, file)} is built for NODE_MODULE_VERSION ${abi.nodeAbis.join('/') || 'unknown'}, Electron ${facts.electronVersion} needs ${facts.electronAbi}` +
            (abi.nodeAbis.includes(facts.nodeAbi) ? ` (${facts.nodeAbi} is this Node.js: the rebuild targeted Node, not Electron)` : ''),
        );
      }
    }
    for (const file of [...keytar, ...zstd]) {
      if (!readNativeAbiOfFile(file).napi) problems.push(`${relative(staging, file)} is not an N-API build`);
    }
    const wire = await getCurrentFuseWire(app.binary);
    for (const [option, wanted] of Object.entries(facts.config.electronFuses ?? {})) {
      if (!(option in fuseNames)) continue;
      const state = describeFuse(wire[fuseNames[option]]);
      const expected = wanted ? 'on' : 'off';
      if (state !== expected) problems.push(`${where}: fuse ${option} is ${state}, the configuration says ${expected}`);
    }
  }
  if (problems.length > 0) {
    throw new StepFailure(EXIT.verify, ['The packaged app is broken, so no installer was kept:', ...problems.map((p) => `  • ${p}`)].join('\n'));
  }
}

const INSTALLER = /\.(dmg|exe|AppImage|deb|blockmap|zip)$/;

function deliver(staging, out) {
  mkdirSync(out, { recursive: true });
  const delivered = [];
  for (const name of readdirSync(staging)) {
    if (!INSTALLER.test(name) || !statSync(join(staging, name)).isFile()) continue;
    rmSync(join(out, name), { force: true });
    renameSync(join(staging, name), join(out, name));
    delivered.push(join(out, name));
  }
  return delivered;
}

async function main() {
  const started = Date.now();
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`✖ ${error.message}\n`);
    return error.exitCode ?? 1;
  }
  const outExisted = existsSync(options.out);
  const staging = join(options.out, `.staging-${process.pid}`);
  try {
    log('[1/5] Checking prerequisites');
    const facts = await checkPrerequisites(options);
    const names = facts.targets.map((target) => `${target.platform}-${target.arch}`).join(', ');
    log(`  Electron ${facts.electronVersion} (NODE_MODULE_VERSION ${facts.electronAbi}); targets: ${names}`);
    log('[2/5] Fetching Electron');
    await fetchElectron(facts);
    log('[3/5] Building with electron-vite');
    await build(facts);
    log('[4/5] Packaging with electron-builder (rebuilds native modules for Electron, flips fuses, signs if configured)');
    mkdirSync(staging, { recursive: true });
    await packageWithBuilder(facts, staging);
    log('[5/5] Verifying native modules and fuses');
    await verifyPackagedApps(facts, staging);
    const delivered = deliver(staging, options.out);
    log(`Installers in ${options.out} (${Math.round((Date.now() - started) / 1000)} s):`);
    for (const file of delivered) log(`  ${basename(file)}`);
    log(
      'Note: node_modules/better-sqlite3 is now built for Electron; run `npm rebuild better-sqlite3` before running the tests in Node again.',
    );
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    process.stderr.write(`\n✖ ${error.message}\n`);
    return error.exitCode;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (!outExisted && existsSync(options.out) && readdirSync(options.out).length === 0) rmSync(options.out, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`\n✖ Packaging stopped on an unexpected error: ${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
