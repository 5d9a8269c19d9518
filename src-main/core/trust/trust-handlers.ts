import type { Handler } from '../../../src-shared/contract';
import type { TrustVerifier } from './trust-verifier';

export function trustHandlers({ trust }: { trust: TrustVerifier }): { 'trust.verify': Handler<'trust.verify'> } {
  return {
    'trust.verify': async (query) => trust.verify(query),
  };
}
