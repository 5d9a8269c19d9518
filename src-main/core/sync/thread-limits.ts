import type { ResourceLimits } from 'node:worker_threads';

/**
 * The sync worker's old generation, capped far above what it holds so that V8 collects it sooner (issue 19: peak RSS
 * <= 300 MB during any sync). V8 lets an old generation grow past its live size by a factor before the next full
 * collection, and bounds that factor by the heap's cap (heap-controller.cc, MaxGrowingFactor): up to 4x when the cap is
 * 2 GB or more, as it is by default on any machine with a few GB of memory, and ~1.4x at 512 MB (64-bit). The worker
 * holds ~25-75 MB live (the pages being parsed and written, statements, the run's seen set); uncapped, its heap grew to
 * 114-132 MB during each sync of 100,000 devices, garbage of the pages it had parsed, and that was most of a sync's
 * rise above its starting RSS. A live set above the cap would end the worker (ERR_WORKER_OUT_OF_MEMORY): its runs are
 * then interrupted and resume on a new one (WorkerSyncEngine), as after any crash.
 *
 * Its young generation keeps V8's default: capped at 16 MB it peaked no lower (run-to-run spread ~25 MB), and 8 MB
 * made an unchanged re-sync ~19 % slower (a smaller young generation promotes more of the pages in flight).
 *
 * Larger limits for re-syncs alone do not fit the RSS goal. Measured with the worker started per kind of run, a bulk
 * load's under these limits and a re-sync's under others (a branch not kept; fa70480's message), unchanged re-syncs of
 * 100,000 devices at load 5-10: old generation 2048 MB, process CPU -16 % (median 3.4 -> 2.9 s, 6 rounds) but the
 * re-syncs' peak RSS +100 MB (bench:sync 318-331 MB against 215-233); 2047 MB (growing factor ~2), +50 MB (270-284)
 * for -11 %; 1536 and 1024 MB, -7 % and -2 % (one process each). A 96 MB young generation, -7 % for +30 MB; 192 MB,
 * no better for +110 MB.
 * At a million devices the re-syncs peaked at 246-298 MB (four runs; 288-298 in one, where the process held 265-275 MB
 * before they began), and at 225-235 MB (two quiet runs, daeeef5) once index builds and this worker's connection kept
 * smaller page caches (SORT_CACHE_KIB in deferred-indexes.ts, SYNC_WORKER_PAGE_CACHE_KIB): +100 MB would still pass
 * 300. A new worker's first re-sync also costs ~0.5 s more CPU (its code not yet optimised).
 */
export const SYNC_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512 };

/**
 * The page cache (KiB) of the sync worker's connection, instead of this build's 16,000 (better-sqlite3's
 * SQLITE_DEFAULT_CACHE_SIZE). A sync reads the tables far beyond 16 MB anyway (in id order, where the OS's file cache
 * serves a miss), and the cache, once filled, stays in the process between syncs. Scratch probe of the bench's sync
 * (WorkerSyncEngine over the simulator process: a first sync, then an unchanged and a 1 %-changed re-sync), 300,000
 * devices, two interleaved pairs, load 3.6-4.5 (issue 19): peak RSS of the first sync 260/235 MB against 222/219 with
 * 4,000 KiB, of the re-syncs 232/217 and 245/234 against 206/209 and 219/222; process CPU no higher (first sync
 * 30.4/31.2 s against 29.5/29.4, unchanged re-sync 9.0/9.2 against 8.4/8.3, 1 % changed 11.9/11.7 against 11.6/11.3).
 * Index builds bound it further while they sort (deferred-indexes.ts, SORT_CACHE_KIB).
 */
export const SYNC_WORKER_PAGE_CACHE_KIB = 4000;

/**
 * V8's young generation of the WAL checkpointer's thread: an isolate with its own heap, counted in the console's RSS,
 * that keeps nothing alive between two calls, so 2 MB is room enough (V8 lets a young generation grow to 48 MB on
 * 64-bit). The record compressor's thread has its own (RECORD_COMPRESSOR_THREAD_LIMITS).
 */
export const WAL_CHECKPOINTER_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 2 };

/**
 * The record compressor's (a bulk load's helper thread): its old generation capped, and a 16 MB young generation.
 *
 * Old generation: a batch of 500 records is ~0.7 MB of text live until the batch is done (~1 MB when the records
 * were posted as objects), and 16 MB held 100,000 records compressed in batches of 500 without the thread ending
 * (the cap was set when the thread also parsed every re-sync page again to hash it: uncapped, those parses grew its
 * heap to V8's own limit, 252 MB peak RSS against 232 at 16 MB). A batch that would need more ends the thread
 * (ERR_WORKER_OUT_OF_MEMORY), and its work and all after it is done on the calling thread (RecordCompressor's
 * fail-over): slower, never wrong.
 *
 * Young generation: measured below when the thread also rebuilt and serialised every record (~45-55 us a record, the
 * load's busiest thread), each record leaving ~10 KB of garbage. It now gets their texts, and hashes and deflates
 * them (~16 us a record, less garbage); the size was not measured again. With 2 MB (semi-spaces under 1 MB) the
 * batches were promoted wholesale and the old generation collected every few batches (20,000 records compressed: 319
 * scavenges, 13 mark-compacts, ~11 us a record); 63.3 us a record at 2 MB, 55.7 at 8. At 8 MB (and at 12) a batch's
 * garbage still outgrew the young generation: 145 scavenges and 15-16 mark-compacts per 40,000 records, against 77
 * and 1 at 16 MB. Those collections run partly on V8's helper threads, which the thread's own CPU time leaves out,
 * so the gain shows in the process's CPU (issue 19, load 5-10): 20,000 simulator records in batches of 500, two out
 * at a time, 46.9-55.0 us a record against 55.0-60.1 at 8 MB (the thread alone 41-49.5 against 43-47.5); bench:sync
 * --storage-path-only at 300,000, three interleaved pairs: process CPU 34.6-35.0 against 37.6-38.6 s, all threads
 * but the writer 16.6-16.8 against 19.1-19.8 s. 32 MB was worse on both counts (thread 51.5-55.5, process 74-80 us a
 * record). The cost is the semi-spaces V8 commits, counted in the console's RSS: a first sync of 100,000 devices
 * peaked at 230-247 MB against 220-232 at 8 MB (median 236 against 227, five interleaved pairs), within the 300 MB
 * goal with the 257 MB a first sync of a million peaked at before.
 */
export const RECORD_COMPRESSOR_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 16 };
