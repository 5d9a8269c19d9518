import type { z } from 'zod';
import type { SaveCaProfileInput } from '../../../src-shared/contract/certificates';
import {
  IDENTITY_KEY_SIZE,
  IDENTITY_KEY_USAGE,
  IDENTITY_SIGNATURE_ALGORITHM,
  type CaProfile,
  type CaType,
} from '../../../src-shared/domain/ca-profile';
import { AppError } from '../../../src-shared/errors';
import type { AuditLog } from '../audit/audit-log';
import type { Db } from '../db/database';
import type { IntegrationService } from '../integrations/integration-service';
import { parseDistinguishedName } from '../scep/distinguished-name';
import { allowedUrl } from '../scep/scep-http';
import { secretAccount, type SecretStore } from '../secrets/secret-store';

interface CaProfileRow {
  integration_id: string;
  name: string;
  ca_type: CaType;
  scep_url: string;
  username: string;
  password_ref: string | null;
  challenge_url: string | null;
  subject: string;
  created_at: number;
  updated_at: number;
}

export type SaveCaProfile = z.output<typeof SaveCaProfileInput>;

/** A CA profile with its password, for the NDES challenge fetch. Internal to main: never returned over IPC. */
export interface CaConnection {
  profile: CaProfile;
  password: string | null;
}

/**
 * The CA profile ("Duo CA" and the identity certificate configuration) of each legacy certificate integration. The CA
 * password goes to the keychain (secretAccount.caPassword) before anything is written here; the row keeps the account
 * name only.
 */
export class CaProfileService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    private readonly integrations: IntegrationService,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly actor: string,
  ) {}

  async get(integrationId: string): Promise<CaProfile | null> {
    await this.integrations.get(integrationId);
    const row = this.row(integrationId);
    return row ? this.toProfile(row) : null;
  }

  async save(input: SaveCaProfile): Promise<CaProfile> {
    const integration = await this.integrations.get(input.integrationId);
    if (integration.platform !== 'ios-certs') {
      throw new AppError('VALIDATION_FAILED', `"${integration.name}" is not a legacy certificate integration: only those have a CA profile.`, {
        field: 'integrationId',
      });
    }
    // The full checks the form's quick ones cannot make: URLs as the SCEP core will parse them, subject attribute names.
    allowedUrl(input.scepUrl, false, 'SCEP URL', 'scepUrl');
    if (input.challengeUrl !== undefined) allowedUrl(input.challengeUrl, false, 'challenge URL', 'challengeUrl');
    parseDistinguishedName(input.subject);
    const existing = this.row(input.integrationId);
    const account = secretAccount.caPassword(input.integrationId);
    const passwordStored = input.password !== undefined || (existing?.password_ref != null && (await this.secrets.has(existing.password_ref)));
    if (input.challengeUrl !== undefined && !passwordStored) {
      throw new AppError('VALIDATION_FAILED', 'The challenge URL needs the password of the account above: NDES asks for it before handing out a challenge.', {
        field: 'password',
      });
    }
    // Keychain first: if it fails, nothing was written to the database either.
    if (input.password !== undefined) await this.secrets.set(account, input.password);
    const at = this.now().getTime();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO ca_profiles (integration_id, name, ca_type, scep_url, username, password_ref, challenge_url, subject, created_at, updated_at)
           VALUES (@integrationId, @name, @caType, @scepUrl, @username, @passwordRef, @challengeUrl, @subject, @at, @at)
           ON CONFLICT (integration_id) DO UPDATE SET name = excluded.name, ca_type = excluded.ca_type, scep_url = excluded.scep_url,
             username = excluded.username, password_ref = excluded.password_ref, challenge_url = excluded.challenge_url,
             subject = excluded.subject, updated_at = excluded.updated_at`,
        )
        .run({
          integrationId: input.integrationId,
          name: input.name,
          caType: input.caType,
          scepUrl: input.scepUrl,
          username: input.username,
          passwordRef: passwordStored ? account : null,
          challengeUrl: input.challengeUrl ?? null,
          subject: input.subject,
          at,
        });
      this.audit.append({
        actor: this.actor,
        action: existing ? 'certificates.ca-profile-changed' : 'certificates.ca-profile-created',
        target: input.integrationId,
        details: {
          integration: integration.name,
          name: input.name,
          scepUrl: input.scepUrl,
          username: input.username,
          challengeUrl: input.challengeUrl ?? null,
          subject: input.subject,
          passwordChanged: input.password !== undefined,
        },
      });
    })();
    return this.toProfile(this.row(input.integrationId)!);
  }

  /** Internal to main, for the NDES challenge fetch only: must never be exposed via IPC. */
  async connection(integrationId: string): Promise<CaConnection> {
    const integration = await this.integrations.get(integrationId);
    const row = this.row(integrationId);
    if (!row) {
      throw new AppError('CA_PROFILE_NOT_FOUND', `"${integration.name}" has no CA profile yet. Enter the Duo CA details from the Duo Admin Panel first.`, {
        integrationId,
      });
    }
    return { profile: await this.toProfile(row), password: row.password_ref === null ? null : await this.secrets.get(row.password_ref) };
  }

  /** The deletion hook's part (inside the deletion's transaction); the keychain entry goes with the integration's others. */
  forget(integrationId: string): void {
    this.db.prepare('DELETE FROM ca_profiles WHERE integration_id = ?').run(integrationId);
  }

  private row(integrationId: string): CaProfileRow | undefined {
    return this.db.prepare('SELECT * FROM ca_profiles WHERE integration_id = ?').get(integrationId) as CaProfileRow | undefined;
  }

  private async toProfile(row: CaProfileRow): Promise<CaProfile> {
    return {
      integrationId: row.integration_id,
      name: row.name,
      caType: row.ca_type,
      scepUrl: row.scep_url,
      username: row.username,
      hasPassword: row.password_ref !== null && (await this.secrets.has(row.password_ref)),
      challengeUrl: row.challenge_url,
      identity: {
        subject: row.subject,
        keySize: IDENTITY_KEY_SIZE,
        signatureAlgorithm: IDENTITY_SIGNATURE_ALGORITHM,
        keyUsage: IDENTITY_KEY_USAGE,
      },
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }
}
