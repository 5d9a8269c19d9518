import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Debian's `scepserver` (micromdm/scep 2.1.0, package `scep`) on a free port in a throwaway depot, for tests and the
 * benchmark. It listens on every interface (it has no bind option); everything here talks to 127.0.0.1 only.
 */

export const SCEPSERVER_BIN = process.env.SCEPSERVER_BIN ?? '/usr/bin/scepserver';
export const SCEPCLIENT_BIN = process.env.SCEPCLIENT_BIN ?? '/usr/bin/scepclient';

/**
 * Why the real SCEP server cannot run here, or null when it can. Under CI=true a missing binary is a failure, not a
 * reason to skip: the suite must not go green without having talked to a real CA.
 */
export function scepServerUnavailable(): string | null {
  if (fs.existsSync(SCEPSERVER_BIN)) return null;
  const reason = `${SCEPSERVER_BIN} is not installed (Debian package "scep": apt-get install scep)`;
  if (process.env.CI === 'true') throw new Error(`CI needs the real SCEP server: ${reason}.`);
  return reason;
}

export interface ScepServerOptions {
  /** The challenge password the server enforces. */
  challenge?: string;
  /**
   * Days before expiry from which a subject that already holds a certificate may get another (scepserver -allowrenew;
   * its default 14 refuses a second certificate for a CN that has a fresh one). 0 allows it at any time.
   */
  allowRenewDays?: number;
}

export interface ScepServer {
  /** http://127.0.0.1:PORT/scep */
  url: string;
  port: number;
  depot: string;
  challenge: string;
  caCertificatePem: string;
  /** The CA's key (the depot stores it 3DES-encrypted with an empty password), for tests that forge CA replies. */
  caPrivateKey(): KeyObject;
  /** The server's log so far (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function answersGetCaCaps(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/scep?operation=GetCACaps', timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(child: ChildProcess, port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`scepserver exited during start-up (code ${child.exitCode}):\n${log()}`);
    if (await answersGetCaCaps(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`scepserver did not answer GetCACaps on 127.0.0.1:${port} within 15 s:\n${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startScepServer(options: ScepServerOptions = {}): Promise<ScepServer> {
  const missing = scepServerUnavailable();
  if (missing) throw new Error(missing);
  const challenge = options.challenge ?? 'bench-and-test-challenge';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-scepserver-'));
  const depot = path.join(dir, 'depot');
  const init = spawnSync(SCEPSERVER_BIN, ['ca', '-init', '-depot', depot, '-keySize', '2048'], { encoding: 'utf8' });
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`scepserver ca -init failed (${init.status}): ${init.stdout}${init.stderr}`);
  }

  // The port is free on 127.0.0.1 when picked; another process may still take it before scepserver binds, so a
  // failed start is retried on a new port.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const args = ['-depot', depot, '-port', String(port), '-challenge', challenge];
    if (options.allowRenewDays !== undefined) args.push('-allowrenew', String(options.allowRenewDays));
    const child = spawn(SCEPSERVER_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    const log = () => stderr;
    try {
      await waitUntilReady(child, port, log);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      continue;
    }
    const caCertificatePem = fs.readFileSync(path.join(depot, 'ca.pem'), 'utf8');
    return {
      url: `http://127.0.0.1:${port}/scep`,
      port,
      depot,
      challenge,
      caCertificatePem,
      caPrivateKey: () => createPrivateKey({ key: fs.readFileSync(path.join(depot, 'ca.key')), passphrase: '' }),
      log,
      async stop() {
        await stopChild(child);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
