import type { Channel, Envelope, EventName, InputOf, OutputOf, PayloadOf } from './index';

/**
 * What the renderer sees as `window.api`: the preload builds it over Electron IPC, the web test rig over HTTP. Only
 * these two functions exist; raw ipcRenderer never reaches the page.
 */
export interface ConsoleBridge {
  invoke<C extends Channel>(channel: C, input: InputOf<C>): Promise<Envelope<OutputOf<C>>>;
  on<E extends EventName>(name: E, listener: (payload: PayloadOf<E>) => void): () => void;
}
