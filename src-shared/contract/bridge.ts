import type { Channel, Envelope, EventName, InputOf, OutputOf, PayloadOf } from './index';

/**
 * What the renderer sees as `window.api`: the preload builds it over Electron IPC, the web test rig over HTTP. Only
 * these two functions exist; raw ipcRenderer never reaches the page.
 */
export interface ConsoleBridge {
  invoke<C extends Channel>(channel: C, input: InputOf<C>): Promise<Envelope<OutputOf<C>>>;
  on<E extends EventName>(name: E, listener: (payload: PayloadOf<E>) => void): () => void;
  /**
   * The desktop app's file capabilities (the OS save dialog, "Show in folder"). A transport capability, absent from
   * the web test rig, where the page asks for a path in a field instead.
   */
  files?: FileCapabilities;
}

export interface SaveDialogOptions {
  title: string;
  /** A file name to start from; the dialog opens in the user's Documents folder. */
  defaultName: string;
  /** The file's extension without the dot, e.g. `csv`. */
  extension: string;
}

export interface FileCapabilities {
  /** The path the admin chose in the OS save dialog, or null when they cancelled. */
  chooseSavePath(options: SaveDialogOptions): Promise<string | null>;
  /** Opens the file's folder in the OS file manager, with the file selected. */
  showInFolder(path: string): Promise<void>;
}
