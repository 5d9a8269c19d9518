import { AppError, toErrorPayload } from '../../src-shared/errors';
import { EXIT, reportError, type CliIo } from './cli-io';
import { openCliLog } from './cli-log';
import { asksForHelp, commandHelp } from './command-help';
import { extractDataDir } from './data-dir-option';
import { terminalSafeIo } from './terminal-output';
import { APP_VERSION } from './version';

/**
 * `tec`: the console's command line, on the same core and data directory as the app. Each command group is imported
 * only when used, so `tec scep enroll` never loads SQLite or React-sized dependencies (startup time is measured by
 * `npm run bench:scep`).
 */
type CommandModule = { run(argv: string[], io: CliIo): Promise<number>; usage: string };

const GROUPS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  scep: {
    summary: 'SCEP operations against a CA: caps, cacert, enroll',
    load: async () => { const m = await import('./commands/scep'); return { run: m.runScepCommand, usage: m.USAGE }; },
  },
  integration: {
    summary: 'Ivanti integrations: add (password from stdin or TEC_IVANTI_PASSWORD), list, test',
    load: async () => { const m = await import('./commands/integration'); return { run: m.runIntegrationCommand, usage: m.USAGE }; },
  },
  sync: {
    summary: 'Sync an integration\'s devices now (resumes an unfinished run; Ctrl-C cancels cleanly)',
    load: async () => { const m = await import('./commands/sync'); return { run: m.runSyncCommand, usage: m.USAGE }; },
  },
  devices: {
    summary: 'Synced devices: find IDENTIFIER (has this device synced?), search TEXT (the explorer\'s search and filters)',
    load: async () => { const m = await import('./commands/devices'); return { run: m.runDevicesCommand, usage: m.USAGE }; },
  },
  export: {
    summary: 'Export devices (with the explorer\'s filters), sync diffs or the audit log as CSV or JSON',
    load: async () => { const m = await import('./commands/export'); return { run: m.runExportCommand, usage: m.USAGE }; },
  },
  audit: {
    summary: 'The tamper-evident audit log: verify (exit 7 naming the first altered entry), list',
    load: async () => { const m = await import('./commands/audit'); return { run: m.runAuditCommand, usage: m.USAGE }; },
  },
  certificates: {
    summary: 'Certificate inventory of legacy certificate integrations: list [--integration NAME] [--status S]',
    load: async () => { const m = await import('./commands/certificates'); return { run: m.runCertificatesCommand, usage: m.USAGE }; },
  },
  duo: {
    summary: 'The optional read-only Duo Admin API connection: connect, status, test, sync, disconnect',
    load: async () => { const m = await import('./commands/duo'); return { run: m.runDuoCommand, usage: m.USAGE }; },
  },
  verify: {
    summary: 'Would this user be trusted on this device? Every reason if not (exit 7), or exit 8 when our copy of its space is stale',
    load: async () => { const m = await import('./commands/verify'); return { run: m.runVerifyCommand, usage: m.USAGE }; },
  },
};

export async function main(commandLine: string[], terminalIo: CliIo): Promise<number> {
  // Every command's output passes here: on a terminal, tenant values and echoed arguments are shown escaped.
  const processIo = terminalSafeIo(terminalIo, commandLine.includes('--json'));
  let argv: string[];
  let io: CliIo;
  try {
    ({ argv, io } = extractDataDir(commandLine, processIo));
  } catch (error) {
    return reportError(processIo, error, commandLine.includes('--json'));
  }
  const [first, ...afterFirst] = argv;
  // `tec help GROUP [SUB]` is `tec GROUP [SUB] --help`.
  const helpTopic = first === 'help' && afterFirst.length > 0;
  const [group, ...rest] = helpTopic ? afterFirst : argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') {
    io.stdout.write(helpText());
    return group === undefined ? EXIT.usage : EXIT.ok;
  }
  if (group === '--version' || group === 'version') {
    io.stdout.write(`${APP_VERSION}\n`);
    return EXIT.ok;
  }
  const entry = GROUPS[group];
  if (!entry) {
    return reportError(io, new AppError('VALIDATION_FAILED', `Unknown command "${group}". Run "tec help" for the list.`), rest.includes('--json'));
  }
  let module: CommandModule;
  try {
    module = await entry.load();
    if (helpTopic || asksForHelp(rest)) {
      io.stdout.write(commandHelp(group, entry.summary, module.usage, rest));
      return EXIT.ok;
    }
  } catch (error) {
    return reportError(io, error, rest.includes('--json'));
  }
  const command = [group, rest[0]].filter((word) => word !== undefined && !word.startsWith('-')).join(' ');
  const { log, close } = openCliLog(io.env);
  log.info('command started', { command, version: APP_VERSION });
  try {
    const exitCode = await module.run(rest, io);
    log.info('command finished', { command, exitCode });
    return exitCode;
  } catch (error) {
    const exitCode = reportError(io, error, rest.includes('--json'));
    log.error('command failed', { command, exitCode, error: toErrorPayload(error) });
    return exitCode;
  } finally {
    close();
  }
}

function helpText(): string {
  const lines = Object.entries(GROUPS).map(([name, g]) => `  ${name.padEnd(14)}${g.summary}`);
  return [
    'tec: Trusted Endpoints Console command line',
    '',
    'Usage: tec <command> [options]   (add --json for one JSON document on stdout)',
    '',
    'Commands:',
    ...lines,
    '',
    'Data directory: the app\'s own (override with --data-dir DIR or TEC_DATA_DIR).',
    'Help on one command: tec help COMMAND [SUBCOMMAND], or tec COMMAND [SUBCOMMAND] --help.',
    '',
  ].join('\n');
}
