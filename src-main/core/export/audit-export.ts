import type { AuditSeal } from '../audit/audit-signature';
import type { AuditLog, AuditRow } from '../audit/audit-log';
import type { ExportSource } from './export-source';

/**
 * The whole audit log, oldest first, with each entry's stored hashes, so whoever receives the file can re-check the
 * chain (core/audit/audit-log.ts says how each hash is computed). `details` is written exactly as stored (the
 * canonical JSON the hash covers), and the JSON export says whether the chain verified when it was exported.
 */
export function auditExport(log: Pick<AuditLog, 'exportQuery'>, seal: AuditSeal): ExportSource<AuditRow> {
  return {
    kind: 'audit',
    ...log.exportQuery(),
    columns: [
      { name: 'seq', value: (r) => r.seq },
      { name: 'at', value: (r) => new Date(r.at).toISOString() },
      { name: 'atMs', value: (r) => r.at },
      { name: 'actor', value: (r) => r.actor },
      { name: 'action', value: (r) => r.action },
      { name: 'target', value: (r) => r.target },
      { name: 'details', value: (r) => r.details },
      { name: 'prevHash', value: (r) => r.prev_hash },
      { name: 'hash', value: (r) => r.hash },
    ],
    // The signed head (with its public key) lets anyone check the file offline: `tec audit verify --file`.
    about: { verification: seal.verification, signedHead: seal.signedHead },
  };
}
