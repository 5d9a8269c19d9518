import { AppError } from '../../src-shared/errors';
import { EXIT, reportError, type CliIo } from './cli-io';
import { extractDataDir } from './data-dir-option';
import { APP_VERSION } from './version';

/**
 * `tec`: the console's command line, on the same core and data directory as the app. Each command group is imported
 * only when used, so `tec scep enroll` never loads SQLite or React-sized dependencies (startup time is measured by
 * `npm run bench:scep`).
 */
type CommandModule = { run(argv: string[], io: CliIo): Promise<number> };

const GROUPS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  scep: {
    summary: 'SCEP operations against a CA: caps, cacert, enroll',
    load: async () => ({ run: (await import('./commands/scep')).runScepCommand }),
  },
  integration: {
    summary: 'Ivanti integrations: add (password from stdin or TEC_IVANTI_PASSWORD), list, test',
    load: async () => ({ run: (await import('./commands/integration')).runIntegrationCommand }),
  },
  sync: {
    summary: 'Sync an integration\'s devices now (resumes an unfinished run; Ctrl-C cancels cleanly)',
    load: async () => ({ run: (await import('./commands/sync')).runSyncCommand }),
  },
  devices: {
    summary: 'Synced devices: find IDENTIFIER (has this device synced?), search TEXT (the explorer\'s search and filters)',
    load: async () => ({ run: (await import('./commands/devices')).runDevicesCommand }),
  },
  export: {
    summary: 'Export devices (with the explorer\'s filters), sync diffs or the audit log as CSV or JSON',
    load: async () => ({ run: (await import('./commands/export')).runExportCommand }),
  },
  audit: {
    summary: 'The tamper-evident audit log: verify (exit 7 naming the first altered entry), list',
    load: async () => ({ run: (await import('./commands/audit')).runAuditCommand }),
  },
  certificates: {
    summary: 'Certificate inventory of legacy certificate integrations: list [--integration NAME] [--status S]',
    load: async () => ({ run: (await import('./commands/certificates')).runCertificatesCommand }),
  },
  verify: {
    summary: 'Would this user be trusted on this device? Every reason if not (exit 7)',
    load: async () => ({ run: (await import('./commands/verify')).runVerifyCommand }),
  },
};

/** Feature commands register here (see the GROUPS table); kept as a function so tests can list them. */
export function commandGroups(): string[] {
  return Object.keys(GROUPS);
}

export async function main(commandLine: string[], processIo: CliIo): Promise<number> {
  let argv: string[];
  let io: CliIo;
  try {
    ({ argv, io } = extractDataDir(commandLine, processIo));
  } catch (error) {
    return reportError(processIo, error, commandLine.includes('--json'));
  }
  const [group, ...rest] = argv;
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
  try {
    return await (await entry.load()).run(rest, io);
  } catch (error) {
    return reportError(io, error, rest.includes('--json'));
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
    '',
  ].join('\n');
}
