import { create } from 'zustand';
import type { AuditChoices, AuditEntry, AuditFilter, AuditVerification } from '../../../../src-shared/domain/audit';
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
  /** What the log is filtered on now; empty: every entry. */
  filter: AuditFilter;
  choices: AuditChoices | null;
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
  setFilter(patch: Partial<AuditFilter>): Promise<void>;
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
  filter: {},
  choices: null,
  loading: false,
  error: null,
  // The newest entries and older pages share one key: a reload (a new filter) drops an older answer still on its way.
  load: () => {
    const filter = get().filter;
    return answers.load('entries', () => Promise.all([call('audit.list', { limit: PAGE, ...filter }), call('integrations.list'), call('audit.choices')]), {
      start: () => set({ loading: true, error: null }),
      value: ([entries, integrations, choices]) => set({ entries, integrations, choices, hasOlder: entries.length === PAGE }),
      error: (error) => set({ error }),
      done: () => set({ loading: false }),
    });
  },
  async loadOlder() {
    const { entries } = get();
    const oldest = entries.at(-1);
    if (!oldest) return;
    await answers.load('entries', () => call('audit.list', { limit: PAGE, beforeSeq: oldest.seq, ...get().filter }), {
      value: (older) => set({ entries: [...entries, ...older], hasOlder: older.length === PAGE }),
      error: (error) => set({ error }),
    });
  },
  async setFilter(patch) {
    const next: AuditFilter = { ...get().filter, ...patch };
    for (const key of Object.keys(next) as (keyof AuditFilter)[]) if (next[key] === undefined) delete next[key];
    set({ filter: next });
    await get().load();
  },
  verify: () =>
    answers.load('verify', () => call('audit.verify'), {
      start: () => set({ verification: null, verifying: true }),
      value: (verification) => set({ verification }),
      error: (error) => set({ error }),
      done: () => set({ verifying: false }),
    }),
}));
