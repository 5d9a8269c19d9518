import { create } from 'zustand';
import type { KeychainStatus } from '../../../src-shared/contract/app';
import { call } from '../shared/api';

interface KeychainState {
  /** null until the first answer. */
  status: KeychainStatus | null;
  checking: boolean;
  check(): Promise<void>;
}

/** Whether the OS keychain answers; the banner shows why not and offers to ask again after the admin fixed it. */
export const useKeychain = create<KeychainState>((set) => ({
  status: null,
  checking: false,
  async check() {
    set({ checking: true });
    try {
      set({ status: await call('keychain.probe') });
    } catch {
      // The probe itself never fails; a transport failure is shown by the page that hits it, not as a keychain problem.
    } finally {
      set({ checking: false });
    }
  },
}));
