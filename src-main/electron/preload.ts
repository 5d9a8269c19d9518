import { contextBridge, ipcRenderer } from 'electron';
import type { Envelope } from '../../src-shared/contract';
import { CHANNEL_NAMES, EVENT_NAMES } from '../../src-shared/contract/names';
import type { ConsoleBridge } from '../../src-shared/contract/bridge';
import { CHOOSE_SAVE_PATH_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL, SHOW_IN_FOLDER_CHANNEL } from './ipc-channels';

const channels = new Set<string>(CHANNEL_NAMES);
const events = new Set<string>(EVENT_NAMES);

// Invariant: only `invoke` and `on` (limited to names in the contract) and the two file capabilities are exposed; the
// page never gets ipcRenderer, the IpcRendererEvent, or any Node API.
const api: ConsoleBridge = {
  invoke(channel, input) {
    if (!channels.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `There is no operation called "${String(channel)}".` } }) as never;
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, input) as Promise<Envelope<never>>;
  },
  on(name, listener) {
    if (!events.has(name)) return () => undefined;
    const relay = (_event: unknown, eventName: unknown, payload: unknown) => {
      if (eventName === name) listener(payload as never);
    };
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
  files: {
    chooseSavePath: (options) => ipcRenderer.invoke(CHOOSE_SAVE_PATH_CHANNEL, options) as Promise<string | null>,
    showInFolder: async (file) => {
      await ipcRenderer.invoke(SHOW_IN_FOLDER_CHANNEL, file);
    },
  },
};

contextBridge.exposeInMainWorld('api', api);
