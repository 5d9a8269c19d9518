import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeNdesPage, fetchNdesChallenge, parseNdesChallengePage } from '../../../src-main/core/scep/ndes-challenge';
import { rejectionOf } from '../ivanti/rejection-of';
import { PAGE_PASSWORD, PAGE_THUMBPRINT, md4, ndesPageHtml, startFakeNdes, utf16Page, type FakeNdesServer } from './fake-ndes-server';

const ACCOUNT = { user: 'svc-ndes', password: 'Corr3ct horse!' };

describe('NDES challenge page', () => {
  it('reads the password and CA thumbprint from a UTF-16LE page with a BOM', () => {
    expect(parseNdesChallengePage(utf16Page('success'))).toEqual({
      challengePassword: PAGE_PASSWORD,
      caThumbprint: PAGE_THUMBPRINT.replace(/ /g, ''),
    });
  });

  it('reads the same page re-encoded as UTF-8, with or without a BOM, and as UTF-16 without one', () => {
    const html = ndesPageHtml('success');
    for (const body of [
      Buffer.from(html, 'utf8'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(html, 'utf8')]),
      Buffer.from(html, 'utf16le'),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(html, 'utf16le').swap16()]),
    ]) {
      expect(parseNdesChallengePage(body).challengePassword).toBe(PAGE_PASSWORD);
    }
    expect(decodeNdesPage(Buffer.from(html, 'utf16le'), 'text/html; charset=utf-16')).toBe(html);
  });

  it('turns "the password cache is full" into NDES_CACHE_FULL', () => {
    expect(() => parseNdesChallengePage(utf16Page('cache-full'))).toThrow(expect.objectContaining({ code: 'NDES_CACHE_FULL' }));
  });

  it('turns "you do not have sufficient permission" into NDES_PERMISSION_DENIED', () => {
    expect(() => parseNdesChallengePage(utf16Page('no-permission'))).toThrow(expect.objectContaining({ code: 'NDES_PERMISSION_DENIED' }));
  });

  it('turns any other page into NDES_BAD_PAGE', () => {
    expect(() => parseNdesChallengePage(utf16Page('unrelated'))).toThrow(expect.objectContaining({ code: 'NDES_BAD_PAGE' }));
    const shortPassword = ndesPageHtml('success').replace(PAGE_PASSWORD, 'ABC123');
    expect(() => parseNdesChallengePage(Buffer.from(shortPassword))).toThrow(expect.objectContaining({ code: 'NDES_BAD_PAGE' }));
  });

  it('computes MD4 as RFC 1320 and OpenSSL do, so the fake NTLM server checks passwords correctly', () => {
    expect(md4(Buffer.alloc(0)).toString('hex')).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
    expect(md4(Buffer.from('abc')).toString('hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    const long = Buffer.from('12345678901234567890123456789012345678901234567890123456789012345678901234567890');
    expect(md4(long).toString('hex')).toBe('e33b4ddc9c38f2199c3e7b164fcc0536');
    const openssl = spawnSync('openssl', ['dgst', '-md4', '-provider', 'legacy', '-provider', 'default'], { input: long, encoding: 'utf8' });
    if (openssl.status === 0) expect(openssl.stdout).toContain('e33b4ddc9c38f2199c3e7b164fcc0536');
  });
});

describe('fetching the NDES challenge over loopback HTTP', () => {
  let ndes: FakeNdesServer;
  beforeAll(async () => {
    ndes = await startFakeNdes(ACCOUNT);
  });
  afterAll(async () => ndes?.close());
  afterEach(() => {
    ndes.page = 'success';
    ndes.body = null;
    ndes.auth = 'basic';
    ndes.requests.length = 0;
  });

  const fetchWith = (overrides: Partial<Parameters<typeof fetchNdesChallenge>[0]> = {}) =>
    fetchNdesChallenge({ url: ndes.url, username: ACCOUNT.user, password: ACCOUNT.password, ...overrides });

  it('fetches a fresh challenge with Basic authentication', async () => {
    const challenge = await fetchWith({ auth: 'basic' });
    expect(challenge).toEqual({ challengePassword: PAGE_PASSWORD, caThumbprint: PAGE_THUMBPRINT.replace(/ /g, '') });
    expect(ndes.requests.map((r) => r.scheme)).toEqual(['Basic']);
  });

  it('answers a Basic challenge on its own in auto mode', async () => {
    expect((await fetchWith()).challengePassword).toBe(PAGE_PASSWORD);
    expect(ndes.requests.map((r) => r.scheme)).toEqual([null, 'Basic']);
  });

  it('reports a refused Basic password as NDES_AUTH_FAILED', async () => {
    const error = await rejectionOf(fetchWith({ password: 'wrong', auth: 'basic' }));
    expect(error.code).toBe('NDES_AUTH_FAILED');
    expect(error.message).not.toContain('wrong');
  });

  it('reports the cache-full and permission pages served after a successful login', async () => {
    ndes.page = 'cache-full';
    expect((await rejectionOf(fetchWith())).code).toBe('NDES_CACHE_FULL');
    ndes.page = 'no-permission';
    expect((await rejectionOf(fetchWith())).code).toBe('NDES_PERMISSION_DENIED');
    ndes.page = 'unrelated';
    expect((await rejectionOf(fetchWith())).code).toBe('NDES_BAD_PAGE');
  });

  it('authenticates with an NTLM handshake on one connection, the NTLMv2 proof checked against the password', async () => {
    ndes.auth = 'ntlm';
    const challenge = await fetchWith({ username: `ACME\\${ACCOUNT.user}` });
    expect(challenge.challengePassword).toBe(PAGE_PASSWORD);
    expect(ndes.requests.map((r) => r.scheme)).toEqual([null, 'NTLM', 'NTLM']);
    expect(new Set(ndes.requests.slice(1).map((r) => r.socket)).size).toBe(1);
  });

  it('reports a wrong NTLM password as NDES_AUTH_FAILED', async () => {
    ndes.auth = 'ntlm';
    expect((await rejectionOf(fetchWith({ username: `ACME\\${ACCOUNT.user}`, password: 'not-it' }))).code).toBe('NDES_AUTH_FAILED');
  });

  it('refuses plain http to a host that is not loopback unless allowed', async () => {
    const error = await rejectionOf(fetchWith({ url: 'http://ndes.example.test/certsrv/mscep_admin/' }));
    expect(error.code).toBe('SCEP_INSECURE_URL');
  });

  it('reports an unreachable challenge URL as a network failure', async () => {
    const closed = await startFakeNdes(ACCOUNT);
    const url = closed.url;
    await closed.close();
    expect((await rejectionOf(fetchWith({ url }))).code).toBe('SCEP_NETWORK_FAILED');
  });
});
