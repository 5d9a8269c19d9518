import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running `script`: built JavaScript as it is; TypeScript source (tests, benchmarks, the demo) through
 * tsx. The sync worker and start-up's upgrade thread both start this way.
 */
export function startScriptWorker(script: string, options: Omit<WorkerOptions, 'eval'>): Worker {
  if (!script.endsWith('.ts')) return new Worker(script, options);
  const source = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(script)});`;
  return new Worker(source, { ...options, eval: true });
}
