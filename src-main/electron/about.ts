import type { BaseWindow, Clipboard, Dialog, MessageBoxOptions, Shell } from 'electron';
import type { AppInfo } from '../../src-shared/contract/app';

/**
 * The About dialog: what an admin quotes in a support ticket (versions) and where to look next (data and logs).
 * Building the text is pure and tested in plain Node; showing it is a thin layer over Electron's dialog, which is
 * passed in so this file never imports electron at run time.
 */

export interface AboutFacts {
  info: Pick<AppInfo, 'name' | 'version' | 'dataDir' | 'runtime'>;
  logDir: string;
  os: { platform: string; arch: string; release: string };
}

export interface AboutContent {
  title: string;
  message: string;
  detail: string;
}

export function buildAboutContent(facts: AboutFacts): AboutContent {
  const { info, logDir, os } = facts;
  const lines = [
    `Version: ${info.version}`,
    `Electron: ${info.runtime.electron ?? 'not running in Electron'}`,
    `Chromium: ${info.runtime.chrome ?? 'not running in Electron'}`,
    `Node.js: ${info.runtime.node}`,
    `OS: ${os.platform} ${os.arch} ${os.release}`,
    '',
    `Data directory: ${info.dataDir}`,
    `Log directory: ${logDir}`,
  ];
  return { title: `About ${info.name}`, message: `${info.name} ${info.version}`, detail: lines.join('\n') };
}

export const ABOUT_BUTTONS = ['OK', 'Copy details', 'Open logs folder'] as const;

export interface AboutDialogElectron {
  dialog: Pick<Dialog, 'showMessageBox'>;
  clipboard: Pick<Clipboard, 'writeText'>;
  shell: Pick<Shell, 'openPath'>;
}

/** Shows the dialog; "Copy details" puts the whole text on the clipboard, "Open logs folder" opens the log directory. */
export async function showAboutDialog(electron: AboutDialogElectron, facts: AboutFacts, parent?: BaseWindow): Promise<void> {
  const content = buildAboutContent(facts);
  const options: MessageBoxOptions = {
    type: 'info',
    title: content.title,
    message: content.message,
    detail: content.detail,
    buttons: [...ABOUT_BUTTONS],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
  const { response } = parent ? await electron.dialog.showMessageBox(parent, options) : await electron.dialog.showMessageBox(options);
  if (ABOUT_BUTTONS[response] === 'Copy details') void electron.clipboard.writeText(`${content.message}\n${content.detail}`);
  if (ABOUT_BUTTONS[response] === 'Open logs folder') await electron.shell.openPath(facts.logDir);
}
