import path from 'node:path';
import { usageError, type CliIo } from './cli-io';

/**
 * `--data-dir DIR` (or `--data-dir=DIR`), accepted anywhere on the command line by every command: it is taken out of
 * the arguments here and handed on as TEC_DATA_DIR, which is what openCore and the app itself read, so no command
 * has to know about it.
 */
export function extractDataDir(argv: readonly string[], io: CliIo): { argv: string[]; io: CliIo } {
  const rest: string[] = [];
  let dataDir: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--data-dir' || arg.startsWith('--data-dir=')) {
      const value = arg === '--data-dir' ? argv[++i] : arg.slice('--data-dir='.length);
      if (value === undefined || value === '' || value.startsWith('--')) throw usageError('--data-dir needs a directory.');
      dataDir = value;
      continue;
    }
    rest.push(arg);
  }
  if (dataDir === null) return { argv: rest, io };
  return { argv: rest, io: { ...io, env: { ...io.env, TEC_DATA_DIR: path.resolve(dataDir) } } };
}
