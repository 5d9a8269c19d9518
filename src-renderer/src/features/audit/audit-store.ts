import { create } from 'zustand';
import type { AuditEntry, AuditVerification } from '../../../../src-shared/domain/audit';
import { call } from '../../shared/api';

interface AuditState {
  entries: AuditEntry[];
  verification: AuditVerification | null;
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
  verify(): Promise<void>;
}

export const useAudit = create<AuditState>((set) => ({
  entries: [],
  verification: null,
  loading: false,
  error: null,
  async load() {
    set({ loading: true, error: null });
    try {
      set({ entries: await call('audit.list', { limit: 200 }) });
    } catch (error) {
      set({ error });
    } finally {
      set({ loading: false });
    }
  },
  async verify() {
    set({ verification: null });
    try {
      set({ verification: await call('audit.verify') });
    } catch (error) {
      set({ error });
    }
  },
}));
