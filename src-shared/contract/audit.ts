import { z } from 'zod';
import { channel, NoInput } from './define';
import { AuditEntry, AuditVerification } from '../domain/audit';

export const auditChannels = {
  'audit.list': channel(
    'Admin actions, newest first, a page at a time.',
    z.object({ limit: z.number().int().min(1).max(500).default(100), beforeSeq: z.number().int().positive().optional() }).strict(),
    z.array(AuditEntry),
  ),
  'audit.verify': channel('Check the whole hash chain; names the first entry that was changed.', NoInput, AuditVerification),
};
