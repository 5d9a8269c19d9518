import type { CertificatePage } from '../../../src-shared/contract/certificates';
import type { CertificateRecord, CertificateStatus } from '../../../src-shared/domain/ca-profile';
import { parseCommandArgs } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, printJson, usageError, type CliIo } from '../cli-io';
import { findIntegration } from '../integration-lookup';
import { openCore } from '../open-core';

export const USAGE = 'tec certificates list [--integration NAME] [--status active|expired|invalidated] [--json]';

/** `tec certificates …`: the certificate inventory of the legacy certificate integrations. */
export async function runCertificatesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(rest, io);
  throw usageError(`${sub === undefined ? 'Missing subcommand' : `Unknown subcommand "${sub}"`}.\nUsage: ${USAGE}`);
}

const PAGE_SIZE = 1000;

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { integration: { type: 'string' }, status: { type: 'string' }, json: { type: 'boolean' } },
    { min: 0, max: 0, usage: USAGE },
  );
  const core = openCore(io);
  try {
    const integrationId = values.integration === undefined ? undefined : (await findIntegration(core, values.integration, io.signal)).id;
    const filter = {
      ...(integrationId ? { integrationId } : {}),
      // Checked by the contract's schema: an unknown status is a usage error naming the allowed ones.
      ...(values.status === undefined ? {} : { status: values.status as CertificateStatus }),
    };
    const certificates: CertificateRecord[] = [];
    let page: CertificatePage;
    let beforeId: number | undefined;
    do {
      page = await callChannel(core, 'certificates.list', { ...filter, limit: PAGE_SIZE, ...(beforeId === undefined ? {} : { beforeId }) }, io.signal);
      certificates.push(...page.certificates);
      beforeId = page.nextBeforeId ?? undefined;
    } while (beforeId !== undefined);

    if (values.json) {
      printJson(io, { certificates, counts: page.counts });
      return EXIT.ok;
    }
    const { active, expired, invalidated } = page.counts;
    const total = `${certificates.length} certificate${certificates.length === 1 ? '' : 's'}${values.status ? ` ${values.status}` : ''}`;
    io.stdout.write(`${certificates.map(describe).join('')}${total} (all: ${active} active, ${expired} expired, ${invalidated} invalidated).\n`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

function describe(c: CertificateRecord): string {
  const holder = c.purpose === 'test' ? 'test certificate' : `device ${c.deviceIdentifier ?? c.deviceGuid ?? '(unknown)'}`;
  const integration = `${c.integrationName}${c.integrationDeleted ? ', deleted' : ''}`;
  const state = c.status === 'invalidated' ? `INVALIDATED ${c.invalidatedAt} (${c.invalidatedReason})` : c.status.toUpperCase();
  return [
    `${state}  ${c.subject}  [${integration}] ${holder}`,
    `  serial ${c.serialNumber} · issuer ${c.issuer}`,
    `  valid ${c.notBefore} to ${c.notAfter} · key usage ${c.keyUsage.length > 0 ? c.keyUsage.join(', ') : '(any)'}`,
    `  SHA-256 ${c.sha256Fingerprint}`,
    '',
  ].join('\n');
}
