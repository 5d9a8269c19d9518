import { execFileSync } from 'node:child_process';

/**
 * Runs `script` (CommonJS; TypeScript modules load through tsx) in a Node process of its own and returns what it wrote
 * on stdout. For what only shows when nothing else keeps the event loop alive: vitest's keeps its own alive whatever a
 * thread does, so a process that would end early with work still awaited cannot be seen from inside a test.
 */
export function runInProcessOfItsOwn(script: string): string {
  return execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 60_000 });
}
