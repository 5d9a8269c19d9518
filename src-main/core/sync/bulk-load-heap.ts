import v8 from 'node:v8';

/**
 * How much V8 lets an old generation grow past what its last full collection left live, in percent, while a bulk load
 * runs (V8's --heap-growing-percent; 0, its default, leaves the factor to V8).
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
 * at 200: 10 (0.4 s), but peak RSS 278 MB against 244. At 100 during bulk loads only (this), three interleaved pairs at
 * load 3.8-5.3: 19-23 mark-compacts against 49-52, concurrent marking 0.65-0.8 s against 1.65-2.6, the bench process's
 * CPU 9.6-9.8 s against 10.5-10.9, the first sync 6.8-7.4 s against 7.3-11.6; peak RSS 261-263 MB against 242-251.
 *
 * The flag is process-wide (every isolate: the main thread, the helper threads), so it is set only while a bulk load
 * runs and put back to V8's default when the last one ends: re-syncs keep the heap bounds thread-limits.ts measured.
 * Re-syncs held it too for a while (e00fc09: half the full collections of a 100k unchanged re-sync, process CPU
 * -0.3 to -0.6 s), but at a million devices their peak RSS rose to 267-304 MB (the 1 % changed and check-ins re-syncs
 * at 304 and 302 MB in one of three bench:sync runs, against 239-268 before; goal 300), so they keep V8's own growth.
 * Set at run time, it takes effect from each heap's next full collection (the counts above were measured so).
 */
export const BULK_LOAD_HEAP_GROWING_PERCENT = 100;

let leases = 0;

/** Lets heaps grow by BULK_LOAD_HEAP_GROWING_PERCENT until the returned release is called (once is enough; more are no-ops). */
export function growHeapsForBulkLoad(): () => void {
  if (leases++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${BULK_LOAD_HEAP_GROWING_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--leases === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
