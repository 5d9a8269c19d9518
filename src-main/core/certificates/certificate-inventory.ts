import type { CertificatePage, ExpiryWarning } from '../../../src-shared/contract/certificates';
import type { CertificatePurpose, CertificateRecord, CertificateStatus } from '../../../src-shared/domain/ca-profile';
import type { CertificateSummary, KeyUsageName } from '../../../src-shared/domain/certificate';
import type { Db } from '../db/database';
import { IntegrationStore, type IntegrationDirectory, type IntegrationFacts } from '../integrations/integration-store';
import type { CertificateLookup, DeviceRef, IssuedCertificate } from '../trust/certificate-lookup';

interface CertificateRow {
  id: number;
  integration_id: string;
  purpose: CertificatePurpose;
  device_guid: string | null;
  device_identifier: string | null;
  serial_number: string;
  subject: string;
  issuer: string;
  not_before: number;
  not_after: number;
  key_usage: string;
  sha256_fingerprint: string;
  invalidated_at: number | null;
  invalidated_reason: string | null;
  created_at: number;
  status: CertificateStatus;
}

export interface NewCertificate {
  integrationId: string;
  purpose: CertificatePurpose;
  /** The certificate as issued (public data). The inventory never receives a private key. */
  der: Buffer;
  summary: CertificateSummary;
  device?: { guid: string | null; identifier: string | null };
}

export interface CertificateFilter {
  integrationId?: string;
  status?: CertificateStatus;
  limit: number;
  beforeId?: number;
}

/** The derived status, in one place: rows, filters and counts all read it from here. */
const STATUS_SQL = `CASE WHEN c.invalidated_at IS NOT NULL THEN 'invalidated' WHEN c.not_after <= @now THEN 'expired' ELSE 'active' END`;

const SELECT = `
  SELECT c.id, c.integration_id, c.purpose, c.device_guid,
         c.device_identifier, c.serial_number, c.subject, c.issuer, c.not_before, c.not_after, c.key_usage,
         c.sha256_fingerprint, c.invalidated_at, c.invalidated_reason, c.created_at, ${STATUS_SQL} AS status
  FROM certificates c`;

export const INTEGRATION_DELETED_REASON = 'integration deleted';

/**
 * Every certificate the console knows of for the legacy certificate integrations: the test certificates Test
 * Configuration enrolled and device certificates. The trust verifier and the integration overview read it through
 * CertificateLookup. The status is derived at read time from `now`, never stored.
 */
export class CertificateInventory implements CertificateLookup {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    /** Integration names and whether deleted, from their owner (IntegrationStore): certificates name their integration. */
    private readonly integrations: IntegrationDirectory = new IntegrationStore(db),
  ) {}

  /** Records one certificate; call it inside the caller's transaction when other rows go with it. */
  record(certificate: NewCertificate): CertificateRecord {
    const { summary } = certificate;
    const result = this.db
      .prepare(
        `INSERT INTO certificates (integration_id, purpose, device_guid, device_identifier, serial_number, subject, issuer, not_before,
                                   not_after, key_usage, sha256_fingerprint, der, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        certificate.integrationId,
        certificate.purpose,
        certificate.device?.guid ?? null,
        certificate.device?.identifier ?? null,
        summary.serialNumber,
        summary.subject,
        summary.issuer,
        Date.parse(summary.notBefore),
        Date.parse(summary.notAfter),
        summary.keyUsage.join(','),
        summary.sha256Fingerprint,
        certificate.der,
        this.now().getTime(),
      );
    return this.get(Number(result.lastInsertRowid))!;
  }

  get(id: number): CertificateRecord | null {
    const row = this.db.prepare(`${SELECT} WHERE c.id = @id`).get({ id, now: this.now().getTime() }) as CertificateRow | undefined;
    return row ? toRecord(row, this.integrations.facts()) : null;
  }

  list(filter: CertificateFilter): CertificatePage {
    const now = this.now().getTime();
    const params = { now, integrationId: filter.integrationId ?? null, status: filter.status ?? null, beforeId: filter.beforeId ?? null };
    const integrationClause = '(@integrationId IS NULL OR c.integration_id = @integrationId)';
    const rows = this.db
      .prepare(
        `${SELECT}
         WHERE ${integrationClause} AND (@status IS NULL OR ${STATUS_SQL} = @status) AND (@beforeId IS NULL OR c.id < @beforeId)
         ORDER BY c.id DESC LIMIT ${filter.limit + 1}`,
      )
      .all(params) as CertificateRow[];
    const counted = this.db
      .prepare(`SELECT ${STATUS_SQL} AS status, COUNT(*) AS n FROM certificates c WHERE ${integrationClause} GROUP BY 1`)
      .all({ now, integrationId: params.integrationId }) as { status: CertificateStatus; n: number }[];
    const counts = { active: 0, expired: 0, invalidated: 0 };
    for (const { status, n } of counted) counts[status] = n;
    const page = rows.slice(0, filter.limit);
    const facts = this.integrations.facts();
    return {
      certificates: page.map((row) => toRecord(row, facts)),
      nextBeforeId: rows.length > filter.limit ? page[page.length - 1]!.id : null,
      counts,
    };
  }

  forDevice(integrationId: string, device: DeviceRef): IssuedCertificate[] {
    const guids = JSON.stringify(device.guids);
    const rows = this.db
      .prepare(
        `SELECT serial_number, not_after, invalidated_at FROM certificates
         WHERE integration_id = ? AND purpose = 'device'
           AND (device_identifier = ? OR device_guid IN (SELECT value FROM json_each(?)))
         ORDER BY id`,
      )
      .all(integrationId, device.identifier, guids) as { serial_number: string; not_after: number; invalidated_at: number | null }[];
    return rows.map((r) => ({ serialNumber: r.serial_number, notAfter: r.not_after, invalidatedAt: r.invalidated_at }));
  }

  expiringBefore(integrationId: string, now: number, before: number): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM certificates
         WHERE integration_id = ? AND purpose = 'device' AND invalidated_at IS NULL AND not_after > ? AND not_after <= ?`,
      )
      .get(integrationId, now, before) as { n: number };
    return row.n;
  }

  /**
   * Live integrations with device certificates that are still valid but expire within `days`. Test certificates are
   * left out: no device holds them, so their expiry changes nothing.
   */
  expiryWarnings(days: number): ExpiryWarning[] {
    const now = this.now().getTime();
    const rows = this.db
      .prepare(
        `SELECT c.integration_id, COUNT(*) AS n, MIN(c.not_after) AS soonest
         FROM certificates c
         WHERE c.purpose = 'device' AND c.invalidated_at IS NULL AND c.not_after > ? AND c.not_after <= ?
         GROUP BY c.integration_id ORDER BY soonest`,
      )
      .all(now, now + days * 86_400_000) as { integration_id: string; n: number; soonest: number }[];
    const facts = this.integrations.facts();
    const live = rows.filter((r) => facts.get(r.integration_id)?.deleted === false);
    return live.map((r) => ({
      integrationId: r.integration_id,
      integrationName: facts.get(r.integration_id)!.name,
      count: r.n,
      soonestNotAfter: new Date(r.soonest).toISOString(),
    }));
  }

  /** Marks every still-valid certificate of the integration invalidated. Returns how many changed. */
  invalidateIntegration(integrationId: string, reason: string): number {
    return this.db
      .prepare('UPDATE certificates SET invalidated_at = ?, invalidated_reason = ? WHERE integration_id = ? AND invalidated_at IS NULL')
      .run(this.now().getTime(), reason, integrationId).changes;
  }
}

function toRecord(row: CertificateRow, integrations: Map<string, IntegrationFacts>): CertificateRecord {
  const iso = (ms: number) => new Date(ms).toISOString();
  const integration = integrations.get(row.integration_id);
  return {
    id: row.id,
    integrationId: row.integration_id,
    integrationName: integration?.name ?? row.integration_id,
    integrationDeleted: integration?.deleted ?? true,
    purpose: row.purpose,
    deviceGuid: row.device_guid,
    deviceIdentifier: row.device_identifier,
    subject: row.subject,
    issuer: row.issuer,
    serialNumber: row.serial_number,
    notBefore: iso(row.not_before),
    notAfter: iso(row.not_after),
    keyUsage: row.key_usage === '' ? [] : (row.key_usage.split(',') as KeyUsageName[]),
    sha256Fingerprint: row.sha256_fingerprint,
    status: row.status,
    invalidatedAt: row.invalidated_at === null ? null : iso(row.invalidated_at),
    invalidatedReason: row.invalidated_reason,
    createdAt: iso(row.created_at),
  };
}
