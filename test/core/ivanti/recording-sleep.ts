import type { Sleep } from '../../../src-main/core/ivanti/retry-policy';
import { cancelled } from '../../../src-main/core/ivanti/retry-policy';

/**
 * A sleep that records the delays asked for and returns at once, so retry tests check the back-off and the wait cap
 * without waiting. `onSleep` runs at each call (e.g. to abort the caller mid-wait).
 */
export function recordingSleep(onSleep?: (ms: number) => void): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  const sleep: Sleep = async (ms, signal) => {
    delays.push(ms);
    onSleep?.(ms);
    if (signal?.aborted) throw cancelled();
  };
  return { sleep, delays };
}
