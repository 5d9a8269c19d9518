import { randomBytes, type KeyObject } from 'node:crypto';
import { AppError } from '../../../src-shared/errors';

interface HeldKey {
  key: KeyObject;
  integrationId: string;
  certificateId: number;
  expiresAt: number;
}

export interface TakenKey {
  key: KeyObject;
  integrationId: string;
  certificateId: number;
}

/** How long a test certificate's key waits for the admin's explicit export before it is dropped. */
export const TEST_KEY_LIFETIME_MS = 10 * 60_000;

/**
 * The private keys of test certificates, in this process's memory only, each under an unguessable handle for a few
 * minutes. Invariant: nothing here writes a key anywhere; a key leaves only through `release`, once, on the admin's
 * explicit export. Expired keys are dropped whenever the vault is touched (no timer keeps a process alive).
 */
export class TestKeyVault {
  private readonly keys = new Map<string, HeldKey>();

  constructor(
    private readonly now: () => Date,
    private readonly lifetimeMs = TEST_KEY_LIFETIME_MS,
  ) {}

  hold(key: KeyObject, owner: { integrationId: string; certificateId: number }): { handle: string; expiresAt: Date } {
    this.dropExpired();
    const handle = randomBytes(24).toString('base64url');
    const expiresAt = this.now().getTime() + this.lifetimeMs;
    this.keys.set(handle, { key, ...owner, expiresAt });
    return { handle, expiresAt: new Date(expiresAt) };
  }

  /**
   * Hands the key to `use` and forgets it once `use` succeeds: a handle works once. If `use` fails (the file exists),
   * the key stays for another try until it expires.
   */
  async release<T>(handle: string, use: (key: TakenKey) => Promise<T>): Promise<T> {
    this.dropExpired();
    const held = this.keys.get(handle);
    if (!held) {
      throw new AppError(
        'TEST_KEY_NOT_FOUND',
        `That test key is no longer held: a test certificate's private key can be exported once, within ${Math.round(this.lifetimeMs / 60_000)} minutes of the test, in the same session. Run Test Configuration again for a new one.`,
      );
    }
    // Out of the vault while in use, so a second export of the same handle cannot run alongside.
    this.keys.delete(handle);
    try {
      return await use({ key: held.key, integrationId: held.integrationId, certificateId: held.certificateId });
    } catch (error) {
      this.keys.set(handle, held);
      throw error;
    }
  }

  /** Drops the keys of an integration's test certificates (its certificates were just invalidated). */
  dropIntegration(integrationId: string): void {
    for (const [handle, held] of this.keys) if (held.integrationId === integrationId) this.keys.delete(handle);
  }

  get size(): number {
    this.dropExpired();
    return this.keys.size;
  }

  private dropExpired(): void {
    const now = this.now().getTime();
    for (const [handle, held] of this.keys) if (held.expiresAt <= now) this.keys.delete(handle);
  }
}
