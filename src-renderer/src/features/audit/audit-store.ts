import { create } from 'zustand';
import type { AuditEntry, AuditVerification } from '../../../../src-shared/domain/audit';
import type { Integration } from '../../../../src-shared/domain/integration';
import { call } from '../../shared/api';

const PAGE = 200;

interface AuditState {
  entries: AuditEntry[];
  /** More, older entries exist than those loaded. */
  hasOlder: boolean;
  verification: AuditVerification | null;
  verifying: boolean;
  integrations: Integration[];
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
  loadOlder(): Promise<void>;
  verify(): Promise<void>;
}

export const useAudit = create<AuditState>((set, get) => ({
  entries: [],
  hasOlder: false,
  verification: null,
  verifying: false,
  integrations: [],
  loading: false,
  error: null,
  async load() {
    set({ loading: true, error: null });
    try {
      const [entries, integrations] = await Promise.all([call('audit.list', { limit: PAGE }), call('integrations.list')]);
      set({ entries, integrations, hasOlder: entries.length === PAGE });
    } catch (error) {
      set({ error });
    } finally {
      set({ loading: false });
    }
  },
  async loadOlder() {
    const oldest = get().entries.at(-1);
    if (!oldest) return;
    try {
      const older = await call('audit.list', { limit: PAGE, beforeSeq: oldest.seq });
      set({ entries: [...get().entries, ...older], hasOlder: older.length === PAGE });
    } catch (error) {
      set({ error });
    }
  },
  async verify() {
    set({ verification: null, verifying: true });
    try {
      set({ verification: await call('audit.verify') });
    } catch (error) {
      set({ error });
    } finally {
      set({ verifying: false });
    }
  },
}));
