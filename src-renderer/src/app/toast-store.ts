import { create } from 'zustand';
import { errorCode, errorText } from '../shared/error-text';

export interface Toast {
  id: number;
  level: 'info' | 'success' | 'warning' | 'error';
  message: string;
  code?: string;
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): void;
  pushError(error: unknown): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push(toast) {
    const id = nextId++;
    set({ toasts: [...get().toasts.slice(-4), { ...toast, id }] });
    if (toast.level !== 'error') setTimeout(() => get().dismiss(id), 6000);
  },
  pushError(error) {
    get().push({ level: 'error', message: errorText(error), code: errorCode(error) });
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));
