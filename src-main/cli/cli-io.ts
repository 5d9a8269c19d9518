import type { Readable, Writable } from 'node:stream';
import { AppError, toErrorPayload, type ErrorCode } from '../../src-shared/errors';

/** What a command may touch of the outside world; tests pass their own streams and env. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM so long commands stop cleanly. */
  signal: AbortSignal;
  /** The sync worker's script beside the bundle that runs the CLI (see CoreOptions.syncWorker). */
  syncWorker?: string;
}

/**
 * Documented exit codes (README, "Command line"). Scripts rely on them: never renumber.
 * 0 ok · 1 other failure · 2 usage error · 3 not found · 4 authentication or permission · 5 network or peer failure ·
 * 6 local data problem (database, keychain) · 7 a check answered "no" (verify: not trusted; audit verify: broken) ·
 * 8 a check could not tell (verify: our copy of the device's space is stale) · 130 cancelled.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, denied: 4, network: 5, localData: 6, negative: 7, cantTell: 8, cancelled: 130 } as const;

export function exitCodeFor(code: ErrorCode): number {
  if (code === 'VALIDATION_FAILED' || code === 'UNKNOWN_CHANNEL' || code.endsWith('_INSECURE_URL')) return EXIT.usage;
  if (code === 'CANCELLED') return EXIT.cancelled;
  if (code === 'NOT_FOUND' || code.endsWith('_NOT_FOUND')) return EXIT.notFound;
  if (code === 'DUO_NOT_CONFIGURED') return EXIT.notFound;
  // Needs the admin's confirmation: --force.
  if (code === 'CONFIGURATION_KEY_UNUSUAL') return EXIT.usage;
  if (/AUTH|FORBIDDEN|MFA|PERMISSION|CHALLENGE_REJECTED|CREDENTIALS_MISSING|^DUO_.*_REJECTED$|^DUO_CLOCK_SKEW$/.test(code)) return EXIT.denied;
  if (code.startsWith('IVANTI_') || code.startsWith('DUO_') || code.startsWith('SCEP_') || code.startsWith('NDES_')) return EXIT.network;
  if (code.startsWith('DB_') || code.startsWith('SECRET_') || code === 'LOCAL_DATA') return EXIT.localData;
  if (code === 'AUDIT_CHAIN_BROKEN') return EXIT.negative;
  return EXIT.failure;
}

/** Prints an error the same way for every command: `tec: CODE: message` on stderr, or JSON with --json. */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
  const payload = toErrorPayload(error);
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: payload })}\n`);
  io.stderr.write(`tec: ${payload.code}: ${payload.message}\n`);
  return exitCodeFor(payload.code);
}

export function usageError(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a secret from stdin (one line, trailing newline removed), for --password-stdin style options. */
export async function readSecretFromStdin(io: CliIo, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (value.length === 0) throw usageError(`No ${what} was given on standard input.`);
  return value;
}
