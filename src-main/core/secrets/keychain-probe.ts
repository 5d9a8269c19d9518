import type { KeychainStatus } from '../../../src-shared/contract/app';
import { toErrorPayload } from '../../../src-shared/errors';
import type { SecretStore } from './secret-store';

/** An account nobody stores: looking it up reaches the keychain without reading any secret or asking to unlock one. */
const PROBE_ACCOUNT = 'probe:keychain-answers';

/** Asks the keychain one harmless question; never throws, answers why when the keychain does not answer. */
export async function probeKeychain(secrets: SecretStore): Promise<KeychainStatus> {
  try {
    await secrets.get(PROBE_ACCOUNT);
    return { available: true };
  } catch (error) {
    const { code, message } = toErrorPayload(error);
    return { available: false, code, message };
  }
}
