import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { requirePrivateKeyring } from '../../support/keyring';

const SERVICE = `tec-test-${randomUUID()}`;

describe('KeytarSecretStore against the real Secret Service', () => {
  beforeAll(() => requirePrivateKeyring());

  it('stores a secret that the Secret Service itself hands back, and forgets it on delete', async () => {
    const store = new KeytarSecretStore(SERVICE);
    const account = `integration:${randomUUID()}:ivanti-password`;
    await store.set(account, 'Pa55-wörd with spaces');
    expect(await store.get(account)).toBe('Pa55-wörd with spaces');
    expect(await store.has(account)).toBe(true);

    // Read it back through libsecret's own tool, not through keytar: proof it is in the real keyring.
    const viaSecretTool = execFileSync('secret-tool', ['lookup', 'service', SERVICE, 'account', account], { encoding: 'utf8' });
    expect(viaSecretTool).toBe('Pa55-wörd with spaces');

    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
    expect(await store.has(account)).toBe(false);
    expect(await store.delete(account)).toBe(false);
  });

  it('lists account names under a prefix, never the secrets', async () => {
    const store = new KeytarSecretStore(SERVICE);
    const id = randomUUID();
    await store.set(`integration:${id}:ivanti-password`, 'one');
    await store.set(`integration:${id}:ca-password`, 'two');
    await store.set(`integration:${randomUUID()}:ivanti-password`, 'other');
    const names = await store.accounts(`integration:${id}:`);
    expect(names.sort()).toEqual([`integration:${id}:ca-password`, `integration:${id}:ivanti-password`]);
  });
});
