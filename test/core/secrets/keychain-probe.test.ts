import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeKeychain } from '../../../src-main/core/secrets/keychain-probe';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { SECRET_SERVICE_NAME } from '../../../src-main/core/secrets/secret-store';

describe('the keychain probe at start-up', () => {
  it('answers available when the Secret Service answers (the private keyring of with-keyring.sh)', async () => {
    expect(await probeKeychain(new KeytarSecretStore(SECRET_SERVICE_NAME))).toEqual({ available: true });
  });

  it('without a Secret Service: the probe says why and how to fix it, and an action that needs a secret says the same', () => {
    // A process of its own: libsecret binds to a session bus once per process.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-no-keychain-'));
    const script = `import { probeKeychain } from './src-main/core/secrets/keychain-probe';
import { createCore } from './src-main/core/app/composition-root';
import { dispatch } from './src-main/core/app/dispatch';
const core = createCore({ dataDir: ${JSON.stringify(dataDir)}, version: 'test', transport: 'cli' });
(async () => {
  const status = await probeKeychain(core.services.secrets);
  const input = { name: 'Android', platform: 'android', domain: 'acme.mobileiron.com', email: 'api@acme.example', password: 'not-stored' };
  const created = await dispatch(core.handlers, 'integrations.create', input, { signal: new AbortController().signal }, { error: () => undefined });
  await core.close();
  console.log(JSON.stringify({ status, created }));
})();`;
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tec-no-bus', DISPLAY: '' };
    try {
      const output = execFileSync(path.resolve('node_modules/.bin/tsx'), ['-e', script], { env, encoding: 'utf8' });
      const fix = /No Secret Service is running in this session \(on Linux, start gnome-keyring or KWallet and unlock it\)/;
      const { status, created } = JSON.parse(output);
      expect(status).toEqual({ available: false, code: 'SECRET_STORE_UNAVAILABLE', message: expect.stringMatching(fix) });
      expect(created).toEqual({ ok: false, error: expect.objectContaining({ code: 'SECRET_STORE_UNAVAILABLE', message: expect.stringMatching(fix) }) });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
