import { randomUUID } from 'node:crypto';
import { PLATFORM_LABELS, STATUS_LABELS, type Integration } from '../../../src-shared/domain/integration';
import type { SyncRun } from '../../../src-shared/domain/sync';
import type { TestConfigurationResult, TestConfigurationStep } from '../../../src-shared/domain/test-configuration';
import { WHERE_DUO_SHOWS_THE_KEY } from '../../../src-shared/domain/configuration-key';
import { parseCommandArgs } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, exitCodeFor, printJson, readSecretFromStdin, usageError, type CliIo } from '../cli-io';
import { findIntegration } from '../integration-lookup';
import { openCore } from '../open-core';

export const USAGE = `tec integration add --name NAME --platform android|ios-appconfig|ios-certs --domain HOST[:PORT] --email EMAIL (--password-stdin | TEC_IVANTI_PASSWORD) [--key KEY [--force]] [--legacy] [--json]
       tec integration list [--json]
       tec integration test NAME [--json]
       tec integration set-key NAME --key KEY [--force] [--json]
  --key is the Trusted Endpoints Configuration Key the Duo Admin Panel shows for the integration (Android, iOS App Config),
  pasted: spaces and invisible characters are removed. A key of another shape than Duo's (DPK + 16 letters and digits)
  is refused with a warning (exit 2) unless --force confirms it is exactly what Duo shows. The console never makes one up.`;

/** The password's environment variable, for scripts; the command line itself never takes it (it would show in `ps`). */
export const PASSWORD_ENV = 'TEC_IVANTI_PASSWORD';

export async function runIntegrationCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest, io);
  if (sub === 'list') return list(rest, io);
  if (sub === 'test') return test(rest, io);
  if (sub === 'set-key') return setKey(rest, io);
  throw usageError(`${sub === undefined ? 'Missing' : `Unknown`} subcommand${sub === undefined ? '' : ` "${sub}"`}.\nUsage: ${USAGE}`);
}

/**
 * Records the configuration key Duo shows (pasted: whitespace and invisible characters are removed). A key of
 * another shape than Duo's example is refused with exit 2 and the warning until --force confirms it.
 */
async function setKey(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { key: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } }, { min: 1, max: 1, usage: USAGE });
  if (values.key === undefined) throw usageError(`--key is required: the configuration key from the Duo Admin Panel.\nUsage: ${USAGE}`);
  const core = openCore(io);
  try {
    const integration = await findIntegration(core, positionals[0]!, io.signal);
    const replacing = integration.configurationKey !== null;
    const saved = await callChannel(core, 'integrations.enterConfigurationKey', { id: integration.id, key: values.key, confirmUnusualShape: values.force === true }, io.signal);
    if (values.json) printJson(io, saved);
    else {
      io.stdout.write(`Recorded the configuration key ${saved.configurationKey} for "${saved.name}". Put it in Duo Mobile's managed configuration in Ivanti.\n`);
      if (replacing) io.stdout.write('Devices that still hold the old configuration fail trust until Ivanti delivers the new key.\n');
    }
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function add(argv: string[], io: CliIo): Promise<number> {
  if (argv.some((a) => /^--password(=|$)/.test(a))) {
    throw usageError(`The password is never taken on the command line (other users could read it in the process list). Pipe it with --password-stdin, or set ${PASSWORD_ENV}.`);
  }
  const { values } = parseCommandArgs(
    argv,
    {
      name: { type: 'string' },
      platform: { type: 'string' },
      domain: { type: 'string' },
      email: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      key: { type: 'string' },
      force: { type: 'boolean' },
      legacy: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0, usage: USAGE },
  );
  if (values.force && values.key === undefined) throw usageError(`--force confirms an unusual --key; give the key too.\nUsage: ${USAGE}`);
  for (const required of ['name', 'platform', 'domain', 'email'] as const) {
    if (values[required] === undefined) throw usageError(`--${required} is required.\nUsage: ${USAGE}`);
  }
  const password = values['password-stdin'] ? await readSecretFromStdin(io, 'password') : io.env[PASSWORD_ENV];
  if (!password) throw usageError(`Give the API user's password with --password-stdin (piped) or in ${PASSWORD_ENV}.`);
  const core = openCore(io);
  try {
    const created = await callChannel(
      core,
      'integrations.create',
      {
        name: values.name!,
        platform: values.platform as Integration['platform'],
        domain: values.domain,
        email: values.email,
        password,
        ...(values.legacy ? { acknowledgeLegacy: true } : {}),
        ...(values.key === undefined ? {} : { configurationKey: values.key, confirmUnusualShape: values.force === true }),
      },
      io.signal,
    );
    if (values.json) printJson(io, created);
    else {
      io.stdout.write(
        `Created "${created.name}" (${PLATFORM_LABELS[created.platform]}), ${STATUS_LABELS[created.status]}. The password is in the keychain.\n` +
          (created.platform === 'ios-certs'
            ? ''
            : created.configurationKey !== null
              ? `Recorded the configuration key ${created.configurationKey} from Duo. Put it in Duo Mobile's managed configuration in Ivanti.\n`
              : `Duo issues its configuration key: ${WHERE_DUO_SHOWS_THE_KEY}\nRecord it with: tec integration set-key "${created.name}" --key KEY\n`) +
          `Next: tec integration test "${created.name}"\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  const core = openCore(io);
  try {
    const integrations = await callChannel(core, 'integrations.list', {}, io.signal);
    const rows: { integration: Integration; lastSync: SyncRun | null }[] = [];
    for (const integration of integrations) {
      const [lastSync] = await callChannel(core, 'sync.runs', { integrationId: integration.id, limit: 1 }, io.signal);
      rows.push({ integration, lastSync: lastSync ?? null });
    }
    if (values.json) {
      printJson(io, rows.map((r) => ({ ...r.integration, lastSync: r.lastSync })));
      return EXIT.ok;
    }
    if (rows.length === 0) {
      io.stdout.write('No integrations yet. Add one with: tec integration add --name NAME --platform android --domain HOST --email EMAIL --password-stdin\n');
      return EXIT.ok;
    }
    const table = [
      ['NAME', 'PLATFORM', 'STATUS', 'DOMAIN', 'PASSWORD', 'LAST SYNC'],
      ...rows.map(({ integration: i, lastSync }) => [
        i.name,
        i.platform,
        i.status,
        i.domain ?? '-',
        i.hasPassword ? 'keychain' : 'missing',
        lastSync ? `${lastSync.status} ${lastSync.finishedAt ?? lastSync.startedAt} (${lastSync.devicesSeen} devices)` : 'never',
      ]),
    ];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    io.stdout.write(table.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n');
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

const MARK: Record<TestConfigurationStep['status'], string> = { pending: '·', running: '…', passed: 'ok', failed: 'FAILED', skipped: 'n/a' };

async function test(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 1, max: 1, usage: USAGE });
  const json = values.json === true;
  const core = openCore(io);
  try {
    const integration = await findIntegration(core, positionals[0]!, io.signal);
    const testRunId = randomUUID();
    // Steps print as they finish, so an admin watching a slow tenant sees where it is.
    const unsubscribe = core.events.subscribe((name, payload) => {
      if (json || name !== 'integrations.testStep') return;
      const { testRunId: id, step } = payload as { testRunId: string | null; step: TestConfigurationStep };
      if (id === testRunId && step.status !== 'running') io.stdout.write(describeStep(step));
    });
    let result: TestConfigurationResult;
    try {
      result = await callChannel(core, 'integrations.testConfiguration', { id: integration.id, testRunId }, io.signal);
    } finally {
      unsubscribe();
    }
    if (json) printJson(io, result);
    if (result.failure) {
      const { code, message } = result.failure.error;
      io.stderr.write(`tec: ${code}: ${message}\n`);
      return exitCodeFor(code);
    }
    if (!json) io.stdout.write(`Test Configuration of "${integration.name}" passed.\n`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

function describeStep(step: TestConfigurationStep): string {
  const detail = step.status === 'failed' ? (step.error?.message ?? '') : (step.detail ?? '');
  return `${MARK[step.status].padEnd(6)} ${step.title}${detail ? `: ${detail}` : ''}\n`;
}
