/**
 * Where credentials live. The only implementation shipped is the OS keychain (keytar); the interface exists so the
 * backend can change (VS Code moved from keytar to safeStorage behind the same kind of seam).
 *
 * Invariant: a secret read from here goes to the network client that needs it and nowhere else: never into SQLite,
 * a log line, an IPC response, an export or the renderer. Callers learn presence through `has`.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** Returns whether an entry existed. */
  delete(account: string): Promise<boolean>;
  has(account: string): Promise<boolean>;
  /** Accounts under this service whose name starts with `prefix` (names only, never secrets). */
  accounts(prefix: string): Promise<string[]>;
}

export const SECRET_SERVICE_NAME = 'Trusted Endpoints Console';

/** Keychain account names, one per credential of an integration. */
export const secretAccount = {
  ivantiPassword: (integrationId: string) => `integration:${integrationId}:ivanti-password`,
  caPassword: (integrationId: string) => `integration:${integrationId}:ca-password`,
  challengePassword: (integrationId: string) => `integration:${integrationId}:challenge-password`,
  integrationPrefix: (integrationId: string) => `integration:${integrationId}:`,
  /** The Duo Admin API application's secret key (one connection per console). */
  duoSecretKey: () => 'duo:admin-api:secret-key',
  /** The audit log's Ed25519 signing key (PKCS#8 PEM); its private half never leaves the keychain. */
  auditSigningKey: () => 'audit:signing-key',
  /**
   * The latest signed chain head of the database in one data folder (JSON, no secret in it), kept outside the database
   * on purpose. `dataDirId` names the folder (a hash of its real path), so two data folders never share a head.
   */
  auditSignedHead: (dataDirId: string) => `audit:signed-head:${dataDirId}`,
};
