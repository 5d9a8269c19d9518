import { create } from 'zustand';
import type { ExportProgress, ExportRequest } from '../../../../src-shared/domain/export';
import { call, subscribe } from '../../shared/api';

interface ExportsState {
  /** By export id, the latest progress of every export started in this window. */
  byId: Record<string, ExportProgress>;
  error: unknown;
  start(request: ExportRequest): Promise<string | null>;
  cancel(exportId: string): Promise<void>;
}

let listening: (() => void) | null = null;

/** Exports run in main and report as `export.progress` events; this keeps the latest of each. */
export const useExports = create<ExportsState>((set) => {
  const listen = () => {
    listening ??= subscribe('export.progress', (progress) => set((state) => ({ byId: { ...state.byId, [progress.exportId]: progress } })));
  };
  return {
    byId: {},
    error: null,
    async start(request) {
      listen();
      set({ error: null });
      try {
        const first = await call('export.start', request);
        // An event may have overtaken the answer; keep whichever is further along.
        set((state) => ({ byId: { ...state.byId, [first.exportId]: state.byId[first.exportId] ?? first } }));
        return first.exportId;
      } catch (error) {
        set({ error });
        return null;
      }
    },
    async cancel(exportId) {
      try {
        await call('export.cancel', { exportId });
      } catch (error) {
        set({ error });
      }
    },
  };
});
