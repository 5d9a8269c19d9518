import { EventEmitter } from 'node:events';

/**
 * Stand-ins for the few Electron objects the transport touches, shaped exactly like Electron's own (see
 * electron.d.ts: IpcMain.handle, IpcMainInvokeEvent.sender/senderFrame, WebContents.id/mainFrame/isDestroyed).
 * They exist only because the Electron binary cannot run on these machines; they sit at the true edge of what is
 * reachable here and carry no behaviour of ours.
 */
export class RecordingIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return Promise.resolve(handler(event, ...args));
  }
}

export interface FrameLike {
  url: string;
}

export class WebContentsLike extends EventEmitter {
  readonly mainFrame: FrameLike;
  destroyed = false;
  constructor(
    readonly id: number,
    url: string,
  ) {
    super();
    this.mainFrame = { url };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export function invokeEvent(sender: WebContentsLike, frame: FrameLike | null = sender.mainFrame) {
  return { sender, senderFrame: frame, frameId: 1, processId: 1 };
}
