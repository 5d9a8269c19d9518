import { create } from 'zustand';
import type { AuditEntry, AuditVerification } from '../../../../src-shared/domain/audit';
import type { Integration } from '../../../../src-shared/domain/integration';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

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

const answers = new LatestAnswers();

export const useAudit = create<AuditState>((set, get) => ({
  entries: [],
  hasOlder: false,
  verification: null,
  verifying: false,
  integrations: [],
  loading: false,
  error: null,
  // The newest entries and older pages share one key: a reload drops an older page still on its way.
  load: () =>
    answers.load('entries', () => Promise.all([call('audit.list', { limit: PAGE }), call('integrations.list')]), {
      start: () => set({ loading: true, error: null }),
      value: ([entries, integrations]) => set({ entries, integrations, hasOlder: entries.length === PAGE }),
      error: (error) => set({ error }),
      done: () => set({ loading: false }),
    }),
  async loadOlder() {
    const { entries } = get();
    const oldest = entries.at(-1);
    if (!oldest) return;
    await answers.load('entries', () => call('audit.list', { limit: PAGE, beforeSeq: oldest.seq }), {
      value: (older) => set({ entries: [...entries, ...older], hasOlder: older.length === PAGE }),
      error: (error) => set({ error }),
    });
  },
  verify: () =>
    answers.load('verify', () => call('audit.verify'), {
      start: () => set({ verification: null, verifying: true }),
      value: (verification) => set({ verification }),
      error: (error) => set({ error }),
      done: () => set({ verifying: false }),
    }),
}));
