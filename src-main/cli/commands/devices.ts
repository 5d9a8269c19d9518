import type { SyncedDevice } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import { parseCommandArgs, wholeNumberOption } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, printJson, reportError, usageError, type CliIo } from '../cli-io';
import { findIntegration } from '../integration-lookup';
import { openCore } from '../open-core';
import { DEVICE_QUERY_OPTIONS, DEVICE_QUERY_USAGE, deviceQueryFrom } from '../device-query-options';
import type { DeviceRow } from '../../../src-shared/domain/device';

export const USAGE = `tec devices find IDENTIFIER [--integration NAME] [--json]\n       tec devices search TEXT [--limit N] ${DEVICE_QUERY_USAGE} [--json]`;

/** `tec devices …`: one function per subcommand; add a subcommand to SUBCOMMANDS. */
const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  find,
  search,
};

export async function runDevicesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const command = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!command) throw usageError(`${sub === undefined ? 'Missing subcommand' : `Unknown subcommand "${sub}"`}.\nUsage: ${USAGE}`);
  return command(rest, io);
}

/**
 * "Has this device synced?": exact lookup of a Device Client ID (or device guid / Ivanti id). Exit 0 when found and
 * not removed, 3 (not found) otherwise, so scripts can branch on it.
 */
async function find(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { integration: { type: 'string' }, json: { type: 'boolean' } },
    { min: 1, max: 1, usage: USAGE },
  );
  const json = values.json === true;
  const identifier = positionals[0]!;
  const core = openCore(io);
  try {
    const integrationId = values.integration === undefined ? undefined : (await findIntegration(core, values.integration, io.signal)).id;
    const found = await callChannel(core, 'devices.find', { identifier, ...(integrationId ? { integrationId } : {}) }, io.signal);
    if (json) printJson(io, found);
    else if (found.length > 0) io.stdout.write(found.map(describe).join(''));
    if (found.some((d) => d.removedAt === null)) return EXIT.ok;
    const message =
      found.length > 0
        ? `The device ${identifier} synced before but a later complete sync no longer found it in the tenant.`
        : `No synced device has the identifier ${identifier}. Check the identifier (Ivanti: Devices → the device → Overview → Settings → Device Client ID), the API user's spaces, and run "tec sync".`;
    return reportError(io, new AppError('NOT_FOUND', message), false);
  } finally {
    await core.close();
  }
}

/**
 * The explorer from a terminal: devices matching TEXT (prefix match across identifiers, serial, IMEI, UDID, MAC, user,
 * e-mail, name and model) and the explorer's filters, first N (default 50) in its order, and how many match in all.
 */
async function search(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { limit: { type: 'string' }, json: { type: 'boolean' }, ...DEVICE_QUERY_OPTIONS },
    { min: 0, max: 1, usage: USAGE },
  );
  const core = openCore(io);
  try {
    const query = await deviceQueryFrom({ ...values, search: positionals[0] ?? values.search }, core, io.signal);
    const limit = wholeNumberOption('limit', values.limit, { min: 1, max: 500, fallback: 50 });
    const [{ rows }, { total }] = [
      await callChannel(core, 'devices.search', { query, offset: 0, limit }, io.signal),
      await callChannel(core, 'devices.count', { query }, io.signal),
    ];
    if (values.json === true) printJson(io, { total, rows });
    else io.stdout.write(`${rows.map(row).join('')}${total} device${total === 1 ? '' : 's'} match${total > rows.length ? ` (first ${rows.length} shown)` : ''}.\n`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

function row(d: DeviceRow): string {
  return `${d.deviceName ?? d.guid} [${d.integrationName}] ${d.platformType ?? '-'} ${d.registrationState ?? '-'} · ${d.uid ?? '-'} · ${d.clientDeviceIdentifier ?? '(no Device Client ID)'} · last check-in ${d.lastCheckin ?? 'never'}\n`;
}

function describe(d: SyncedDevice): string {
  const state = d.removedAt ? `REMOVED from the tenant at ${d.removedAt}` : `${d.registrationState ?? 'unknown state'}`;
  return [
    `${d.deviceName ?? d.guid} [${d.integrationName}] ${state}`,
    `  Device Client ID: ${d.clientDeviceIdentifier ?? '(none)'}`,
    `  guid ${d.guid} · Ivanti id ${d.ivantiId ?? '-'} · ${d.platformType ?? '-'} ${d.model ?? ''} · user ${d.uid ?? '-'} · space ${d.spaceName ?? '-'}`,
    `  last check-in ${d.lastCheckin ?? 'never'} · first synced ${d.firstSeenAt} · last synced ${d.lastSeenAt}`,
    '',
  ].join('\n');
}
