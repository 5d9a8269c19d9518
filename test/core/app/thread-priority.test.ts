import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerThreadPriority } from '../../../src-main/core/app/thread-priority';
import { threadNiceness } from '../../support/thread-niceness';

/**
 * A thread that lowers itself to `workerData.niceness`, then starts a thread of its own; both stay until told to end.
 * It reports whether the call said it lowered, and both thread ids.
 */
const LOWERING_THREAD = `
require(${JSON.stringify(require.resolve('tsx/cjs'))});
const { parentPort, workerData, Worker } = require('node:worker_threads');
const fs = require('node:fs');
const { lowerThreadPriority } = require(${JSON.stringify(path.resolve(__dirname, '../../../src-main/core/app/thread-priority.ts'))});
const ownId = () => Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
const lowered = lowerThreadPriority(workerData.niceness);
const child = new Worker(
  "const { parentPort } = require('node:worker_threads');" +
  "parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()));" +
  "parentPort.once('message', () => parentPort.close());",
  { eval: true },
);
child.once('message', (childId) => parentPort.postMessage({ lowered, threadId: ownId(), childId }));
parentPort.once('message', () => { child.postMessage('end'); parentPort.close(); });
`;

const running: Worker[] = [];
afterEach(async () => {
  for (const worker of running.splice(0)) await worker.terminate();
});

async function loweringThread(niceness: number): Promise<{ lowered: boolean; threadId: number; childId: number }> {
  const worker = new Worker(LOWERING_THREAD, { eval: true, workerData: { niceness } });
  running.push(worker);
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('lowerThreadPriority', () => {
  it('lowers the calling thread and the threads it starts afterwards, and no other thread of the process', async () => {
    const before = threadNiceness();
    const { lowered, threadId, childId } = await loweringThread(7);
    const after = threadNiceness();
    if (process.platform !== 'linux') {
      expect(lowered).toBe(false);
      return;
    }
    expect(lowered).toBe(true);
    expect(after.get(threadId)).toBe(7);
    expect(after.get(childId), 'a thread started after the call inherits its niceness').toBe(7);
    expect(after.get(process.pid), 'the main thread keeps its own').toBe(before.get(process.pid));
    const others = [...after].filter(([tid]) => tid !== threadId && tid !== childId);
    expect(others.filter(([, nice]) => nice === 7)).toEqual([]);
  });

  it('leaves the thread as it is at niceness 0', async () => {
    const { lowered, threadId } = await loweringThread(0);
    expect(lowered).toBe(false);
    expect(threadNiceness().get(threadId)).toBe(threadNiceness().get(process.pid));
  });

  it.each([-1, 20, 2.5, Number.NaN])('refuses niceness %s, with the range it takes', (niceness) => {
    expect(() => lowerThreadPriority(niceness)).toThrow(/whole number from 0 to 19/);
  });
});
