import type { Handler } from '../../../src-shared/contract';
import type { AuditVerification } from '../../../src-shared/domain/audit';
import type { AuditLog } from './audit-log';

export function auditHandlers({ audit, verifyAudit }: { audit: AuditLog; verifyAudit: () => Promise<AuditVerification> }): {
  'audit.list': Handler<'audit.list'>;
  'audit.verify': Handler<'audit.verify'>;
} {
  return {
    'audit.list': async ({ limit, beforeSeq }) => audit.list({ limit, beforeSeq }),
    'audit.verify': async () => verifyAudit(),
  };
}
