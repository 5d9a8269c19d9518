import { AppError } from '../../../src-shared/errors';
import type { SecretStore } from './secret-store';

type Keytar = typeof import('keytar');

/**
 * The OS keychain through keytar: macOS Keychain, Windows Credential Manager, the Secret Service (gnome-keyring,
 * KWallet) on Linux. keytar is loaded on first use so commands that never touch a secret don't pay for it.
 */
export class KeytarSecretStore implements SecretStore {
  private keytar: Keytar | null = null;

  constructor(private readonly service: string) {}

  async get(account: string): Promise<string | null> {
    return this.call((k) => k.getPassword(this.service, account));
  }

  async set(account: string, secret: string): Promise<void> {
    await this.call((k) => k.setPassword(this.service, account, secret));
  }

  async delete(account: string): Promise<boolean> {
    return this.call((k) => k.deletePassword(this.service, account));
  }

  async has(account: string): Promise<boolean> {
    return (await this.get(account)) !== null;
  }

  async accounts(prefix: string): Promise<string[]> {
    const all = await this.call((k) => k.findCredentials(this.service));
    return all.map((c) => c.account).filter((a) => a.startsWith(prefix));
  }

  private async call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    try {
      this.keytar ??= await loadKeytar();
      return await operation(this.keytar);
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): AppError {
  const text = error instanceof Error ? error.message : String(error);
  // The raw keytar/libsecret text names the D-Bus problem, never a secret, so it is safe to pass along as a detail.
  // libsecret says "Could not connect: No such file or directory" when the session bus it was pointed at is gone.
  const hint = /D-Bus|DBus|dbus|Could not connect/i.test(text)
    ? 'No Secret Service is running in this session (on Linux, start gnome-keyring or KWallet and unlock it).'
    : /collection|locked|unlock/i.test(text)
      ? 'The keychain is locked or has no default collection; unlock it and try again.'
      : 'The operating system keychain did not answer.';
  return new AppError('SECRET_STORE_UNAVAILABLE', `${hint} Credentials are only ever stored in the keychain.`, { reason: text });
}

async function loadKeytar(): Promise<Keytar> {
  const module = (await import('keytar')) as Keytar & { default?: Keytar };
  return module.default ?? module;
}
