import { create } from 'zustand';
import type { WizardDraft, WizardValues } from '../../../../src-shared/contract/wizard';
import { call } from '../../shared/api';
import { splitError } from '../../shared/error-text';
import { isAppError } from '../../../../src-shared/errors';
import { LatestAnswers } from '../../shared/latest-answer';

interface WizardState {
  draft: WizardDraft | null;
  busy: boolean;
  /** Field messages from the core for the current step. */
  errors: Record<string, string>;
  /** A failure that is not about one field. */
  error: unknown;
  open(id: string): Promise<void>;
  /** Saves as typed: the screen updates at once, the draft is written shortly after (quitting loses at most that moment). */
  edit(values: WizardValues): void;
  flush(): Promise<void>;
  /** The password field: held here only until it goes to the keychain (on leaving the field, or on Next). */
  passwordInput: string;
  setPasswordInput(value: string): void;
  commitPassword(): Promise<void>;
  next(): Promise<void>;
  back(): Promise<void>;
  runTest(testRunId: string): Promise<void>;
  checkIdentifier(identifier: string): Promise<void>;
  /** The last key pasted had another shape than Duo's example: it needs the admin's confirmation before it is saved. */
  keyUnusual: boolean;
  /** Records the configuration key Duo shows for the draft's integration (cleaned and shape-checked by the core). */
  enterConfigurationKey(key: string, confirmUnusualShape: boolean): Promise<boolean>;
  reload(): Promise<void>;
}

const SAVE_DELAY_MS = 250;
let pending: WizardValues = {};
let timer: ReturnType<typeof setTimeout> | null = null;
let passwordSaving: Promise<unknown> = Promise.resolve();
/**
 * Every call whose answer replaces the draft takes a ticket: a save and the password's store can be in flight together
 * (the rig answers over HTTP, out of order), and an older answer must not put back a value edited since (a pasted
 * https://…/ domain, cleaned on leaving the field, came back raw).
 */
const draftAnswers = new LatestAnswers();

/** A refused call, as the wizard shows it: messages beside their fields, the rest under the step. */
function refused(error: unknown): { errors: Record<string, string>; error: unknown } {
  const { fields, failure } = splitError(error);
  return { errors: fields, error: failure };
}

export const useWizard = create<WizardState>((set, get) => {
  /** Runs a core call for the open draft; the answer replaces the draft, keeping edits not yet saved. */
  async function act(run: (id: string) => Promise<WizardDraft>, options: { quiet?: boolean } = {}): Promise<boolean> {
    const draft = get().draft;
    if (!draft) return false;
    // A quiet call (the password leaving its field) must not disable the buttons: the click that moved focus away
    // from the field would land on a disabled button and be lost.
    if (!options.quiet) set({ busy: true });
    set({ error: null });
    const current = draftAnswers.begin();
    try {
      const updated = await run(draft.id);
      if (current()) set({ draft: { ...updated, ...pending }, errors: {} });
      return true;
    } catch (error) {
      if (current()) set(refused(error));
      return false;
    } finally {
      if (!options.quiet) set({ busy: false });
    }
  }

  return {
    draft: null,
    keyUnusual: false,
    passwordInput: '',
    busy: false,
    errors: {},
    error: null,
    async open(id) {
      pending = {};
      set({ draft: null, passwordInput: '', errors: {}, error: null });
      const current = draftAnswers.begin();
      try {
        const draft = await call('wizard.get', { id });
        if (current()) set({ draft });
      } catch (error) {
        if (current()) set({ error });
      }
    },
    edit(values) {
      const draft = get().draft;
      if (!draft) return;
      pending = { ...pending, ...values };
      // A message about a field goes as soon as that field is edited; the core checks it again on Next.
      const edited = Object.keys(values);
      const errors = Object.fromEntries(Object.entries(get().errors).filter(([key]) => !edited.some((k) => key === k || key.startsWith(`${k}.`))));
      set({ draft: { ...draft, ...values }, errors });
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void get().flush(), SAVE_DELAY_MS);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      const draft = get().draft;
      if (!draft || Object.keys(pending).length === 0) return;
      const values = pending;
      pending = {};
      const current = draftAnswers.begin();
      try {
        const saved = await call('wizard.update', { id: draft.id, values });
        if (current()) set({ draft: { ...saved, ...pending } });
      } catch (error) {
        if (current()) set(refused(error));
      }
    },
    setPasswordInput(value) {
      set({ passwordInput: value });
    },
    async commitPassword() {
      const password = get().passwordInput;
      if (password.length > 0) {
        set({ passwordInput: '' });
        passwordSaving = get()
          .flush()
          .then(() => act((id) => call('wizard.storePassword', { id, password }), { quiet: true }));
      }
      await passwordSaving;
    },
    async next() {
      await get().commitPassword();
      await get().flush();
      await act((id) => call('wizard.next', { id }));
    },
    async back() {
      await get().flush();
      await act((id) => call('wizard.back', { id }));
    },
    async runTest(testRunId) {
      await get().flush();
      await act((id) => call('wizard.testConfiguration', { id, testRunId }));
    },
    async checkIdentifier(identifier) {
      await act((id) => call('wizard.checkIdentifier', { id, identifier }));
    },
    async enterConfigurationKey(key, confirmUnusualShape) {
      const integrationId = get().draft?.integrationId;
      if (!integrationId) return false;
      set({ keyUnusual: false, error: null });
      try {
        await call('integrations.enterConfigurationKey', { id: integrationId, key, ...(confirmUnusualShape ? { confirmUnusualShape: true } : {}) });
      } catch (error) {
        if (isAppError(error) && error.code === 'CONFIGURATION_KEY_UNUSUAL') set({ keyUnusual: true });
        else set(refused(error));
        return false;
      }
      return act((id) => call('wizard.get', { id }));
    },
    async reload() {
      await act((id) => call('wizard.get', { id }));
    },
  };
});
