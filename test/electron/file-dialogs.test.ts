import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerFileDialogs } from '../../src-main/electron/file-dialogs';
import { CHOOSE_SAVE_PATH_CHANNEL, SHOW_IN_FOLDER_CHANNEL } from '../../src-main/electron/ipc-channels';
import { APP_ENTRY_URL } from '../../src-main/electron/security-policy';
import { invokeEvent, RecordingIpcMain, WebContentsLike } from './electron-edge';

/**
 * Stand-ins for Electron's dialog and shell, shaped as electron.d.ts declares showSaveDialog and showItemInFolder:
 * the OS dialog cannot open on these machines. They record what the app asked and answer as the admin would.
 */
class StandInDialog {
  readonly asked: { window: unknown; options: Record<string, unknown> }[] = [];
  constructor(private readonly answer: { canceled: boolean; filePath?: string }) {}
  showSaveDialog(window: unknown, options?: Record<string, unknown>) {
    this.asked.push(options === undefined ? { window: null, options: window as Record<string, unknown> } : { window, options });
    return Promise.resolve(this.answer);
  }
}
class StandInShell {
  readonly shown: string[] = [];
  showItemInFolder(file: string): void {
    this.shown.push(file);
  }
}

function setUp(answer: { canceled: boolean; filePath?: string }) {
  const ipcMain = new RecordingIpcMain();
  const dialog = new StandInDialog(answer);
  const shell = new StandInShell();
  const ourWindow = new WebContentsLike(7, APP_ENTRY_URL);
  const window = { id: 'our-browser-window' };
  const warnings: string[] = [];
  const unregister = registerFileDialogs({
    ipcMain: ipcMain as never,
    dialog: dialog as never,
    shell,
    windowOf: (sender) => (sender.id === ourWindow.id ? (window as never) : null),
    documentsDir: () => '/home/ada/Documents',
    trustedWebContentsIds: new Set([ourWindow.id]),
    log: { warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`) },
  });
  return { ipcMain, dialog, shell, ourWindow, window, warnings, unregister };
}

const options = { title: 'Export devices', defaultName: 'devices.csv', extension: 'csv' };

describe('the app\'s file capabilities (save dialog, Show in folder)', () => {
  it('opens the OS save dialog modal to our window, in Documents, for the file type, and answers the chosen path', async () => {
    const { ipcMain, dialog, ourWindow, window } = setUp({ canceled: false, filePath: '/home/ada/Desktop/fleet.csv' });
    expect(await ipcMain.invoke(CHOOSE_SAVE_PATH_CHANNEL, invokeEvent(ourWindow), options)).toBe('/home/ada/Desktop/fleet.csv');
    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]!.window).toBe(window);
    expect(dialog.asked[0]!.options).toMatchObject({
      title: 'Export devices',
      defaultPath: path.join('/home/ada/Documents', 'devices.csv'),
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });
  });

  it('answers null when the admin cancels, and opens no dialog for a malformed request', async () => {
    const { ipcMain, dialog, ourWindow } = setUp({ canceled: true });
    expect(await ipcMain.invoke(CHOOSE_SAVE_PATH_CHANNEL, invokeEvent(ourWindow), options)).toBeNull();
    expect(await ipcMain.invoke(CHOOSE_SAVE_PATH_CHANNEL, invokeEvent(ourWindow), { ...options, defaultName: '../../etc/passwd' })).toBeNull();
    expect(dialog.asked).toHaveLength(1);
  });

  it('shows an absolute path in its folder, and nothing else', async () => {
    const { ipcMain, shell, ourWindow } = setUp({ canceled: true });
    await ipcMain.invoke(SHOW_IN_FOLDER_CHANNEL, invokeEvent(ourWindow), '/home/ada/Desktop/fleet.csv');
    await ipcMain.invoke(SHOW_IN_FOLDER_CHANNEL, invokeEvent(ourWindow), 'relative/fleet.csv');
    expect(shell.shown).toEqual(['/home/ada/Desktop/fleet.csv']);
  });

  it('refuses another webContents and a sub-frame, naming the reason, with no dialog and nothing shown', async () => {
    const { ipcMain, dialog, shell, ourWindow, warnings } = setUp({ canceled: false, filePath: '/tmp/x.csv' });
    const stranger = new WebContentsLike(99, APP_ENTRY_URL);
    expect(await ipcMain.invoke(CHOOSE_SAVE_PATH_CHANNEL, invokeEvent(stranger), options)).toBeNull();
    await ipcMain.invoke(SHOW_IN_FOLDER_CHANNEL, invokeEvent(ourWindow, { url: 'https://evil.example/' }), '/tmp/x.csv');
    expect(dialog.asked).toEqual([]);
    expect(shell.shown).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('IPC call refused');
  });

  it('removes both handlers when unregistered', () => {
    const { ipcMain, unregister } = setUp({ canceled: true });
    unregister();
    expect([...ipcMain.handlers.keys()]).toEqual([]);
  });
});
