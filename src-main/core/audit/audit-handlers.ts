import type { Handler } from '../../../src-shared/contract';
import type { AuditVerification } from '../../../src-shared/domain/audit';
import type { AuditLog } from './audit-log';

export function auditHandlers({ audit, verifyAudit }: { audit: AuditLog; verifyAudit: () => Promise<AuditVerification> }): {
  'audit.list': Handler<'audit.list'>;
  'audit.verify': Handler<'audit.verify'>;
  'audit.choices': Handler<'audit.choices'>;
} {
  return {
    'audit.list': async (input) => audit.list(input),
    'audit.choices': async () => audit.choices(),
    'audit.verify': async () => verifyAudit(),
  };
}
