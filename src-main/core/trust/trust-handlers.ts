import type { Handler } from '../../../src-shared/contract';
import type { Services } from '../app/composition-root';

export function trustHandlers({ trust }: Services): { 'trust.verify': Handler<'trust.verify'> } {
  return {
    'trust.verify': async (query) => trust.verify(query),
  };
}
