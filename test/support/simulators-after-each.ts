import { afterEach } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../simulator/ivanti-simulator';

/**
 * Starts simulated Ivanti tenants that are closed after each test, also when an assertion failed before the test's
 * end: a running one holds its port and its server for the rest of the run.
 */
export function useSimulatorsAfterEach(): (options: SimulatorOptions) => Promise<RunningSimulator> {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    for (const simulator of running.splice(0)) await simulator.close();
  });
  return async (options) => {
    const started = await startSimulator(options);
    running.push(started);
    return started;
  };
}
