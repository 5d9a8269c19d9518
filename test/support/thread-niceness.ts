import fs from 'node:fs';

/**
 * The niceness of each thread of this process, by thread id, as the kernel reports it (/proc/self/task/<tid>/stat,
 * field 19; Linux only). Read here rather than through os.getPriority, the call the code under test makes.
 */
export function threadNiceness(): Map<number, number> {
  const byThread = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // The thread ended between the listing and the read.
    }
    // After the command's closing parenthesis come the fields from the third (state) on: niceness is the 19th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byThread.set(Number(tid), Number(fields[19 - 3]));
  }
  return byThread;
}

/** The ids of this process's threads that run at `niceness`. */
export function threadsAt(niceness: number): number[] {
  return [...threadNiceness()].filter(([, nice]) => nice === niceness).map(([tid]) => tid);
}
