import type { ResourceLimits } from 'node:worker_threads';

/**
 * V8's young generation of the sync's threads, each its own isolate with its own heap, all counted in the console's RSS
 * (issue 19: peak ≤ 300 MB during any sync). V8's default lets a young generation grow to 48 MB on 64-bit, and each
 * thread keeps what it grew: bench:sync at 100,000 devices (load ~14) peaked at 323 / 352 / 355 MB (first sync,
 * unchanged re-sync, 1 % changed) with the defaults and at 292 / 294 / 299 MB with these, at the same speed.
 *
 * The sync worker parses 500-record pages while the one before is written, so it gets room for a page's objects to die
 * young (8 MB slowed an unchanged re-sync by ~19 % in an earlier measurement). The helpers, the record compressor and the
 * WAL checkpointer, keep almost nothing alive between two calls.
 */
export const SYNC_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 };
export const SYNC_HELPER_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 2 };
