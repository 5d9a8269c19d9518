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
 */
export const SYNC_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512 };

/**
 * V8's young generation of the sync's helper threads, the record compressor and the WAL checkpointer: each is an
 * isolate with its own heap, counted in the console's RSS, and neither keeps anything alive between two calls, so 2 MB
 * is room enough (V8 lets a young generation grow to 48 MB on 64-bit).
 */
export const SYNC_HELPER_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 2 };

/**
 * The record compressor's: SYNC_HELPER_THREAD_LIMITS with its old generation capped. Since it parses each search answer
 * of a re-sync again to hash its records (RecordCompressor.hashPage), what a page's parse promotes out of the 2 MB young
 * generation grew its heap to V8's own limit: peak RSS of two unchanged 100k re-syncs in one process 252 MB against 220
 * without the thread; capped at 12 / 16 / 24 MB, 224 / 232 / 239 MB. A page (500 records of ~1.3 KB) needs ~4 MB live,
 * and 16 MB held 100,000 records compressed in batches of 500 and 200 pages hashed without the thread ending. A batch that
 * would need more ends the thread (ERR_WORKER_OUT_OF_MEMORY), and its work and all after it is done on the calling
 * thread (RecordCompressor's fail-over): slower, never wrong.
 */
export const RECORD_COMPRESSOR_THREAD_LIMITS: ResourceLimits = { ...SYNC_HELPER_THREAD_LIMITS, maxOldGenerationSizeMb: 16 };

/**
 * The record compressor's during a bulk load, where it serialises, hashes and deflates every record (~60 us a record,
 * the load's busiest thread): RECORD_COMPRESSOR_THREAD_LIMITS with an 8 MB young generation. A batch of 500 cloned
 * records is ~1 MB live until the batch is done, and each record leaves ~10 KB of garbage; in a 2 MB young generation
 * (semi-spaces under 1 MB) the batch is copied and promoted by a scavenge every ~60 records, and the old generation
 * then collected every few batches (20,000 records: 319 scavenges, 13 mark-compacts, ~11 us a record in all).
 * Measured (RecordCompressor.compressAndHash, 20,000 simulated records, CPU of the threads but the caller, 6 interleaved
 * rounds in one process, load 4.5-5): 63.3 us a record at 2 MB, 55.7 at 8 MB, 56.0 at 16 MB. The cost is the
 * semi-spaces V8 commits as they grow: that process's peak RSS 190-199 MB at 2 MB, 196-204 at 8, 201-208 at 16 (three
 * runs each), for a bulk load (any other run's thread hashes whole pages: RECORD_HASHING_THREAD_LIMITS).
 */
export const BULK_LOAD_COMPRESSOR_LIMITS: ResourceLimits = { ...RECORD_COMPRESSOR_THREAD_LIMITS, maxYoungGenerationSizeMb: 8 };

/**
 * The record compressor's in any run that is not a bulk load, where it hashes each page of the re-sync (hashPage): a
 * page's text (~1 MB at 500 records) and its parse (several MB) do not fit in a 2 MB young generation, so each page was
 * promoted whole, and the 16 MB old generation was marked and compacted every few pages (a 100k unchanged re-sync, with
 * --trace-gc: 612 scavenges and 41 mark-compacts on this thread; under the profiler 1.7 of its 4.4 s in GC). With 16 MB
 * a page's objects die young. Measured at 100,000 devices, unchanged re-syncs interleaved in one process on one database
 * (load 6-10, so CPU, not wall): this thread's CPU 1.46-1.79 -> 1.23-1.46 s, the process's 4.16-4.92 -> 3.61-4.55 s (8
 * MB: 1.32-1.39 and 3.84-4.00, one run; 32 MB no better). The cost is memory: the unchanged re-sync's peak RSS in
 * bench:sync at 100k 240 / 245 -> 251 / 255 MB.
 */
export const RECORD_HASHING_THREAD_LIMITS: ResourceLimits = { ...RECORD_COMPRESSOR_THREAD_LIMITS, maxYoungGenerationSizeMb: 16 };
