/** The two raw Electron channels; the contract's channel names travel inside them. Shared by main and preload. */
export const INVOKE_CHANNEL = 'tec:invoke';
export const EVENT_CHANNEL = 'tec:event';
