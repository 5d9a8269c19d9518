import { create } from 'zustand';
import type { DuoConnection, DuoGroup, DuoProgress, DuoReadSummary, DuoTestResult, DuoTestStep, TestGroupUserMatch } from '../../../../src-shared/domain/duo';
import { call, subscribe } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

interface DuoConnectionState {
  connection: DuoConnection | null;
  loaded: boolean;
  error: unknown;
  testSteps: DuoTestStep[] | null;
  testResult: DuoTestResult | null;
  testing: boolean;
  reading: boolean;
  progress: DuoProgress | null;
  lastRead: DuoReadSummary | null;
  groups: DuoGroup[];
  /** How the names last asked about match in Duo and Ivanti; `matchedNames` says which names they are for. */
  userMatches: TestGroupUserMatch[];
  matchedNames: string;
  load(): Promise<void>;
  save(input: { apiHostname: string; integrationKey: string; secretKey?: string }): Promise<void>;
  test(): Promise<void>;
  read(): Promise<void>;
  cancelRead(): Promise<void>;
  disconnect(): Promise<void>;
  loadGroups(): Promise<void>;
  matchUsers(names: string[]): Promise<void>;
}

const answers = new LatestAnswers();

export const useDuoConnection = create<DuoConnectionState>((set, get) => ({
  connection: null,
  loaded: false,
  error: null,
  testSteps: null,
  testResult: null,
  testing: false,
  reading: false,
  progress: null,
  lastRead: null,
  groups: [],
  userMatches: [],
  matchedNames: '',
  load: () =>
    answers.load('connection', () => call('duo.connection'), {
      value: (connection) => set({ connection, loaded: true, error: null }),
      error: (error) => set({ error, loaded: true }),
    }),
  async save(input) {
    const connection = await call('duo.connect', input);
    set({ connection, testResult: null, testSteps: null });
  },
  async test() {
    const testRunId = `duo-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    set({ testing: true, testResult: null, testSteps: null });
    const unsubscribe = subscribe('duo.testStep', (event) => {
      if (event.testRunId !== testRunId) return;
      const steps = [...(get().testSteps ?? [])];
      const index = steps.findIndex((s) => s.check === event.step.check);
      if (index >= 0) steps[index] = event.step;
      else steps.push(event.step);
      set({ testSteps: steps });
    });
    try {
      const result = await call('duo.test', { testRunId });
      set({ testResult: result, testSteps: result.steps });
    } finally {
      unsubscribe();
      set({ testing: false });
    }
  },
  async read() {
    set({ reading: true, progress: null, lastRead: null });
    const unsubscribe = subscribe('duo.progress', (progress) => set({ progress }));
    try {
      const lastRead = await call('duo.read');
      set({ lastRead });
      await get().load();
      await get().loadGroups();
    } finally {
      unsubscribe();
      set({ reading: false, progress: null });
    }
  },
  async cancelRead() {
    await call('duo.cancelRead');
  },
  async disconnect() {
    await call('duo.disconnect');
    set({ connection: null, testResult: null, testSteps: null, lastRead: null, groups: [] });
  },
  async loadGroups() {
    const current = answers.begin('groups');
    const groups = await call('duo.groups');
    if (current()) set({ groups });
  },
  async matchUsers(names) {
    const key = names.join('\n');
    // Answers can arrive out of order while the admin types: keep only the one for the names asked last.
    const current = answers.begin('match');
    const userMatches = await call('duo.matchUsers', { names: names.slice(0, 500) });
    if (current()) set({ userMatches, matchedNames: key });
  },
}));
