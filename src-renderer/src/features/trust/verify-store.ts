import { create } from 'zustand';
import type { InputOf, OutputOf } from '../../../../src-shared/contract';
import { call } from '../../shared/api';

interface VerifyState {
  /** The last answer of "Verify your setup"; null before the first, and after a refused question. */
  verdict: OutputOf<'trust.verify'> | null;
  /** Asks the verifier (the handler `tec verify` uses); a refusal is thrown for the form to show. */
  verify(query: InputOf<'trust.verify'>): Promise<void>;
}

export const useVerify = create<VerifyState>((set) => ({
  verdict: null,
  async verify(query) {
    try {
      set({ verdict: await call('trust.verify', query) });
    } catch (error) {
      set({ verdict: null });
      throw error;
    }
  },
}));
