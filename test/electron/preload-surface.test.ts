import fs from 'node:fs';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelNames, eventNames } from '../../src-shared/contract';
import { CHANNEL_NAMES, EVENT_NAMES } from '../../src-shared/contract/names';
import { ELECTRON_PRELOAD, ensureElectronBuilt } from '../support/fresh-build';

const BUNDLE = ELECTRON_PRELOAD;

/** The preload as built (bundled, sandbox-ready), run with stand-ins for the two Electron objects it may use. */
function loadPreload() {
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const listeners: ((...args: unknown[]) => void)[] = [];
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve({ ok: true, value: 'answered' });
      },
      on: (_channel: string, listener: (...args: unknown[]) => void) => listeners.push(listener),
      removeListener: (_channel: string, listener: (...args: unknown[]) => void) => listeners.splice(listeners.indexOf(listener), 1),
    },
  };
  // Sandboxed preloads get a require() that knows only a few modules; the bundle must need nothing but electron.
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found in a sandboxed preload: ${name}`);
  };
  const code = fs.readFileSync(BUNDLE, 'utf8');
  const module = { exports: {} };
  vm.runInNewContext(`(function (require, module, exports) {${code}\n})`, { console })(sandboxRequire, module, module.exports);
  return { exposed, invoked, listeners, required };
}

describe('the preload as built', () => {
  beforeAll(() => void ensureElectronBuilt(), 360_000);

  it("lists exactly the contract's channel and event names", () => {
    expect([...CHANNEL_NAMES].sort()).toEqual([...channelNames].sort());
    expect([...EVENT_NAMES].sort()).toEqual([...eventNames].sort());
  });

  it('carries a list of names, not the contract: no zod inside, a few kilobytes', () => {
    const code = fs.readFileSync(BUNDLE, 'utf8');
    expect(code).not.toMatch(/zod|ZodError|safeParse/);
    expect(code.length).toBeLessThan(10_000);
  });

  it('requires nothing but electron, so it runs in the sandbox', () => {
    const { required } = loadPreload();
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes exactly window.api with invoke, on and the two file capabilities, and no ipcRenderer', () => {
    const { exposed } = loadPreload();
    expect(Object.keys(exposed)).toEqual(['api']);
    expect(Object.keys(exposed.api as object).sort()).toEqual(['files', 'invoke', 'on']);
    expect(Object.keys((exposed.api as { files: object }).files).sort()).toEqual(['chooseSavePath', 'showInFolder']);
    expect(JSON.stringify(Object.keys(exposed.api as object))).not.toContain('ipcRenderer');
  });

  it('forwards contract channels over the one invoke channel and answers unknown ones itself', async () => {
    const { exposed, invoked } = loadPreload();
    const api = exposed.api as { invoke(channel: string, input: unknown): Promise<unknown> };
    expect(await api.invoke(channelNames[0], {})).toEqual({ ok: true, value: 'answered' });
    expect(invoked).toEqual([['tec:invoke', channelNames[0], {}]]);
    expect(await api.invoke('shell.openExternal', { url: 'file:///etc' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(invoked).toHaveLength(1);
  });

  it('hands listeners only the payload of the event they asked for, never the IPC event object', () => {
    const { exposed, listeners } = loadPreload();
    const api = exposed.api as { on(name: string, cb: (payload: unknown) => void): () => void };
    const got: unknown[][] = [];
    const off = api.on('app.notice', (...args) => got.push(args));
    expect(api.on('not.an.event', () => undefined)).toBeTypeOf('function');
    expect(listeners).toHaveLength(1);
    const ipcEvent = { sender: { send: () => undefined }, ports: [] };
    listeners[0](ipcEvent, 'app.notice', { level: 'info', message: 'hello' });
    listeners[0](ipcEvent, 'other.event', { level: 'info', message: 'not for you' });
    expect(got).toEqual([[{ level: 'info', message: 'hello' }]]);
    off();
    expect(listeners).toHaveLength(0);
  });
});
