import path from 'node:path';
import { ensureFreshBuild } from '../support/fresh-build';

const ROOT = path.resolve(__dirname, '../..');
export const TEC_BIN = path.join(ROOT, 'bin', 'tec.cjs');
const BUNDLE = path.join(ROOT, 'out', 'cli', 'tec.cjs');
/** The sync worker as the tec bundle ships it (built with it by ensureCliBuilt). */
export const BUILT_SYNC_WORKER = path.join(ROOT, 'out', 'cli', 'sync-worker.cjs');

/**
 * Tests that spawn the real `tec` need out/cli built from the current sources (`npm test` builds it first; a single
 * test file run may not have). Rebuilds when any source is newer than the bundle, one builder at a time.
 */
export function ensureCliBuilt(): void {
  ensureFreshBuild({
    outputs: [BUNDLE, BUILT_SYNC_WORKER],
    sources: ['src-main', 'src-shared', 'package.json', 'vite.cli.config.mts'],
    command: ['npx', 'vite', 'build', '--config', 'vite.cli.config.mts', '--logLevel', 'warn'],
    lock: path.join('out', '.cli-build.lock'),
  });
}
