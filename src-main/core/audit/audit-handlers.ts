import type { Handler } from '../../../src-shared/contract';
import type { AuditLog } from './audit-log';

export function auditHandlers({ audit }: { audit: AuditLog }): { 'audit.list': Handler<'audit.list'>; 'audit.verify': Handler<'audit.verify'> } {
  return {
    'audit.list': async ({ limit, beforeSeq }) => audit.list({ limit, beforeSeq }),
    'audit.verify': async () => audit.verify(),
  };
}
