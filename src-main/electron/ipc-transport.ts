import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Envelope, Handlers } from '../../src-shared/contract';
import { AppError } from '../../src-shared/errors';
import { dispatch, type DispatchLog } from '../core/app/dispatch';
import { INVOKE_CHANNEL } from './ipc-channels';
import { refuseSender, type SenderFacts } from './security-policy';


export interface IpcTransportOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  handlers: Handlers;
  /** webContents ids of our own windows. */
  trustedWebContentsIds: ReadonlySet<number>;
  devServerUrl?: string;
  log: DispatchLog & { warn(message: string, fields?: Record<string, unknown>): void };
}

/**
 * Adapts the contract's handlers to `ipcMain.handle`. Refuses a message early, with one reason each, when its sender
 * is not our window's main frame at our origin; everything else goes through `dispatch`, which validates and never
 * throws, so the transport keeps serving after any bad call.
 */
export function registerIpcTransport(options: IpcTransportOptions): () => void {
  const { ipcMain, handlers, trustedWebContentsIds, devServerUrl, log } = options;
  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, channel: unknown, input: unknown): Promise<Envelope<unknown>> => {
    const refusal = refuseSender(senderFacts(event), trustedWebContentsIds, devServerUrl);
    if (refusal !== null) {
      log.warn('IPC call refused', { channel: String(channel).slice(0, 80), reason: refusal });
      return { ok: false, error: new AppError('IPC_SENDER_REFUSED', `Request refused: ${refusal}.`).toPayload() };
    }
    const controller = new AbortController();
    const abort = () => controller.abort();
    event.sender.once('destroyed', abort);
    try {
      return await dispatch(handlers, channel, input, { signal: controller.signal }, log);
    } finally {
      event.sender.removeListener('destroyed', abort);
    }
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

export function senderFacts(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): SenderFacts {
  const frame = event.senderFrame;
  const sender = event.sender;
  const alive = sender && !sender.isDestroyed();
  return {
    webContentsId: alive ? sender.id : null,
    isMainFrame: frame !== null && alive ? frame === sender.mainFrame : false,
    frameUrl: frame?.url ?? null,
  };
}
