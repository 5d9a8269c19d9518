import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/cli-io';
import { pemToDer } from '../../src-main/core/scep/pem';
import { scepServerUnavailable, startScepServer, type ScepServer } from '../support/scep-server';
import { PAGE_PASSWORD, startFakeNdes, type FakeNdesServer } from '../core/scep/fake-ndes-server';
import { runTec } from './cli-harness';

const unavailable = scepServerUnavailable();
const NDES_ACCOUNT = { user: 'svc-ndes', password: 'Ndes-Pa55' };

let server: ScepServer;
let ndes: FakeNdesServer;
let dir: string;

const tec = (args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) => runTec(['scep', ...args], options);

const subject = (label: string) => `CN=${label}-${Math.random().toString(36).slice(2, 8)},O=Acme`;

describe.skipIf(unavailable)(`tec scep${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    // The server's challenge is the one the fake NDES page hands out, so --challenge-url can enroll end to end.
    server = await startScepServer({ challenge: PAGE_PASSWORD });
    ndes = await startFakeNdes(NDES_ACCOUNT);
    ndes.thumbprint = createHash('sha1').update(pemToDer(server.caCertificatePem)).digest('hex').toUpperCase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-scep-cli-'));
  });
  afterAll(async () => {
    await ndes?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('caps --json prints the capabilities as one JSON document', async () => {
    const run = await tec(['caps', '--url', server.url, '--json']);
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, caps: { postPkiOperation: true, renewal: true } });
  });

  it('cacert --out writes the CA certificates as PEM and names their roles', async () => {
    const file = path.join(dir, 'ca.pem');
    const run = await tec(['cacert', '--url', server.url, '--out', file, '--json']);
    expect(run.code).toBe(EXIT.ok);
    const doc = JSON.parse(run.stdout);
    expect(doc.certificates).toHaveLength(1);
    expect(doc.certificates[0].roles).toEqual(['encryption', 'signature', 'issuing CA']);
    expect(pemToDer(fs.readFileSync(file, 'utf8')).equals(pemToDer(server.caCertificatePem))).toBe(true);
  });

  it('enroll with TEC_SCEP_CHALLENGE writes a certificate that verifies and a private key readable only by the owner', async () => {
    const cert = path.join(dir, 'device.pem');
    const key = path.join(dir, 'device.key');
    const run = await tec(['enroll', '--url', server.url, '--subject', subject('cli'), '--out-cert', cert, '--out-key', key], {
      env: { TEC_SCEP_CHALLENGE: PAGE_PASSWORD },
    });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const issued = new X509Certificate(fs.readFileSync(cert));
    expect(issued.verify(new X509Certificate(server.caCertificatePem).publicKey)).toBe(true);
    expect(issued.checkPrivateKey(createPrivateKey(fs.readFileSync(key)))).toBe(true);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(run.stdout).toContain('Certificate issued:');
    expect(run.stdout).not.toContain('PRIVATE KEY');
  });

  it('enroll never writes the key over an existing file, and says so before using the challenge', async () => {
    const key = path.join(dir, 'existing.key');
    fs.writeFileSync(key, 'keep me');
    const run = await tec(['enroll', '--url', server.url, '--subject', subject('exists'), '--out-key', key], {
      env: { TEC_SCEP_CHALLENGE: PAGE_PASSWORD },
    });
    expect(run.code).toBe(EXIT.usage);
    expect(fs.readFileSync(key, 'utf8')).toBe('keep me');
  });

  it('enroll --challenge-stdin with a wrong challenge exits 4 with SCEP_CHALLENGE_REJECTED', async () => {
    const run = await tec(['enroll', '--url', server.url, '--subject', subject('wrong'), '--challenge-stdin', '--json'], {
      stdin: 'WRONG-CHALLENGE\n',
    });
    expect(run.code).toBe(EXIT.denied);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'SCEP_CHALLENGE_REJECTED' } });
    expect(run.stderr).toContain('SCEP_CHALLENGE_REJECTED');
  });

  it('enroll --challenge-url fetches a fresh NDES challenge (password on stdin) and checks the CA thumbprint', async () => {
    const run = await tec(
      ['enroll', '--url', server.url, '--subject', subject('ndes'), '--challenge-url', ndes.url, '--ndes-user', NDES_ACCOUNT.user, '--json'],
      { stdin: `${NDES_ACCOUNT.password}\n` },
    );
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const doc = JSON.parse(run.stdout);
    expect(new X509Certificate(doc.certificatePem).verify(new X509Certificate(server.caCertificatePem).publicKey)).toBe(true);
    expect(doc.files).toEqual({ certificate: null, privateKey: null });
    expect(run.stdout).not.toContain(PAGE_PASSWORD);
  });

  it('enroll --challenge-url with a refused NDES password exits 4 with NDES_AUTH_FAILED', async () => {
    const run = await tec(
      ['enroll', '--url', server.url, '--subject', subject('ndes-bad'), '--challenge-url', ndes.url, '--ndes-user', NDES_ACCOUNT.user],
      { env: { TEC_NDES_PASSWORD: 'not-the-password' } },
    );
    expect(run.code).toBe(EXIT.denied);
    expect(run.stderr).toContain('NDES_AUTH_FAILED');
  });

  it('explains usage errors with exit code 2', async () => {
    for (const args of [
      ['enroll', '--url', server.url, '--subject', 'CN=x'],
      ['enroll', '--url', server.url],
      ['enroll', '--url', server.url, '--subject', 'CN=x', '--challenge-stdin', '--challenge-url', ndes.url],
      ['enroll', '--url', server.url, '--subject', 'device-without-attribute', '--challenge-stdin'],
      ['caps'],
      ['caps', '--url', server.url, '--timeout', 'soon'],
      ['caps', '--url', server.url, '--unknown'],
      ['renew'],
    ]) {
      const run = await tec(args, { stdin: 'x\n' });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(EXIT.usage);
      expect(run.stderr).toMatch(/^tec: VALIDATION_FAILED: /);
    }
  });

  it('reports an unreachable SCEP URL as a network failure (exit 5)', async () => {
    const run = await tec(['caps', '--url', 'http://127.0.0.1:1/scep']);
    expect(run.code).toBe(EXIT.network);
    expect(run.stderr).toContain('SCEP_NETWORK_FAILED');
  });
});
