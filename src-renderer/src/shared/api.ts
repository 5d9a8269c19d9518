import type { Channel, EventName, InputOf, OutputOf, PayloadOf } from '../../../src-shared/contract';
import type { ConsoleBridge, FileCapabilities } from '../../../src-shared/contract/bridge';
import { AppError, isErrorCode } from '../../../src-shared/errors';

declare global {
  interface Window {
    api?: ConsoleBridge;
  }
}

function bridge(): ConsoleBridge {
  if (!window.api) {
    throw new AppError('INTERNAL', 'The console is not connected to its back end (no window.api). Restart the app.');
  }
  return window.api;
}

/** The renderer's only door to main: typed by the contract; errors come back as AppError with the contract's code. */
export async function call<C extends Channel>(channel: C, ...args: undefined extends InputOf<C> ? [input?: InputOf<C>] : [input: InputOf<C>]): Promise<OutputOf<C>> {
  const envelope = await bridge().invoke(channel, (args[0] ?? {}) as InputOf<C>);
  if (envelope.ok) return envelope.value;
  const { code, message, details } = envelope.error;
  throw new AppError(isErrorCode(code) ? code : 'INTERNAL', message, details);
}

export function subscribe<E extends EventName>(name: E, listener: (payload: PayloadOf<E>) => void): () => void {
  return bridge().on(name, listener);
}

/** The desktop app's save dialog and "Show in folder"; null in the web test rig (the page asks for a path instead). */
export function fileCapabilities(): FileCapabilities | null {
  return window.api?.files ?? null;
}
