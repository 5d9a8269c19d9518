import path from 'node:path';

/**
 * The sync worker's TypeScript source, for cores built by tests and tools from source (the rig, the demo, the
 * benchmark): WorkerSyncEngine loads it through tsx. The bundles use their built copy instead.
 */
export const SYNC_WORKER_SOURCE = path.resolve(__dirname, '../../src-main/core/sync/sync-worker.ts');
