import fs from 'node:fs';
import os from 'node:os';

/**
 * Lowers the calling thread's scheduling priority to `niceness` (0 to 19; 0 leaves it as it is). Linux only:
 * setpriority names a thread by its id, which /proc/thread-self gives, and the threads it starts afterwards (Node's
 * worker threads, SQLite's) inherit its niceness. Raising a priority again needs a privilege, so a thread lowered stays
 * so. Elsewhere, or where the kernel refuses, nothing changes. Returns whether the thread now runs at `niceness`.
 */
export function lowerThreadPriority(niceness: number): boolean {
  if (checkNiceness(niceness) === 0 || process.platform !== 'linux') return false;
  try {
    const threadId = Number(lastSegment(fs.readlinkSync('/proc/thread-self')));
    os.setPriority(threadId, niceness);
    return os.getPriority(threadId) === niceness;
  } catch {
    return false;
  }
}

/** `1234/task/1240` → `1240`. */
function lastSegment(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}

/** `niceness` if it is one a thread can be lowered to (0 to 19), else a RangeError that says so. */
export function checkNiceness(niceness: number): number {
  if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19) throw new RangeError(`A thread's niceness is a whole number from 0 to 19, not ${niceness}.`);
  return niceness;
}
