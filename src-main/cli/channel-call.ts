import type { Channel, InputOf, OutputOf } from '../../src-shared/contract';
import { AppError, isErrorCode } from '../../src-shared/errors';
import type { Core } from '../core/app/composition-root';
import { dispatch } from '../core/app/dispatch';

/**
 * Calls a contract handler the way the app's transports do (input and output parsed by the contract's schemas) and
 * turns a failure envelope back into the AppError it was, so commands report it with the same code as the UI.
 */
export async function callChannel<C extends Channel>(core: Core, channel: C, input: InputOf<C>, signal: AbortSignal): Promise<OutputOf<C>> {
  const envelope = await dispatch(core.handlers, channel, input, { signal });
  if (envelope.ok) return envelope.value as OutputOf<C>;
  const { code, message, details } = envelope.error;
  throw new AppError(isErrorCode(code) ? code : 'INTERNAL', message, details);
}
