import type { z } from 'zod';
import { contract, isChannel, type Envelope, type HandlerContext, type Handlers } from '../../../src-shared/contract';
import { AppError, toErrorPayload } from '../../../src-shared/errors';

export interface DispatchLog {
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The one path every transport takes into the handlers: channel looked up in the contract, input parsed with its
 * schema, output parsed with its schema (which drops any field the contract does not declare), every failure turned
 * into `{ code, message }`. It never throws, so a bad call cannot take a transport down.
 */
export async function dispatch(
  handlers: Handlers,
  channelName: unknown,
  rawInput: unknown,
  context: HandlerContext,
  log?: DispatchLog,
): Promise<Envelope<unknown>> {
  try {
    if (!isChannel(channelName)) {
      throw new AppError('UNKNOWN_CHANNEL', `There is no operation called "${String(channelName).slice(0, 80)}".`);
    }
    const spec = contract[channelName];
    const input = spec.input.safeParse(rawInput);
    if (!input.success) throw validationError(input.error);
    const handler = handlers[channelName] as (input: unknown, context: HandlerContext) => Promise<unknown>;
    const result = await handler(input.data, context);
    const output = spec.output.safeParse(result);
    if (!output.success) {
      log?.error('handler answered outside its contract', { channel: channelName, issues: summarize(output.error) });
      throw new AppError('INTERNAL', 'The console produced an answer it could not check. The details are in the log file.');
    }
    return { ok: true, value: output.data };
  } catch (error) {
    if (!(error instanceof AppError)) {
      log?.error('handler failed', { channel: String(channelName), error: error instanceof Error ? error.message : String(error) });
    }
    return { ok: false, error: toErrorPayload(error) };
  }
}

export function validationError(error: z.ZodError): AppError {
  const issues = summarize(error);
  const first = issues[0];
  const where = first && first.path ? `${first.path}: ` : '';
  return new AppError('VALIDATION_FAILED', `${where}${first?.message ?? 'The request was not valid.'}`, { issues });
}

function summarize(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
