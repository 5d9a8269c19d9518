import path from 'node:path';

/** The upgrade thread's TypeScript source, for tests (upgradeOnThread loads it through tsx); the app uses its built copy. */
export const UPGRADE_WORKER_SOURCE = path.resolve(__dirname, '../../src-main/core/db/upgrade-worker.ts');
