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
  for (const issue of issues) out[issue.path] ??= plainIssue(issue.message);
  if (typeof field === 'string') out[field] ??= error.message;
  return out;
}

/**
 * A refused form, split as forms show it: field messages beside their fields, and the error itself under the form
 * only when no field explains it. An issue with no path is about the form as a whole (no field is named ''): its
 * message goes under the form.
 */
export function splitError(error: unknown): { fields: Record<string, string>; failure: unknown } {
  const { '': whole, ...fields } = fieldErrors(error);
  if (whole !== undefined) return { fields, failure: new AppError('VALIDATION_FAILED', whole) };
  return { fields, failure: Object.keys(fields).length === 0 ? error : null };
}

/**
 * A schema's own wording for an admin. Our schemas carry their messages; this rewrites zod's defaults ("Too small:
 * expected number to be >=0", "Invalid input: expected number, received null") for any field that has none, so no
 * form ever shows the validator's phrasing.
 */
export function plainIssue(message: string): string {
  const type = /^Invalid input: expected (\w+), received (\w+)/.exec(message);
  if (type) {
    if (type[2] === 'undefined' || type[2] === 'null') return type[1] === 'number' ? 'Enter a number.' : 'This is required.';
    return type[1] === 'number' ? 'Enter a number.' : 'This value has the wrong form.';
  }
  const size = /^Too (small|big): expected (\w+) to (?:be|have) (>=|>|<=|<)\s*([\d.,]+)( characters| items)?/.exec(message);
  if (size) {
    const [, , kind, op, limit, unit] = size;
    const strict = op === '>' || op === '<';
    const bound = strict ? Number(limit) + (op === '>' ? 1 : -1) : Number(limit);
    if (kind === 'string' || unit?.trim() === 'characters') return op.startsWith('>') ? `Enter at least ${bound} characters.` : `Use at most ${bound} characters.`;
    if (kind === 'array' || unit?.trim() === 'items') return op.startsWith('>') ? `Choose at least ${bound}.` : `Choose at most ${bound}.`;
    return op.startsWith('>') ? `Enter ${bound} or more.` : `Enter ${bound} or less.`;
  }
  if (message === 'Invalid input' || message.startsWith('Invalid input:')) return 'This value is not valid.';
  return message;
}
