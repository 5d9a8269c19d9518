import { useEffect } from 'react';
import { useKeychain } from './keychain-store';

/**
 * Shown across the top when the OS keychain does not answer. Not fatal: everything that needs no password works, and
 * each action that needs one fails with the same reason (SECRET_STORE_UNAVAILABLE).
 */
export function KeychainBanner() {
  const { status, checking, check } = useKeychain();

  useEffect(() => {
    void check();
  }, [check]);

  if (!status || status.available) return null;
  return (
    <section className="keychain-banner" role="status" aria-label="Keychain unavailable">
      <div>
        <strong>The system keychain is not available.</strong> The console keeps Ivanti and CA passwords only there, so
        testing, syncing and saving credentials cannot run until it answers. {status.message}
        <br />
        To fix it: on macOS, unlock the login keychain in Keychain Access; on Windows, check that Credential Manager is
        running; on Linux, start and unlock GNOME Keyring or KWallet. Then check again.
      </div>
      <button type="button" onClick={() => void check()} disabled={checking}>
        {checking ? 'Checking…' : 'Check again'}
      </button>
    </section>
  );
}
