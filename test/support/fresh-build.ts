import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The newest modification time of a file, or of a folder and everything in it (a file added or removed counts). */
export function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((max, name) => Math.max(max, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

export interface FreshBuild {
  /** What `outputs`, `sources` and `lock` are relative to, and where `command` runs: the project's folder. */
  root?: string;
  /** What the build makes and the tests use. */
  outputs: string[];
  /** What it is made from: files, or folders whose every file counts. */
  sources: string[];
  command: [string, ...string[]];
  /** A folder made while one builds: another test file that needs the same build waits for it instead of building beside it. */
  lock: string;
  /** How long to wait for another builder before giving up. */
  waitMs?: number;
}

/**
 * Runs `command` when an output is missing or older than any source, one builder at a time; answers whether it built.
 * `npm test` builds before the tests, so this builds only for a single test file run: on a fresh clone (no out/), and
 * when out/ is older than the sources (a pull, a new migration, an edit), which would otherwise fail the tests once.
 */
export function ensureFreshBuild(build: FreshBuild): boolean {
  const root = build.root ?? ROOT;
  const at = (entry: string) => path.resolve(root, entry);
  const stale = () => {
    if (!build.outputs.every((output) => fs.existsSync(at(output)))) return true;
    const built = Math.min(...build.outputs.map((output) => newestMtime(at(output))));
    return built < Math.max(...build.sources.map((source) => newestMtime(at(source))));
  };
  if (!stale()) return false;
  const lock = at(build.lock);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + (build.waitMs ?? 120_000);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another build holds ${lock}; remove it if no build is running`);
      execFileSync('sleep', ['0.5']);
    }
  }
  try {
    // Another test file may have built it while this one waited.
    if (!stale()) return false;
    const [command, ...args] = build.command;
    process.stderr.write(`${build.outputs.map((output) => path.relative(root, at(output))).join(', ')}: missing or older than ${build.sources.join(', ')}; building (${build.command.join(' ')})\n`);
    execFileSync(command, args, { cwd: root, stdio: 'inherit' });
    return true;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** The Electron main bundle's entries (electron.vite.config.ts): main, and the two it starts as worker threads. */
export const ELECTRON_MAIN = path.join(ROOT, 'out', 'main', 'index.js');
export const ELECTRON_SYNC_WORKER = path.join(ROOT, 'out', 'main', 'sync-worker.js');
export const ELECTRON_UPGRADE_WORKER = path.join(ROOT, 'out', 'main', 'upgrade-worker.js');
/** The sandboxed preload, one CommonJS file, and the renderer's page. */
export const ELECTRON_PRELOAD = path.join(ROOT, 'out', 'preload', 'index.cjs');
export const ELECTRON_RENDERER_PAGE = path.join(ROOT, 'out', 'renderer', 'index.html');

/**
 * Tests of the Electron build as it ships (main and its workers, the preload, the renderer's page) need it built from
 * the current sources: rebuilt when any of it is missing or older, by one `electron-vite build`, one test file at a time.
 */
export function ensureElectronBuilt(): boolean {
  return ensureFreshBuild({
    outputs: [ELECTRON_MAIN, ELECTRON_SYNC_WORKER, ELECTRON_UPGRADE_WORKER, ELECTRON_PRELOAD, ELECTRON_RENDERER_PAGE],
    sources: ['src-main', 'src-shared', 'src-renderer', 'package.json', 'electron.vite.config.ts'],
    command: ['npx', 'electron-vite', 'build'],
    lock: path.join('out', '.electron-build.lock'),
    // A whole electron-vite build (main, preload, renderer) on a busy machine.
    waitMs: 300_000,
  });
}
