import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { checkNiceness } from '../../src-main/core/app/thread-priority';
import type { TenantChanges } from '../simulator/simulated-tenant';

const ROOT = path.resolve(__dirname, '../..');

export interface SimulatorProcess {
  child: ChildProcess;
  /** `127.0.0.1:PORT`, as an admin enters it. */
  domain: string;
  /** Changes the tenant (as RunningSimulator.mutate does) and resolves once the simulator has applied them. */
  mutate(changes: TenantChanges): Promise<void>;
  close(): Promise<void>;
}

/**
 * `npm run sim` in a child process, for measurements and tests that must not share this process's event loop with
 * the tenant (its page generation would count as this thread's work, and blocking this thread would stop it).
 */
export async function startSimulatorProcess(args: { devices: number; seed: string; niceness?: number }): Promise<SimulatorProcess> {
  const node = [process.execPath, '--import', 'tsx', path.join(ROOT, 'test/simulator/cli.ts'), '--devices', String(args.devices), '--seed', args.seed, '--control'];
  const [command, ...commandArgs] = atNiceness(args.niceness ?? 0, node);
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of output.split('\n').slice(0, -1)) if (line.startsWith('changed ')) waiters.shift()?.();
    output = output.slice(output.lastIndexOf('\n') + 1);
  });
  let started = '';
  const domain = await new Promise<string>((resolve, reject) => {
    const listen = (chunk: Buffer) => {
      started += chunk.toString();
      const match = /Domain:\s+(\S+)/.exec(started);
      if (match) {
        child.stdout!.off('data', listen);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', listen);
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before listening:\n${started}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    domain,
    mutate: (changes) =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        child.stdin!.write(`${JSON.stringify(changes)}\n`);
      }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `argv` run at `niceness`: above 0, through coreutils' nice, so that the whole process (every thread it starts) runs at
 * it; at 0, as it is.
 */
export function atNiceness(niceness: number, argv: string[]): string[] {
  return checkNiceness(niceness) > 0 ? ['nice', '-n', String(niceness), ...argv] : argv;
}
