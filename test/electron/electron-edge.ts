import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

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

/**
 * Stand-ins for every Electron object the start-up sequence (src-main/electron/desktop-start.ts) receives, each
 * shaped as electron.d.ts declares it. Each call they receive is written, in order, to one shared `calls` list, so a
 * test reads the sequence the app really ran. They answer as Electron does (whenReady resolves, getPath names a
 * folder, the lock is granted unless a test says otherwise) and do nothing else.
 */
export class StandInElectron {
  readonly calls: string[] = [];
  /** Answers for dialog.showMessageBox, in order (button indexes); a dialog without an answer left fails the test. */
  readonly dialogAnswers: number[] = [];
  readonly dialogs: Record<string, unknown>[] = [];
  /** The window each dialog was modal to (null: none), in the order of `dialogs`. */
  readonly dialogParents: unknown[] = [];
  readonly opened: string[] = [];
  readonly ipcMain = new RecordingIpcMain();
  readonly protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  permissionRequestHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string) => boolean) | null = null;
  readonly app: StandInApp;
  readonly BrowserWindow: typeof StandInBrowserWindow;

  constructor(paths: { userData: string; logs: string }, facts: { isPackaged?: boolean; lockGranted?: boolean } = {}) {
    const record = (call: string) => this.calls.push(call);
    this.app = new StandInApp(record, paths, facts.isPackaged ?? true, facts.lockGranted ?? true);
    // One class per stand-in Electron, so windows of one test never appear in another's getAllWindows().
    this.BrowserWindow = class extends StandInBrowserWindow {
      static override readonly windows: StandInBrowserWindow[] = [];
      static override record = record;
    };
    const handle = this.ipcMain.handle.bind(this.ipcMain);
    this.ipcMain.handle = (channel, listener) => {
      record(`ipcMain.handle ${channel}`);
      handle(channel, listener);
    };
  }

  /** The object startDesktopApp receives, as main.ts passes Electron's own. */
  get modules() {
    const record = (call: string) => this.calls.push(call);
    return {
      app: this.app,
      BrowserWindow: this.BrowserWindow,
      Menu: {
        buildFromTemplate: (template: unknown[]) => {
          record('Menu.buildFromTemplate');
          return { template };
        },
        setApplicationMenu: () => void record('Menu.setApplicationMenu'),
      },
      dialog: {
        // As Electron's: (options) or (window, options), the box then modal to that window.
        showMessageBox: async (...args: [Record<string, unknown>] | [unknown, Record<string, unknown>]) => {
          const options = args.length === 2 ? args[1] : args[0];
          record('dialog.showMessageBox');
          this.dialogs.push(options);
          this.dialogParents.push(args.length === 2 ? args[0] : null);
          const response = this.dialogAnswers.shift();
          if (response === undefined) throw new Error(`a dialog nobody answered: ${String(options.message)}\n${String(options.detail)}`);
          return { response, checkboxChecked: false };
        },
      },
      ipcMain: this.ipcMain,
      session: {
        defaultSession: {
          setPermissionRequestHandler: (handler: StandInElectron['permissionRequestHandler']) => {
            record('session.setPermissionRequestHandler');
            this.permissionRequestHandler = handler;
          },
          setPermissionCheckHandler: (handler: StandInElectron['permissionCheckHandler']) => {
            record('session.setPermissionCheckHandler');
            this.permissionCheckHandler = handler;
          },
        },
      },
      protocol: {
        registerSchemesAsPrivileged: (schemes: { scheme: string }[]) => void record(`protocol.registerSchemesAsPrivileged ${schemes.map((s) => s.scheme).join()}`),
        handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
          record(`protocol.handle ${scheme}`);
          this.protocolHandlers.set(scheme, handler);
        },
      },
      // Electron's net.fetch reads file:// URLs; Node's fetch does not, so this reads the file as Electron would.
      net: {
        fetch: async (url: string) => {
          try {
            return new Response(await fs.promises.readFile(fileURLToPath(url)), { status: 200, headers: { 'content-type': 'text/html' } });
          } catch {
            return new Response('', { status: 404 });
          }
        },
      },
      shell: {
        openPath: async (folder: string) => {
          record(`shell.openPath ${folder}`);
          this.opened.push(folder);
          return '';
        },
        openExternal: async (url: string) => {
          record(`shell.openExternal ${url}`);
          this.opened.push(url);
        },
      },
      clipboard: { writeText: (text: string) => void record(`clipboard.writeText ${text.length}`) },
    } as never;
  }
}

type Listener = (...args: never[]) => unknown;

export class StandInApp {
  readonly listeners = new Map<string, Listener[]>();
  readonly dock = undefined;
  constructor(
    private readonly record: (call: string) => void,
    private readonly paths: { userData: string; logs: string },
    readonly isPackaged: boolean,
    private readonly lockGranted: boolean,
  ) {}
  enableSandbox(): void {
    this.record('app.enableSandbox');
  }
  requestSingleInstanceLock(): boolean {
    this.record('app.requestSingleInstanceLock');
    return this.lockGranted;
  }
  whenReady(): Promise<void> {
    this.record('app.whenReady');
    return Promise.resolve();
  }
  on(event: string, listener: Listener): this {
    this.record(`app.on ${event}`);
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  /** Electron emitting an app event, as the OS or the user would cause it. */
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
  }
  quit(): void {
    this.record('app.quit');
  }
  exit(code = 0): void {
    this.record(`app.exit ${code}`);
  }
  getPath(name: 'userData' | 'logs'): string {
    return this.paths[name];
  }
  setPath(name: 'userData', value: string): void {
    this.record(`app.setPath ${name} ${value}`);
    this.paths[name] = value;
  }
  getVersion(): string {
    return '0.1.0';
  }
}

let nextWebContentsId = 100;

export class StandInWebContents extends WebContentsLike {
  readonly sent: unknown[][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  /** Where reload() is written (the window's calls list). */
  record: (call: string) => void = () => undefined;
  constructor() {
    super(nextWebContentsId++, 'app://console/index.html');
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Chromium failing a load, as Electron reports it (the frame ids it adds after `isMainFrame` are left out). */
  failLoad(errorCode: number, errorDescription: string, url: string, isMainFrame: boolean): void {
    this.emit('did-fail-load', {}, errorCode, errorDescription, url, isMainFrame);
  }
  /** Loads the current page again (in a new renderer process when the old one is gone); the stand-in only records it. */
  reload(): void {
    this.record('webContents.reload');
  }
  /** The renderer process crashing or being killed, as Electron reports it. */
  renderProcessGone(reason: string, exitCode: number): void {
    this.emit('render-process-gone', {}, { reason, exitCode });
  }
}

export class StandInBrowserWindow extends EventEmitter {
  static readonly windows: StandInBrowserWindow[] = [];
  static record: (call: string) => void = () => undefined;
  /** Makes the next loadURL fail as Electron's does: the main frame's did-fail-load, and its promise rejects. */
  static failNextLoad: { errorCode: number; errorDescription: string } | null = null;
  static getAllWindows(): StandInBrowserWindow[] {
    return this.windows.filter((w) => !w.closed);
  }
  readonly webContents = new StandInWebContents();
  closed = false;
  /** How many times show() was called: a window is shown once. */
  shows = 0;
  constructor(readonly options: Record<string, unknown>) {
    super();
    const self = new.target as typeof StandInBrowserWindow;
    self.record(`new BrowserWindow preload=${String((options.webPreferences as Record<string, unknown>).preload)}`);
    this.webContents.record = self.record;
    self.windows.push(this);
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  show(): void {
    this.shows += 1;
    (this.constructor as typeof StandInBrowserWindow).record('window.show');
  }
  loadURL(url: string): Promise<void> {
    const self = this.constructor as typeof StandInBrowserWindow;
    self.record(`window.loadURL ${url}`);
    const failure = self.failNextLoad;
    if (failure === null) return Promise.resolve();
    self.failNextLoad = null;
    return new Promise((_resolve, reject) =>
      setImmediate(() => {
        this.webContents.failLoad(failure.errorCode, failure.errorDescription, url, true);
        reject(Object.assign(new Error(`${failure.errorDescription} (${failure.errorCode}) loading '${url}'`), { errno: failure.errorCode, code: failure.errorDescription, url }));
      }),
    );
  }
  setClosable(closable: boolean): void {
    (this.constructor as typeof StandInBrowserWindow).record(`window.setClosable ${closable}`);
  }
  /** The user closing the window: Electron emits 'closed'. */
  close(): void {
    this.closed = true;
    this.emit('closed');
  }
}
