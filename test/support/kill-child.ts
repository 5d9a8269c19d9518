import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs a TypeScript script in a real child process (node --import tsx) and SIGKILLs it as soon as what it printed on
 * stdout satisfies `killWhen`. Answers the signal it ended with and what it printed; rejects if the child ends first,
 * with the end of its output. The kill tests of long migrations and of the bulk sync load share it.
 */
export async function killChildWhen(
  script: string,
  args: readonly string[],
  killWhen: (out: string) => boolean,
): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (killWhen(out)) resolve();
    });
    child.on('exit', () => reject(new Error(`the child ended before the kill: ${out.slice(-500)} ${err}`)));
  });
  child.kill('SIGKILL');
  return { signal: await exited, out };
}
