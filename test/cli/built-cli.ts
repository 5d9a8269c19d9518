import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const TEC_BIN = path.join(ROOT, 'bin', 'tec.cjs');
const BUNDLE = path.join(ROOT, 'out', 'cli', 'tec.cjs');
/** The sync worker as the tec bundle ships it (built with it by ensureCliBuilt). */
export const BUILT_SYNC_WORKER = path.join(ROOT, 'out', 'cli', 'sync-worker.cjs');
const SOURCES = ['src-main', 'src-shared', 'package.json', 'vite.cli.config.mts'];
const LOCK = path.join(ROOT, 'out', '.cli-build.lock');

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((max, name) => Math.max(max, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

/**
 * Tests that spawn the real `tec` need out/cli built from the current sources (`npm test` builds it first; a single
 * test file run may not have). Rebuilds when any source is newer than the bundle, one builder at a time.
 */
export function ensureCliBuilt(): void {
  const stale = () => !fs.existsSync(BUNDLE) || newestMtime(BUNDLE) < Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  if (!stale()) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK}; remove it if no build is running`);
      execFileSync('sleep', ['0.5']);
    }
  }
  try {
    if (stale()) execFileSync('npx', ['vite', 'build', '--config', 'vite.cli.config.mts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
