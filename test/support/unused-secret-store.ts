import type { SecretStore } from '../../src-main/core/secrets/secret-store';

/**
 * For tests of transports and dispatch that must never reach the keychain: reads answer "nothing stored", writes
 * fail loudly. Keychain behaviour itself is tested against the real Secret Service (test/core/secrets).
 */
export const unusedSecretStore: SecretStore = {
  get: async () => null,
  set: () => Promise.reject(new Error('this test must not store secrets')),
  delete: async () => false,
  has: async () => false,
  accounts: async () => [],
};
