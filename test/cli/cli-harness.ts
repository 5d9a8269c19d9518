import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../src-main/cli/cli-io';
import { main } from '../../src-main/cli/main';

/** Runs `tec ARGS` in-process with captured output, a given environment and standard input. */
export async function runTec(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; signal?: AbortSignal } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
  };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
