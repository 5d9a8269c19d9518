import fs from 'node:fs';
import type { AuditEntry, AuditVerification } from '../../../src-shared/domain/audit';
import { verifyChain, type AuditRow } from '../../core/audit/audit-log';
import { compareWithSignedHead, type SignedHead } from '../../core/audit/audit-signature';
import { AppError } from '../../../src-shared/errors';
import { parseCommandArgs, wholeNumberOption } from '../args';
import { callChannel } from '../channel-call';
import { EXIT, printJson, reportError, usageError, type CliIo } from '../cli-io';
import { openCore } from '../open-core';

export const USAGE = 'tec audit verify [--file AUDIT-EXPORT.json] [--json]\n       tec audit list [--limit N] [--json]';

const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { verify, list };

/** `tec audit …`: the tamper-evident log of admin actions. */
export async function runAuditCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const command = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!command) throw usageError(`${sub === undefined ? 'Missing subcommand' : `Unknown subcommand "${sub}"`}.\nUsage: ${USAGE}`);
  return command(rest, io);
}

/**
 * Walks the whole hash chain and compares it with the keychain's signed head (or, with --file, checks a JSON audit
 * export offline against the signed head it carries). Exit 0 when intact; 7 (a check answered "no") when an entry was
 * changed, removed or reordered (naming the first broken one), the log was truncated, or the chain was recomputed.
 */
async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' }, file: { type: 'string' } }, { min: 0, max: 0, usage: USAGE });
  const json = values.json === true;
  if (values.file !== undefined) return report(io, verifyExportFile(values.file), json);
  const core = openCore(io);
  try {
    return report(io, await callChannel(core, 'audit.verify', {}, io.signal), json);
  } finally {
    await core.close();
  }
}

function report(io: CliIo, result: AuditVerification, json: boolean): number {
  if (json) printJson(io, result);
  if (result.ok) {
    if (!json) {
      const signature = result.signature;
      const signed = signature?.signedThrough ? ` Signed through entry ${signature.signedThrough} by key ${signature.publicKey}.` : '';
      io.stdout.write(`The audit log is intact: ${result.checked} entries verified.${signed}${signature?.note ? ` ${signature.note}` : ''}\n`);
    }
    return EXIT.ok;
  }
  const message =
    result.brokenAt !== null
      ? `The audit log was altered at entry ${result.brokenAt}: ${result.reason}. The ${result.checked} entries before it are intact.`
      : `The audit log was altered: ${result.reason}.`;
  return reportError(io, new AppError('AUDIT_CHAIN_BROKEN', message, { brokenAt: result.brokenAt, checked: result.checked }), false);
}

interface ExportedEntry {
  seq: number;
  atMs: number;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  prevHash: string;
  hash: string;
}

/** Offline: the file's own chain against the signed head it carries (compare the key's fingerprint with the console's). */
function verifyExportFile(file: string): AuditVerification {
  let parsed: { kind?: unknown; audit?: ExportedEntry[]; signedHead?: SignedHead | null };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new AppError('LOCAL_DATA', `${file} could not be read as a JSON audit export (tec export audit --format json).`, { reason: error instanceof Error ? error.message : String(error) });
  }
  if (parsed.kind !== 'audit' || !Array.isArray(parsed.audit)) {
    throw new AppError('VALIDATION_FAILED', `${file} is not a JSON audit export (tec export audit --format json).`);
  }
  const rows: AuditRow[] = parsed.audit.map((e) => ({ seq: e.seq, at: e.atMs, actor: e.actor, action: e.action, target: e.target, details: e.details, prev_hash: e.prevHash, hash: e.hash }));
  const hashes = new Map(rows.map((r) => [r.seq, r.hash]));
  // A file carries no "signing started" marker of its own: a missing head reads as unsigned, and says so.
  return compareWithSignedHead(verifyChain(rows), null, (seq) => hashes.get(seq) ?? null, parsed.signedHead ?? null);
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
