/**
 * `npm run rig`: the web test rig by hand (a test and development tool, not a product mode). Serves the built
 * renderer and the real services on 127.0.0.1 and prints the one URL that carries this run's token.
 * Data: TEC_DATA_DIR, or .tec-dev-data/ in the checkout (never the app's real data directory).
 */
import path from 'node:path';
import { createCore } from '../../src-main/core/app/composition-root';
import { SYNC_WORKER_SOURCE } from '../support/sync-worker-source';
import { startRig } from './rig-server';

async function run(): Promise<void> {
  const dataDir = path.resolve(process.env.TEC_DATA_DIR ?? '.tec-dev-data');
  const core = createCore({ dataDir, version: 'rig', transport: 'web-test-rig', syncWorker: SYNC_WORKER_SOURCE });
  const rig = await startRig({ core, rendererDir: path.resolve('out/renderer') });
  process.stdout.write(`Web test rig (testing tool, not the product) on ${rig.origin}\nOpen: ${rig.url}\nData: ${dataDir}\n`);
  const stop = () => void rig.close().then(() => core.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((error: unknown) => {
  process.stderr.write(`rig: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
