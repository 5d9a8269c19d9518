/** The two raw Electron channels; the contract's channel names travel inside them. Shared by main and preload. */
export const INVOKE_CHANNEL = 'tec:invoke';
export const EVENT_CHANNEL = 'tec:event';
/** The app's file capabilities (file-dialogs.ts): transport, not contract, so the core and the CLI stay Electron-free. */
export const CHOOSE_SAVE_PATH_CHANNEL = 'tec:choose-save-path';
export const SHOW_IN_FOLDER_CHANNEL = 'tec:show-in-folder';
