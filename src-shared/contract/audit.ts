import { z } from 'zod';
import { channel, NoInput } from './define';
import { AuditChoices, AuditEntry, AuditFilter, AuditVerification } from '../domain/audit';

export const auditChannels = {
  'audit.list': channel(
    'Admin actions, newest first, a page at a time; optionally only those of one actor, action or target, in a time range.',
    z
      .object({
        limit: z.number().int().min(1).max(500).default(100),
        beforeSeq: z.number().int().positive().optional(),
        ...AuditFilter.shape,
      })
      .strict(),
    z.array(AuditEntry),
  ),
  'audit.choices': channel('What the audit log can be filtered on: the actors, actions and targets it holds, targets with their names.', NoInput, AuditChoices),
  'audit.verify': channel('Check the whole hash chain; names the first entry that was changed.', NoInput, AuditVerification),
};
