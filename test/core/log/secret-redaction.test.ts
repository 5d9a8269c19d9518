import { describe, expect, it } from 'vitest';
import { isSecretKey, REDACTED, redactSecrets, redactValue } from '../../../src-main/core/log/secret-redaction';

describe('redactSecrets', () => {
  it('hides Basic, Bearer, NTLM and Negotiate credentials but keeps the scheme name', () => {
    const text = [
      'Authorization: Basic YWRtaW5AYWNtZS5jb206aHVudGVyMg==',
      'authorization: Bearer abc.def-ghi',
      'Proxy-Authorization: NTLM TlRMTVNTUAADAAAAGAAYAHAAAAAYABgAiAAAAAAAAABYAAAA',
      'WWW-Authenticate: Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEF',
    ].join('\n');
    const out = redactSecrets(text);
    expect(out).toBe(
      [
        `Authorization: Basic ${REDACTED}`,
        `authorization: Bearer ${REDACTED}`,
        `Proxy-Authorization: NTLM ${REDACTED}`,
        `WWW-Authenticate: Negotiate ${REDACTED}`,
      ].join('\n'),
    );
  });

  it('hides header values inside JSON, as axios errors print them', () => {
    const out = redactSecrets('{"headers":{"Authorization":"Basic dXNlcjpwYXNz","Accept":"application/json"}}');
    expect(out).toContain(`"Authorization":"Basic ${REDACTED}"`);
    expect(out).toContain('"Accept":"application/json"');
    expect(out).not.toContain('dXNlcjpwYXNz');
  });

  it('hides cookies', () => {
    expect(redactSecrets('Cookie: JSESSIONID=0123456789; other=x')).toBe(`Cookie: ${REDACTED}`);
    expect(redactSecrets('set-cookie: SESSION=abc; Path=/; HttpOnly')).toBe(`set-cookie: ${REDACTED}`);
  });

  it('hides passwords and secrets in JSON bodies, inspected objects and query strings', () => {
    const out = redactSecrets(
      [
        '{"email":"api@acme.com","password":"p@ss \\"quoted\\" word","clientSecret":"s3cr3t"}',
        "{ username: 'api', password: 'hunter2', challengePassword: 'CH4LL' }",
        'POST /login?username=api&password=hunter2&next=/home',
        'api_key=AKIA1234; token=abcd',
      ].join('\n'),
    );
    for (const secret of ['p@ss', 'quoted', 's3cr3t', 'hunter2', 'CH4LL', 'AKIA1234', 'abcd']) expect(out).not.toContain(secret);
    expect(out).toContain('"email":"api@acme.com"');
    expect(out).toContain("username: 'api'");
    expect(out).toContain('next=/home');
  });

  it('hides the password in URLs but keeps the user and host', () => {
    expect(redactSecrets('proxy http://svc-proxy:Winter2026!@proxy.acme.local:3128 refused')).toBe(
      `proxy http://svc-proxy:${REDACTED}@proxy.acme.local:3128 refused`,
    );
  });

  it('hides a SCEP challenge given as a value and the one shown on the NDES admin page', () => {
    expect(redactSecrets('challenge=8F3A1C0D2B4E6F70')).toBe(`challenge=${REDACTED}`);
    const page = '<P> The enrollment challenge password is: <B> 8F3A1C0D2B4E6F70 </B> <P> This password can be used only once';
    const out = redactSecrets(page);
    expect(out).not.toContain('8F3A1C0D2B4E6F70');
    expect(out).toContain('This password can be used only once');
  });

  it('keeps values whose key only names a secret: the challenge URL, the token type', () => {
    const text = 'challengeUrl=https://ndes.acme.local/certsrv/mscep_admin/ token_type=Bearer';
    expect(redactSecrets(text)).toBe(text);
  });

  it('hides PEM private keys whole, including a truncated one, and keeps certificates', () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAz\n-----END RSA PRIVATE KEY-----';
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAV2gAwIBAgIU\n-----END CERTIFICATE-----';
    const out = redactSecrets(`${key}\n${cert}\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqh`);
    expect(out).not.toContain('MIIEowIBAAKCAQEAz');
    expect(out).not.toContain('MIIEvQIBADANBgkqh');
    expect(out).toContain(cert);
  });

  it('hides JWTs, bare bearer tokens and Duo configuration keys', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const out = redactSecrets(`got ${jwt}; retried with Bearer zzTOPzz; key DPK0W0KLPJLOGSKHTDD for Android`);
    expect(out).toBe(`got ${REDACTED}; retried with Bearer ${REDACTED}; key DPK${REDACTED} for Android`);
  });

  it('hides a short secret key name in JSON, a password in prose and a bare NTLM, Negotiate or Basic token', () => {
    const out = redactSecrets(
      [
        '{"user":"api","pw":"Tr0ub4dor&3"}',
        'login failed with password hunter2 for api@acme.com',
        "retried with passphrase 'correct horse'",
        'retrying with NTLM TlRMTVNTUAABAAAAB7IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==',
        'then Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1 and Basic YWRtaW46c2VjcmV0',
      ].join('\n'),
    );
    for (const secret of ['Tr0ub4dor', 'hunter2', 'correct horse', 'TlRMTVNTUAAB', 'YIIGhgYJ', 'YWRtaW46']) expect(out).not.toContain(secret);
    expect(out).toContain('"user":"api"');
    expect(out).toContain(`password ${REDACTED} for api@acme.com`);
    expect(out).toContain(`NTLM ${REDACTED}`);
  });

  it('keeps prose about passwords and authentication schemes readable', () => {
    const text = 'The password was rejected; the password is too long. NTLM authentication failed, Negotiate Kerberos next.';
    expect(redactSecrets(text)).toBe(text);
  });

  it('leaves ordinary log text alone', () => {
    const text = 'sync of space Marketing finished: 5000 devices, 12 changed, 0 removed in 4.2 s (Error: none)';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('isSecretKey', () => {
  it.each(['password', 'Password', 'clientSecret', 'api_key', 'X-Api-Key', 'accessToken', 'challenge', 'privateKeyPem', 'Authorization'])(
    'treats %s as secret',
    (key) => expect(isSecretKey(key)).toBe(true),
  );
  it.each(['email', 'username', 'challengeUrl', 'tokenType', 'domain', 'secretRef', 'deviceCount'])('treats %s as harmless', (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
});

describe('redactValue', () => {
  it('replaces values under secret keys at any depth and redacts strings elsewhere', () => {
    const out = redactValue({
      integration: { domain: 'acme.mobileiron.com', credentials: { email: 'a@acme.com', password: 'hunter2' } },
      request: { headers: { authorization: 'Basic xyz', 'content-type': 'json' } },
      note: 'retrying with password=hunter2',
    });
    expect(out).toEqual({
      integration: { domain: 'acme.mobileiron.com', credentials: REDACTED },
      request: { headers: { authorization: REDACTED, 'content-type': 'json' } },
      note: `retrying with password=${REDACTED}`,
    });
  });

  it('turns errors into plain objects with redacted message, stack and cause', () => {
    const cause = new Error('upstream said Authorization: Bearer abc123');
    const error = Object.assign(new Error('login failed for password=hunter2', { cause }), { code: 'IVANTI_AUTH_REJECTED' });
    const out = JSON.stringify(redactValue({ error }));
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('abc123');
    expect(out).toContain('IVANTI_AUTH_REJECTED');
    expect(out).toContain('"stack"');
  });

  it('survives cycles, buffers and bigints', () => {
    const node: Record<string, unknown> = { name: 'loop', size: 10n, body: Buffer.from('secret bytes') };
    node.self = node;
    expect(redactValue(node)).toEqual({ name: 'loop', size: '10', body: '[12 bytes]', self: '[Circular]' });
  });
});
