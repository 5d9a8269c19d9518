import v8 from 'node:v8';

/**
 * How much V8 lets an old generation grow past what its last full collection left live, in percent, while a sync runs
 * (V8's --heap-growing-percent; 0, its default, leaves the factor to V8).
 *
 * Why (issue 19): in a first sync the sync worker keeps ~17-20 MB live and every scavenge promotes ~2.5-6 MB that dies
 * soon after (the page's body, a 2.5 MB string alive while it is parsed, and the page in flight). V8 picks the growing
 * factor from how fast it collects against how fast the thread allocates (heap-controller.cc, DynamicGrowingFactor,
 * aiming at 97 % mutator utilisation); here it started marking 2-5 MB above the live size (--trace-incremental-marking),
 * so the old generation was marked again after almost every scavenge: 44-51 mark-compacts in a first sync of 100,000 devices
 * (--trace-gc-nvp, bench:sync --size-only, load 5-10), 2.2-2.5 s of concurrent marking on the helper threads besides
 * 0.45-0.6 s of pauses, on a machine of 2 cores where the compressing and writing threads are busy. The worker's
 * resourceLimits cannot set the factor: an old generation capped at 1,024 MB instead of 512 (a larger bound on the
 * factor) still ran 35-42 of them (1.75-1.8 s of marking). With the flag at 100 for the whole process: 21 (1.0 s);
 * at 200: 10 (0.4 s), but peak RSS 278 MB against 244. At 100 during bulk loads only, three interleaved pairs at
 * load 3.8-5.3: 19-23 mark-compacts against 49-52, concurrent marking 0.65-0.8 s against 1.65-2.6, the bench process's
 * CPU 9.6-9.8 s against 10.5-10.9, the first sync 6.8-7.4 s against 7.3-11.6; peak RSS 261-263 MB against 242-251.
 *
 * A re-sync marked often too, for the same reason: each page it reads (500 parsed records) stays alive from its fetch,
 * two pages ahead, until it is written, so it is promoted and dies in the old generation. Unchanged re-syncs of 100,000
 * devices through the sync worker, one database, interleaved x4, load 10-12 (per-thread CPU from /proc): 28-32
 * mark-compacts a re-sync with V8's own growth, 15-16 with this; the process's CPU 3.22-3.44 s against 2.70-2.94,
 * V8's helper threads 0.85-1.01 s against 0.50-0.64.
 *
 * The flag is process-wide (every isolate: the main thread, the helper threads), so it is set only while a sync runs
 * and put back to V8's default when the last one ends; a bulk load gives it back before its index builds, as it did
 * when only bulk loads held it. Set at run time, it takes effect from each heap's next full collection (the counts
 * above were measured so).
 */
export const SYNC_HEAP_GROWING_PERCENT = 100;

let leases = 0;

/** Lets heaps grow by SYNC_HEAP_GROWING_PERCENT until the returned release is called (once is enough; more are no-ops). */
export function growHeapsForSync(): () => void {
  if (leases++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${SYNC_HEAP_GROWING_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--leases === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
