import { AppError } from '../../../src-shared/errors';

/** Plain words for anything thrown at the UI: the contract error's message, never a stack. */
export function errorText(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return 'Something unexpected went wrong. Try again; if it keeps happening, the log file has the details.';
}

export function errorCode(error: unknown): string {
  return error instanceof AppError ? error.code : 'INTERNAL';
}

/** Field-level messages from a VALIDATION_FAILED error, keyed by the input path. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') return {};
  const issues = (error.details?.issues ?? []) as { path: string; message: string }[];
  const field = error.details?.field;
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path] ??= issue.message;
  if (typeof field === 'string') out[field] ??= error.message;
  return out;
}
