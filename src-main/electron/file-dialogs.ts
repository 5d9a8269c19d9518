import type { BrowserWindow, Dialog, IpcMain, IpcMainInvokeEvent, Shell, WebContents } from 'electron';
import path from 'node:path';
import { z } from 'zod';
import { CHOOSE_SAVE_PATH_CHANNEL, SHOW_IN_FOLDER_CHANNEL } from './ipc-channels';
import { senderFacts } from './ipc-transport';
import { refuseSender } from './security-policy';

const SaveDialogInput = z
  .object({
    title: z.string().min(1).max(200),
    defaultName: z.string().min(1).max(255).refine((name) => path.basename(name) === name, 'A file name, without folders.'),
    extension: z.string().regex(/^[a-z0-9]{1,10}$/),
  })
  .strict();

const ShowInFolderInput = z.string().min(1).max(4096).refine((file) => path.isAbsolute(file), 'An absolute path.');

export interface FileDialogOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dialog: Pick<Dialog, 'showSaveDialog'>;
  shell: Pick<Shell, 'showItemInFolder'>;
  /** The window the dialog belongs to (modal to it), from the calling webContents. */
  windowOf(sender: WebContents): BrowserWindow | null;
  /** Where the dialog opens (Electron's `app.getPath('documents')`), asked when a dialog opens. */
  documentsDir(): string;
  trustedWebContentsIds: ReadonlySet<number>;
  devServerUrl?: string;
  log: { warn(message: string, fields?: Record<string, unknown>): void };
}

/**
 * The OS save dialog and "Show in folder" for the renderer, as transport capabilities of the desktop app (the preload
 * exposes them as `window.api.files`). The core never sees Electron: it receives the chosen path in `export.start`
 * and the private-key export, as from the CLI's `--out` or the rig's path field. Each call is refused, with one
 * reason, when its sender is not our window's main frame at our origin, as the contract's channel is.
 */
export function registerFileDialogs(options: FileDialogOptions): () => void {
  const { ipcMain, dialog, shell, windowOf, documentsDir, trustedWebContentsIds, devServerUrl, log } = options;
  const refused = (event: IpcMainInvokeEvent, channel: string): boolean => {
    const refusal = refuseSender(senderFacts(event), trustedWebContentsIds, devServerUrl);
    if (refusal !== null) log.warn('IPC call refused', { channel, reason: refusal });
    return refusal !== null;
  };

  ipcMain.handle(CHOOSE_SAVE_PATH_CHANNEL, async (event: IpcMainInvokeEvent, input: unknown): Promise<string | null> => {
    if (refused(event, CHOOSE_SAVE_PATH_CHANNEL)) return null;
    const parsed = SaveDialogInput.safeParse(input);
    if (!parsed.success) return null;
    const { title, defaultName, extension } = parsed.data;
    const settings = {
      title,
      defaultPath: path.join(documentsDir(), defaultName),
      filters: [{ name: extension.toUpperCase(), extensions: [extension] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
    };
    const window = windowOf(event.sender);
    const answer = window ? await dialog.showSaveDialog(window, settings) : await dialog.showSaveDialog(settings);
    return answer.canceled || !answer.filePath ? null : answer.filePath;
  });

  ipcMain.handle(SHOW_IN_FOLDER_CHANNEL, (event: IpcMainInvokeEvent, file: unknown): void => {
    if (refused(event, SHOW_IN_FOLDER_CHANNEL)) return;
    const parsed = ShowInFolderInput.safeParse(file);
    if (parsed.success) shell.showItemInFolder(parsed.data);
  });

  return () => {
    ipcMain.removeHandler(CHOOSE_SAVE_PATH_CHANNEL);
    ipcMain.removeHandler(SHOW_IN_FOLDER_CHANNEL);
  };
}
