import fs from 'node:fs';

/**
 * This process's own peak resident set, in MB, for a benchmark that runs a measurement in a child process so that its
 * peak is the measurement's alone (bench:export's exports, bench:sync's fetch-and-parse baseline).
 *
 * Not `process.resourceUsage().maxRSS`: Linux carries a process's high-water mark across exec, so a child reports at
 * least the resident set its parent had when it forked it. A 41 MB child of a node process holding 442 MB reported
 * 404 MB; every export of bench:export at a million devices reported 360 MB, its parent's after seeding. VmHWM in
 * /proc/self/status is the peak of the address space exec gave this process. Where there is no /proc (macOS,
 * Windows), maxRSS is all there is: whether it carries over there too is not known here.
 */
export function ownPeakRssMb(): number {
  const status = readProcStatus();
  const kib = status === null ? null : /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return Math.round((kib == null ? process.resourceUsage().maxRSS : Number(kib)) / 1024);
}

function readProcStatus(): string | null {
  try {
    return fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
}
