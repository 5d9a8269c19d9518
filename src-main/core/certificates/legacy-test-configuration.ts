import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CancelSignal } from '../../../src-shared/contract';
import type { LegacyTestResult, LegacyTestStage } from '../../../src-shared/contract/certificates';
import { AppError } from '../../../src-shared/errors';
import type { AuditLog } from '../audit/audit-log';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import { fetchNdesChallenge } from '../scep/ndes-challenge';
import { ScepClient, type ScepClientOptions } from '../scep/scep-client';
import { cancelledError } from '../scep/scep-http';
import type { CaProfileService } from './ca-profile-service';
import type { CertificateInventory } from './certificate-inventory';
import type { TestKeyVault } from './legacy-test-keys';

export interface LegacyTestDeps {
  db: Db;
  profiles: CaProfileService;
  inventory: CertificateInventory;
  keys: TestKeyVault;
  audit: AuditLog;
  events: EventBus;
  actor: string;
  /** Transport, timeouts and PENDING polling of the SCEP client (tests shorten the polling). */
  scep?: Pick<ScepClientOptions, 'http' | 'timeoutMs' | 'pendingPoll'>;
  /** Per request to the challenge URL. Default 30 s. */
  ndesTimeoutMs?: number;
}

export interface LegacyTestRequest {
  integrationId: string;
  challengePassword?: string;
  testRunId?: string;
}

/**
 * Test Configuration of the legacy flow, as Ivanti runs it when the admin saves the identity certificate
 * configuration: a fresh single-use challenge from the challenge URL (or the one the admin typed, which is used once
 * and never stored), one certificate enrolled over SCEP with the identity configuration, and its details. Only a
 * certificate that was issued, verified and decrypted is recorded; any failure records nothing.
 *
 * The test certificate's private key stays in memory (TestKeyVault) until the admin exports it or it expires.
 */
export class LegacyTestConfiguration {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: LegacyTestDeps) {}

  async run(request: LegacyTestRequest, callerSignal: CancelSignal): Promise<LegacyTestResult> {
    const testRunId = request.testRunId ?? randomUUID();
    if (this.running.has(testRunId)) {
      throw new AppError('CONFLICT', 'A Test Configuration with this id is already running.', { field: 'testRunId' });
    }
    // One signal for both ways to stop: the caller going away, and certificates.cancelTest.
    const controller = new AbortController();
    const abort = () => controller.abort();
    callerSignal.addEventListener('abort', abort, { once: true });
    if (callerSignal.aborted) controller.abort();
    this.running.set(testRunId, controller);
    const progress = (stage: LegacyTestStage, message: string) =>
      this.deps.events.emit('certificates.testProgress', { testRunId, integrationId: request.integrationId, stage, message });
    try {
      return await this.enrollAndRecord(request, controller.signal, progress);
    } finally {
      callerSignal.removeEventListener('abort', abort);
      this.running.delete(testRunId);
    }
  }

  /** Stops a running test; a test that already finished (or never ran) is not an error. */
  cancel(testRunId: string): void {
    this.running.get(testRunId)?.abort();
  }

  /**
   * The admin's explicit export of a test certificate's private key: answered as PEM (to show once), or written to an
   * absolute path of their choosing with mode 0600, never over an existing file. Nothing else ever writes the key.
   */
  async exportKey(keyHandle: string, destination: string | undefined): Promise<{ pem: string | null; path: string | null }> {
    if (destination !== undefined && !path.isAbsolute(destination)) {
      throw new AppError('VALIDATION_FAILED', 'Give the full path of the file to write, for example /home/me/test-key.pem.', { field: 'path' });
    }
    return this.deps.keys.release(keyHandle, async ({ key, integrationId, certificateId }) => {
      const pem = key.export({ format: 'pem', type: 'pkcs8' }) as string;
      if (destination !== undefined) await writeKeyFile(destination, pem);
      this.deps.audit.append({
        actor: this.deps.actor,
        action: 'certificates.test-key-exported',
        target: integrationId,
        details: { certificateId, to: destination === undefined ? 'screen' : 'file', ...(destination === undefined ? {} : { path: destination }) },
      });
      return destination === undefined ? { pem, path: null } : { pem: null, path: destination };
    });
  }

  private async enrollAndRecord(
    request: LegacyTestRequest,
    signal: AbortSignal,
    progress: (stage: LegacyTestStage, message: string) => void,
  ): Promise<LegacyTestResult> {
    const { profile, password } = await this.deps.profiles.connection(request.integrationId);
    let challenge: { password: string; caThumbprint?: string; source: LegacyTestResult['challengeSource'] };
    if (profile.challengeUrl !== null) {
      if (request.challengePassword !== undefined) {
        throw new AppError('VALIDATION_FAILED', 'This CA profile fetches a fresh challenge from its challenge URL; leave the challenge password empty.', {
          field: 'challengePassword',
        });
      }
      if (password === null) {
        throw new AppError('CREDENTIALS_MISSING', 'The CA password is not in the keychain. Re-enter it in the CA profile, then test again.', {
          integrationId: request.integrationId,
        });
      }
      progress('challenge', `Fetching a one-time challenge password from ${new URL(profile.challengeUrl).host}…`);
      const fetched = await fetchNdesChallenge({
        url: profile.challengeUrl,
        username: profile.username,
        password,
        signal,
        timeoutMs: this.deps.ndesTimeoutMs,
      });
      challenge = { password: fetched.challengePassword, caThumbprint: fetched.caThumbprint ?? undefined, source: 'challenge-url' };
    } else {
      if (request.challengePassword === undefined) {
        throw new AppError(
          'VALIDATION_FAILED',
          'This CA profile has no challenge URL: enter a challenge password from the CA for this test. It is used once and not stored.',
          { field: 'challengePassword' },
        );
      }
      challenge = { password: request.challengePassword, source: 'typed' };
    }

    progress('enroll', `Requesting a test certificate for ${profile.identity.subject} from ${new URL(profile.scepUrl).host}…`);
    const client = new ScepClient({ url: profile.scepUrl, ...this.deps.scep });
    const issued = await client.enroll({
      subject: profile.identity.subject,
      challengePassword: challenge.password,
      keyUsage: profile.identity.keyUsage,
      caThumbprint: challenge.caThumbprint,
      signal,
      onPending: ({ attempt }) => progress('pending', `The CA holds the request for manual approval; checking again (${attempt})…`),
    });
    // Cancelled while the last answer was on its way: the admin asked for nothing to be recorded.
    if (signal.aborted) throw cancelledError();

    progress('record', 'Recording the test certificate…');
    const certificate = this.deps.db.transaction(() => {
      const recorded = this.deps.inventory.record({
        integrationId: request.integrationId,
        purpose: 'test',
        der: issued.certificate,
        summary: issued.summary,
      });
      this.deps.audit.append({
        actor: this.deps.actor,
        action: 'certificates.test-certificate-issued',
        target: request.integrationId,
        details: {
          certificateId: recorded.id,
          subject: recorded.subject,
          issuer: recorded.issuer,
          serialNumber: recorded.serialNumber,
          sha256Fingerprint: recorded.sha256Fingerprint,
          challengeSource: challenge.source,
        },
      });
      return recorded;
    })();
    const held = this.deps.keys.hold(issued.privateKey, { integrationId: request.integrationId, certificateId: certificate.id });
    return {
      certificate,
      certificatePem: issued.certificatePem,
      keyUsage: issued.summary.keyUsage,
      challengeSource: challenge.source,
      algorithms: { cipher: issued.algorithms.cipher, digest: issued.algorithms.digest },
      keyHandle: held.handle,
      keyExpiresAt: held.expiresAt.toISOString(),
    };
  }
}

async function writeKeyFile(file: string, pem: string): Promise<void> {
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new AppError('VALIDATION_FAILED', `${file} already exists; the key is never written over an existing file.`, { field: 'path' });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('VALIDATION_FAILED', `The folder of ${file} does not exist.`, { field: 'path' });
    }
    throw new AppError('EXPORT_FAILED', `The key could not be written to ${file} (${code ?? 'write failed'}).`, { path: file });
  }
}
