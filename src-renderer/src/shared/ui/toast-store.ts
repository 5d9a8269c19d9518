import { create } from 'zustand';

/**
 * Toasts confirm what the admin just did ("Settings saved.") and go away by themselves. They never carry an error:
 * an error is shown next to what caused it (the field, the panel), where it stays until it is fixed.
 */
export interface Toast {
  id: number;
  level: 'success' | 'info' | 'warning';
  message: string;
}

/** How long a toast stays; long enough to read two lines. */
export const TOAST_MS = 6000;
/** At most this many at once; the oldest goes first. */
const MAX_TOASTS = 4;

interface ToastState {
  toasts: Toast[];
  /** A confirmation of an action that succeeded. */
  confirm(message: string): void;
  /** Something the admin should know that no request asked for (app.notice); it times out like the others. */
  notify(level: Toast['level'], message: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  confirm(message) {
    get().notify('success', message);
  },
  notify(level, message) {
    const id = nextId++;
    set({ toasts: [...get().toasts.slice(-(MAX_TOASTS - 1)), { id, level, message }] });
    setTimeout(() => get().dismiss(id), TOAST_MS);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));
