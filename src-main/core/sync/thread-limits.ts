import type { ResourceLimits } from 'node:worker_threads';

/**
 * V8's young generation of the sync's helper threads, the record compressor and the WAL checkpointer: each is an isolate
 * with its own heap, counted in the console's RSS (issue 19: peak <= 300 MB during any sync), and neither keeps anything
 * alive between two calls, so 2 MB is room enough (V8 lets a young generation grow to 48 MB on 64-bit).
 *
 * The sync worker keeps V8's default. Capped at 16 MB it peaked no lower in bench:sync at 100,000 devices (342 / 318 /
 * 315 MB for the first sync, unchanged and 1 %-changed re-syncs, against 329 / 331 / 326 uncapped, two runs side by
 * side at load ~12.5; run-to-run spread ~25 MB), and 8 MB made an unchanged re-sync ~19 % slower. What its peak is made
 * of is its old generation: V8's heap of that thread grows from ~75 MB between syncs to 96-133 MB during one (garbage
 * of the pages it parsed, collected late), most of a re-sync's rise above its starting RSS.
 */
export const SYNC_HELPER_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 2 };
