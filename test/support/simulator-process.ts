import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface SimulatorProcess {
  child: ChildProcess;
  /** `127.0.0.1:PORT`, as an admin enters it. */
  domain: string;
  close(): Promise<void>;
}

/**
 * `npm run sim` in a child process, for measurements and tests that must not share this process's event loop with
 * the tenant (its page generation would count as this thread's work, and blocking this thread would stop it).
 */
export async function startSimulatorProcess(args: { devices: number; seed: string }): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/simulator/cli.ts'), '--devices', String(args.devices), '--seed', args.seed], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const domain = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Domain:\s+(\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before listening:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    domain,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
