/**
 * Keychain tests must run inside test/support/with-keyring.sh (a private D-Bus session with a throwaway
 * gnome-keyring), never against the developer's own keychain. Under CI a missing private keyring is a failure.
 */
export function requirePrivateKeyring(): void {
  if (process.env.TEC_PRIVATE_KEYRING !== '1') {
    throw new Error(
      'These tests need the private test keyring: run them through test/support/with-keyring.sh (npm test does). ' +
        'They refuse to touch your own keychain.',
    );
  }
}
