import type { DuoProgress, DuoRead, DuoTestStep } from '../../../src-shared/domain/duo';
import { parseCommandArgs } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, exitCodeFor, printJson, readSecretFromStdin, usageError, type CliIo } from '../cli-io';
import { openCore } from '../open-core';
import { AppError } from '../../../src-shared/errors';
import { describeEndpoint } from './duo-view-text';

export const USAGE = `tec duo connect --api-hostname HOST --integration-key KEY [--secret-key-stdin | TEC_DUO_SECRET_KEY] [--json]
       tec duo status [--json]
       tec duo test [--json]
       tec duo sync [--json]
       tec duo disagreements [--json] [--export csv|json]
       tec duo disconnect`;

/** The secret key's environment variable, for scripts; the command line never takes it (it would show in `ps`). */
export const SECRET_KEY_ENV = 'TEC_DUO_SECRET_KEY';

/**
 * `tec duo …`: the optional, read-only Duo Admin API connection. Exit codes (README, "Command line"): 0 ok, 2 usage,
 * 3 no connection set, 4 Duo refused the credentials, the signature, the date or the clock, or the permission is
 * missing, 5 network, TLS, rate limiting or a Duo server error, 6 the keychain, 7 (disagreements) Duo and the console
 * disagree on at least one endpoint, 130 cancelled.
 */
export async function runDuoCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'connect') return connect(rest, io);
  if (sub === 'status') return status(rest, io);
  if (sub === 'test') return test(rest, io);
  if (sub === 'sync') return sync(rest, io);
  if (sub === 'disconnect') return disconnect(rest, io);
  if (sub === 'disagreements') return disagreements(rest, io);
  throw usageError(`${sub === undefined ? 'Missing subcommand' : `Unknown subcommand "${sub}"`}.\nUsage: ${USAGE}`);
}

async function connect(argv: string[], io: CliIo): Promise<number> {
  if (argv.some((a) => /^--secret-key(=|$)/.test(a))) {
    throw usageError(`The secret key is never taken on the command line (other users could read it in the process list). Pipe it with --secret-key-stdin, or set ${SECRET_KEY_ENV}.`);
  }
  const { values } = parseCommandArgs(
    argv,
    { 'api-hostname': { type: 'string' }, 'integration-key': { type: 'string' }, 'secret-key-stdin': { type: 'boolean' }, json: { type: 'boolean' } },
    { min: 0, max: 0, usage: USAGE },
  );
  for (const required of ['api-hostname', 'integration-key'] as const) {
    if (values[required] === undefined) throw usageError(`--${required} is required.\nUsage: ${USAGE}`);
  }
  const secretKey = values['secret-key-stdin'] ? await readSecretFromStdin(io, 'secret key') : io.env[SECRET_KEY_ENV] || undefined;
  const core = openCore(io);
  try {
    const connection = await callChannel(
      core,
      'duo.connect',
      { apiHostname: values['api-hostname']!, integrationKey: values['integration-key']!, ...(secretKey ? { secretKey } : {}) },
      io.signal,
    );
    if (values.json) printJson(io, connection);
    else io.stdout.write(`Saved the Duo Admin API connection to ${connection.apiHostname}. The secret key is in the keychain.\nNext: tec duo test\n`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function status(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  const core = openCore(io);
  try {
    const connection = await callChannel(core, 'duo.connection', {}, io.signal);
    if (values.json) printJson(io, connection);
    else if (!connection) io.stdout.write('No Duo Admin API connection. Connecting lets the console show Duo\'s own view of each user\'s devices beside its prediction: tec duo connect\n');
    else {
      io.stdout.write(`${connection.apiHostname}, integration key ${connection.integrationKey}, secret key ${connection.hasSecretKey ? 'in the keychain' : 'MISSING'}\n`);
      for (const read of connection.reads) io.stdout.write(describeRead(read));
    }
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

const MARK: Record<DuoTestStep['status'], string> = { pending: '·', running: '…', passed: 'ok', failed: 'FAILED', skipped: 'n/a' };

async function test(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  const json = values.json === true;
  const core = openCore(io);
  try {
    const unsubscribe = core.events.subscribe((name, payload) => {
      if (json || name !== 'duo.testStep') return;
      const { step } = payload as { step: DuoTestStep };
      if (step.status !== 'running') io.stdout.write(`${MARK[step.status].padEnd(6)} ${step.title}: ${step.status === 'failed' ? (step.error?.message ?? '') : (step.detail ?? '')}\n`);
    });
    let result;
    try {
      result = await callChannel(core, 'duo.test', {}, io.signal);
    } finally {
      unsubscribe();
    }
    if (json) printJson(io, result);
    if (result.failure) {
      io.stderr.write(`tec: ${result.failure.error.code}: ${result.failure.error.message}\n`);
      return exitCodeFor(result.failure.error.code);
    }
    if (!json) io.stdout.write(`The Duo Admin API connection to ${result.apiHostname} works.\n`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function sync(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  const json = values.json === true;
  const core = openCore(io);
  try {
    let shown: string | null = null;
    const unsubscribe = core.events.subscribe((name, payload) => {
      if (json || name !== 'duo.progress') return;
      const p = payload as DuoProgress;
      const line = p.waiting ?? `Reading ${p.kind} from Duo: ${p.fetched}${p.total === null ? '' : ` of ${p.total}`}`;
      if (line !== shown && io.stderr.isTTY) io.stderr.write(`\r${line}\x1b[K`);
      shown = line;
    });
    let summary;
    try {
      summary = await callChannel(core, 'duo.read', {}, io.signal);
    } finally {
      unsubscribe();
      if (shown !== null && io.stderr.isTTY) io.stderr.write('\r\x1b[K');
    }
    if (json) printJson(io, summary);
    else for (const read of summary.reads) io.stdout.write(describeRead(read));
    const failed = summary.reads.find((r) => r.status !== 'completed');
    if (!failed) return EXIT.ok;
    if (failed.status === 'cancelled') return EXIT.cancelled;
    io.stderr.write(`tec: ${failed.error!.code}: ${failed.error!.message}\n`);
    return exitCodeFor(failed.error!.code as Parameters<typeof exitCodeFor>[0]);
  } finally {
    await core.close();
  }
}

/** Exit 0 when Duo and the console agree everywhere they can be compared, 7 when they disagree somewhere. */
async function disagreements(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' }, export: { type: 'string' } }, { min: 0, max: 0, usage: USAGE });
  if (values.export !== undefined && values.export !== 'csv' && values.export !== 'json') throw usageError(`--export takes csv or json.\nUsage: ${USAGE}`);
  const core = openCore(io);
  try {
    const list = await callChannel(core, 'duo.disagreements', {}, io.signal);
    if (!list.connected) throw new AppError('DUO_NOT_CONFIGURED', 'No Duo Admin API connection is set: tec duo connect, then tec duo sync.');
    if (values.export) {
      const written = await callChannel(core, 'duo.exportDisagreements', { format: values.export as 'csv' | 'json' }, io.signal);
      io.stderr.write(`Wrote ${written.count} disagreements to ${written.file}\n`);
    }
    if (values.json) printJson(io, list);
    else {
      if (!list.trustedEndpointAvailable) io.stdout.write('Duo sent no trusted_endpoint (it does on Premier accounts only): nothing to compare.\n');
      else io.stdout.write(`${list.items.length} disagreements among ${list.compared} endpoints compared (read ${list.readAt === null ? 'never' : new Date(list.readAt).toISOString()}).\n`);
      for (const item of list.items) io.stdout.write(describeEndpoint(item, item.username));
    }
    return list.items.length === 0 ? EXIT.ok : EXIT.negative;
  } finally {
    await core.close();
  }
}

async function disconnect(argv: string[], io: CliIo): Promise<number> {
  parseCommandArgs(argv, {}, { min: 0, max: 0, usage: USAGE });
  const core = openCore(io);
  try {
    await callChannel(core, 'duo.disconnect', {}, io.signal);
    io.stdout.write('Removed the Duo Admin API connection, its secret key from the keychain and everything read from Duo.\n');
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

function describeRead(read: DuoRead): string {
  const when = new Date(read.finishedAt).toISOString();
  if (read.status === 'completed') return `${read.kind.padEnd(10)} ${read.count} read ${when}\n`;
  return `${read.kind.padEnd(10)} ${read.status.toUpperCase()} ${when}${read.error ? `: ${read.error.code}: ${read.error.message}` : ''} (the previous copy is kept)\n`;
}
