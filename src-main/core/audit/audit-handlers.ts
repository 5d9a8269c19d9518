import type { Handler } from '../../../src-shared/contract';
import type { Services } from '../app/composition-root';

export function auditHandlers({ audit }: Services): { 'audit.list': Handler<'audit.list'>; 'audit.verify': Handler<'audit.verify'> } {
  return {
    'audit.list': async ({ limit, beforeSeq }) => audit.list({ limit, beforeSeq }),
    'audit.verify': async () => audit.verify(),
  };
}
