import type { AuditEntry } from '../../../src-shared/domain/audit';
import { AppError } from '../../../src-shared/errors';
import { parseCommandArgs, wholeNumberOption } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, printJson, reportError, usageError, type CliIo } from '../cli-io';
import { openCore } from '../open-core';

export const USAGE = 'tec audit verify [--json]\n       tec audit list [--limit N] [--json]';

const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { verify, list };

/** `tec audit …`: the tamper-evident log of admin actions. */
export async function runAuditCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const command = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!command) throw usageError(`${sub === undefined ? 'Missing subcommand' : `Unknown subcommand "${sub}"`}.\nUsage: ${USAGE}`);
  return command(rest, io);
}

/**
 * Walks the whole hash chain. Exit 0 when every entry is intact; 7 (a check answered "no") when one was changed,
 * removed or reordered, naming the first broken entry: everything before it is intact.
 */
async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  const core = openCore(io);
  try {
    const result = await callChannel(core, 'audit.verify', {}, io.signal);
    if (values.json === true) printJson(io, result);
    if (result.ok) {
      if (values.json !== true) io.stdout.write(`The audit log is intact: ${result.checked} entries verified.\n`);
      return EXIT.ok;
    }
    const message = `The audit log was altered at entry ${result.brokenAt}: ${result.reason}. The ${result.checked} entries before it are intact.`;
    return reportError(io, new AppError('AUDIT_CHAIN_BROKEN', message, { brokenAt: result.brokenAt, checked: result.checked }), false);
  } finally {
    await core.close();
  }
}

/** The newest entries first. */
async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { limit: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  const core = openCore(io);
  try {
    const entries = await callChannel(core, 'audit.list', { limit: wholeNumberOption('limit', values.limit, { min: 1, max: 500, fallback: 50 }) }, io.signal);
    if (values.json === true) printJson(io, entries);
    else io.stdout.write(entries.map(describe).join(''));
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

function describe(e: AuditEntry): string {
  return `#${e.seq} ${e.at} ${e.actor} ${e.action}${e.target ? ` ${e.target}` : ''} ${JSON.stringify(e.details)}\n`;
}
