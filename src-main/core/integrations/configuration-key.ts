import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Trusted Endpoints configuration key: DPK + 16 upper-case alphanumerics drawn from the OS CSPRNG. */
export function generateConfigurationKey(isTaken: (key: string) => boolean = () => false): string {
  for (;;) {
    let key = 'DPK';
    for (let i = 0; i < 16; i += 1) key += ALPHABET[randomInt(ALPHABET.length)];
    if (!isTaken(key)) return key;
  }
}
