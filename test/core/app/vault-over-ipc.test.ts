import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import { SECRET_SERVICE_NAME, secretAccount } from '../../../src-main/core/secrets/secret-store';
import { requirePrivateKeyring } from '../../support/keyring';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir();
const PASSWORD = 'Sup3r-Secret-Ivanti-Pa55';

function keyringLookup(account: string): string | null {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', SECRET_SERVICE_NAME, 'account', account], { encoding: 'utf8' });
  } catch {
    return null;
  }
}

describe('the credential vault seen through the contract', () => {
  beforeAll(() => requirePrivateKeyring());

  it('keeps the password in the real keychain only: not in SQLite, not in any response; gone after deletion', async () => {
    const dataDir = tempDir();
    const core = createCore({ dataDir, version: 'test', transport: 'cli' });
    const signal = new AbortController().signal;
    const responses: string[] = [];
    const call = async (channel: string, input: unknown) => {
      const envelope = await dispatch(core.handlers, channel, input, { signal });
      responses.push(JSON.stringify(envelope));
      return envelope;
    };

    const created = await call('integrations.create', {
      name: 'Vault check',
      platform: 'android',
      domain: 'acmecorp.mobileiron.com',
      email: 'api@acme.example',
      password: PASSWORD,
    });
    expect(created.ok).toBe(true);
    const id = (created as { value: { id: string } }).value.id;
    expect(created).toMatchObject({ ok: true, value: { hasPassword: true } });

    // Every read channel, as the renderer would call them.
    await call('integrations.list', {});
    await call('integrations.get', { id });
    await call('audit.list', { limit: 100 });
    await call('app.info', {});
    await call('integrations.updateApiDetails', { id, domain: 'acmecorp.mobileiron.com', email: 'api@acme.example', password: `${PASSWORD}-2` });
    await call('integrations.get', { id });

    expect(keyringLookup(secretAccount.ivantiPassword(id))).toBe(`${PASSWORD}-2`);
    for (const response of responses) {
      expect(response).not.toContain(PASSWORD);
    }
    core.services.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of fs.readdirSync(dataDir)) {
      const bytes = fs.readFileSync(`${dataDir}/${file}`);
      expect(bytes.includes(Buffer.from(PASSWORD)), `${file} holds the password`).toBe(false);
    }

    const deleted = await call('integrations.delete', { id, confirmName: 'Vault check', purgeDevices: true });
    expect(deleted).toEqual({ ok: true, value: { ok: true } });
    expect(keyringLookup(secretAccount.ivantiPassword(id))).toBeNull();
    expect(await core.services.secrets.accounts(secretAccount.integrationPrefix(id))).toEqual([]);
    await core.close();
  });
});
