import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { secretAccount } from '../../../src-main/core/secrets/secret-store';
import type { Envelope, InputOf } from '../../../src-shared/contract';
import { requirePrivateKeyring } from '../../support/keyring';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('tec-ca-profile-');
const secrets = new KeytarSecretStore('Trusted Endpoints Console (CA profile test)');
let core: Core;

beforeAll(() => requirePrivateKeyring());
afterEach(async () => {
  for (const integration of await core.services.integrations.list()) {
    for (const account of await secrets.accounts(secretAccount.integrationPrefix(integration.id))) await secrets.delete(account);
  }
  await core.close();
});

async function open() {
  core = createCore({ dataDir: tempDir(), version: '0.0.0-test', transport: 'web-test-rig', secrets });
  const legacy = await core.services.integrations.create({ name: 'Legacy iOS', platform: 'ios-certs', acknowledgeLegacy: true });
  return legacy.id;
}

function save(input: Partial<InputOf<'certificates.saveProfile'>> & { integrationId: string }): Promise<Envelope<unknown>> {
  return dispatch(
    core.handlers,
    'certificates.saveProfile',
    {
      name: 'Duo CA',
      scepUrl: 'https://ndes.acme.example/certsrv/mscep/mscep.dll',
      username: 'ACME\\svc-ndes',
      subject: 'CN=Duo Trusted Endpoints,O=Acme',
      ...input,
    },
    { signal: new AbortController().signal },
  );
}

function refusal(envelope: Envelope<unknown>) {
  if (envelope.ok) throw new Error('the save was accepted; a refusal was expected');
  return envelope.error;
}

const profileRows = () => (core.services.db.prepare('SELECT COUNT(*) AS n FROM ca_profiles').get() as { n: number }).n;

describe('the CA profile of a legacy certificate integration', () => {
  it('refuses, field by field, what Ivanti would not accept', async () => {
    const integrationId = await open();
    const cases: Array<[Partial<InputOf<'certificates.saveProfile'>>, string, RegExp]> = [
      [{ scepUrl: 'http://ndes.acme.example/certsrv/mscep/mscep.dll' }, 'scepUrl', /must use https/],
      [{ scepUrl: 'ndes.acme.example' }, 'scepUrl', /starting with https/],
      [{ scepUrl: 'https://svc:secret@ndes.acme.example/certsrv/mscep/mscep.dll' }, 'scepUrl', /not in the SCEP URL/],
      [{ challengeUrl: 'ftp://ndes.acme.example/certsrv/mscep_admin/' }, 'challengeUrl', /must start with https/],
      [{ username: 'svc ndes' }, 'username', /no spaces/],
      [{ subject: 'Duo Trusted Endpoints' }, 'subject', /NAME=value/],
      [{ subject: 'CN=' }, 'subject', /has no value/],
      [{ name: '' }, 'name', /Give the CA a name/],
      [{ scepUrl: 'https://:443/certsrv/mscep/mscep.dll' }, 'scepUrl', /no valid host name/],
    ];
    for (const [input, field, message] of cases) {
      const error = refusal(await save({ integrationId, ...input }));
      expect(error.code, field).toBe('VALIDATION_FAILED');
      expect(error.details).toMatchObject({ issues: [expect.objectContaining({ path: field, message: expect.stringMatching(message) })] });
    }
    // What only the SCEP core knows: the attribute names X.509 has, and URLs as it parses them.
    expect(refusal(await save({ integrationId, subject: 'CN=Duo,XYZ=1' }))).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'subject' } });
    expect(refusal(await save({ integrationId, scepUrl: 'https://ndes.acme.example:99999/scep' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'scepUrl' },
    });
    expect(profileRows()).toBe(0);
  });

  it('accepts plain http to this computer only, for a test CA', async () => {
    const integrationId = await open();
    const saved = await save({ integrationId, scepUrl: 'http://127.0.0.1:8080/scep', challengeUrl: 'http://localhost:8081/certsrv/mscep_admin/', password: 'pw' });
    expect(saved).toMatchObject({ ok: true, value: { scepUrl: 'http://127.0.0.1:8080/scep', challengeUrl: 'http://localhost:8081/certsrv/mscep_admin/' } });
  });

  it('exists only for legacy certificate integrations that exist', async () => {
    await open();
    const android = await core.services.integrations.create({ name: 'Android', platform: 'android' });
    expect(refusal(await save({ integrationId: android.id }))).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'integrationId' } });
    expect(refusal(await save({ integrationId: 'no-such-integration' })).code).toBe('INTEGRATION_NOT_FOUND');
    expect(profileRows()).toBe(0);
  });

  it('needs the account\'s password for a challenge URL, and writes nothing without it', async () => {
    const integrationId = await open();
    const error = refusal(await save({ integrationId, challengeUrl: 'https://ndes.acme.example/certsrv/mscep_admin/' }));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'password' } });
    expect(profileRows()).toBe(0);
    expect(await secrets.accounts(secretAccount.integrationPrefix(integrationId))).toEqual([]);
  });

  it('keeps the password in the keychain only: re-entered to change it, omitted to keep it, never answered', async () => {
    const integrationId = await open();
    const challengeUrl = 'https://ndes.acme.example/certsrv/mscep_admin/';
    expect(await core.services.caProfiles.get(integrationId)).toBeNull();
    const first = await save({ integrationId, challengeUrl, password: 'first-Secret' });
    expect(first).toMatchObject({ ok: true, value: { hasPassword: true, challengeUrl, identity: { subject: 'CN=Duo Trusted Endpoints,O=Acme' } } });
    expect(JSON.stringify(first)).not.toContain('first-Secret');
    expect(await secrets.get(secretAccount.caPassword(integrationId))).toBe('first-Secret');

    expect(await save({ integrationId, challengeUrl, name: 'Duo CA (renamed)' })).toMatchObject({ ok: true, value: { name: 'Duo CA (renamed)', hasPassword: true } });
    expect(await secrets.get(secretAccount.caPassword(integrationId))).toBe('first-Secret');
    await save({ integrationId, challengeUrl, password: 'second-Secret' });
    expect(await secrets.get(secretAccount.caPassword(integrationId))).toBe('second-Secret');

    const audit = core.services.audit.list({ limit: 10 }).filter((e) => e.action.startsWith('certificates.ca-profile'));
    expect(audit.map((e) => [e.action, e.details.passwordChanged])).toEqual([
      ['certificates.ca-profile-changed', true],
      ['certificates.ca-profile-changed', false],
      ['certificates.ca-profile-created', true],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/first-Secret|second-Secret/);
    expect(profileRows()).toBe(1);
  });
});
