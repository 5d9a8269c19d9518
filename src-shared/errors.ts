/**
 * The one error type that crosses process boundaries. A `code` is stable (UI copy, CLI exit codes and tests key on
 * it); `message` is written for an admin and must never contain a secret or a stack trace; `details` is optional,
 * structured and safe to show.
 */
export const ERROR_CODES = [
  // generic
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'CANCELLED',
  'INTERNAL',
  'UNKNOWN_CHANNEL',
  'IPC_SENDER_REFUSED',
  'RIG_UNAUTHORIZED',
  // storage
  'DB_NEWER_SCHEMA',
  'DB_CORRUPT',
  'DB_LOCKED',
  'DB_MIGRATION_FAILED',
  'DB_OPEN_FAILED',
  /** A folder or file the console needs cannot be used (a file where a folder should be, /proc, no permission). */
  'LOCAL_DATA',
  // keychain
  'SECRET_STORE_UNAVAILABLE',
  'SECRET_NOT_FOUND',
  // Ivanti Neurons API
  'IVANTI_DNS_FAILED',
  'IVANTI_CONNECT_FAILED',
  'IVANTI_TLS_FAILED',
  'IVANTI_PROXY_FAILED',
  'IVANTI_TIMEOUT',
  'IVANTI_AUTH_REJECTED',
  'IVANTI_MFA_REQUIRED',
  'IVANTI_FORBIDDEN',
  'IVANTI_SPACE_FORBIDDEN',
  'IVANTI_NO_SPACES',
  'IVANTI_BAD_REQUEST',
  'IVANTI_RATE_LIMITED',
  'IVANTI_SERVER_ERROR',
  'IVANTI_NOT_JSON',
  'IVANTI_BAD_RESPONSE',
  'IVANTI_INSECURE_URL',
  // Duo Admin API (read-only)
  'DUO_NOT_CONFIGURED',
  'DUO_INSECURE_URL',
  'DUO_DNS_FAILED',
  'DUO_CONNECT_FAILED',
  'DUO_TLS_FAILED',
  'DUO_PROXY_FAILED',
  'DUO_TIMEOUT',
  'DUO_INTEGRATION_KEY_REJECTED',
  'DUO_SIGNATURE_REJECTED',
  'DUO_DATE_REJECTED',
  'DUO_CLOCK_SKEW',
  'DUO_AUTH_REJECTED',
  'DUO_PERMISSION_MISSING',
  'DUO_RATE_LIMITED',
  'DUO_SERVER_ERROR',
  'DUO_NOT_FOUND',
  'DUO_BAD_RESPONSE',
  'DUO_READ_RUNNING',
  // sync
  'SYNC_ALREADY_RUNNING',
  'SYNC_FAILED',
  'SYNC_TENANT_CHANGING',
  'SYNC_RECORD_UNUSABLE',
  // integrations and trust
  'INTEGRATION_NOT_FOUND',
  'INTEGRATION_NAME_TAKEN',
  'INTEGRATION_LEGACY_REFUSED',
  'CREDENTIALS_MISSING',
  'CONFIGURATION_KEY_UNUSUAL',
  // SCEP and NDES
  'SCEP_HTTP_ERROR',
  'SCEP_BAD_RESPONSE',
  'SCEP_BAD_SIGNATURE',
  'SCEP_NONCE_MISMATCH',
  'SCEP_TRANSACTION_MISMATCH',
  'SCEP_CHALLENGE_REJECTED',
  'SCEP_REQUEST_REJECTED',
  'SCEP_PENDING_TIMEOUT',
  'SCEP_UNSUPPORTED',
  'SCEP_MALFORMED_DER',
  'SCEP_DIGEST_MISMATCH',
  'SCEP_DECRYPT_FAILED',
  'SCEP_NETWORK_FAILED',
  'SCEP_TIMEOUT',
  'SCEP_INSECURE_URL',
  'SCEP_NOT_FOUND',
  'SCEP_CA_THUMBPRINT_MISMATCH',
  'NDES_AUTH_FAILED',
  'NDES_CACHE_FULL',
  'NDES_PERMISSION_DENIED',
  'NDES_BAD_PAGE',
  // legacy CA profile and certificate inventory
  'CA_PROFILE_NOT_FOUND',
  'TEST_KEY_NOT_FOUND',
  // audit and export
  'AUDIT_CHAIN_BROKEN',
  'EXPORT_FAILED',
  // packaged app start-up
  'NATIVE_MODULE_ABI_MISMATCH',
  'NATIVE_MODULE_LOAD_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

const KNOWN = new Set<string>(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}

/**
 * Turns anything thrown into a payload that is safe to send to a renderer or print: an AppError keeps its code and
 * message, anything else becomes INTERNAL with a generic message (its text may hold paths, SQL or secrets).
 */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isAppError(error)) return bounded(error.toPayload());
  return { code: 'INTERNAL', message: 'Something went wrong inside the console. The details are in the log file.' };
}

export function fromErrorPayload(payload: ErrorPayload): AppError {
  return new AppError(payload.code, payload.message, payload.details);
}

/** Longest message, and longest string in details, an error carries; a request's oversized value is never echoed. */
const MAX_MESSAGE_CHARS = 2000;
const MAX_DETAIL_CHARS = 200;
const MAX_DETAIL_ITEMS = 50;

function bounded(payload: ErrorPayload): ErrorPayload {
  const message = clip(payload.message, MAX_MESSAGE_CHARS);
  if (payload.details === undefined) return { code: payload.code, message };
  return { code: payload.code, message, details: boundedValue(payload.details, 0) as Record<string, unknown> };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`;
}

function boundedValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return clip(value, MAX_DETAIL_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[nested too deep]';
  if (Array.isArray(value)) return value.slice(0, MAX_DETAIL_ITEMS).map((item) => boundedValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).slice(0, MAX_DETAIL_ITEMS).map(([key, item]) => [clip(key, MAX_DETAIL_CHARS), boundedValue(item, depth + 1)]));
}
