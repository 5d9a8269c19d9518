/**
 * WEB TEST RIG: a test and development tool, not a product mode. It serves the built renderer and the very same
 * contract handlers the Electron app uses over HTTP on 127.0.0.1, so the real UI runs in a real Chromium (Playwright)
 * against real services on machines where the Electron binary cannot run. It binds to loopback only, on a random
 * port, and refuses every request without this run's random token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Core } from '../../src-main/core/app/composition-root';
import { dispatch } from '../../src-main/core/app/dispatch';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security-policy';
import { AppError } from '../../src-shared/errors';

export interface RigOptions {
  core: Core;
  /** The electron-vite renderer build (out/renderer). */
  rendererDir: string;
  port?: number;
}

export interface Rig {
  /** URL to open once; it sets the token cookie and redirects to the app. */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const TOKEN_COOKIE = 'tec_rig_token';
const BRIDGE_FILE = path.join(__dirname, 'browser-bridge.js');
const MAX_BODY = 4 * 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export async function startRig(options: RigOptions): Promise<Rig> {
  const token = randomBytes(24).toString('hex');
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`No renderer build at ${rendererDir}: run "npx electron-vite build" first.`);
  }
  let origin = '';
  const streams = new Set<http.ServerResponse>();
  const unsubscribe = options.core.events.subscribe((name, payload) => {
    const frame = `event: message\ndata: ${JSON.stringify({ name, payload })}\n\n`;
    for (const res of streams) res.write(frame);
  });

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'rig failure');
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathname = decodedPath(url.pathname);
    if (pathname === null) return send(res, 400, 'text/plain', 'bad %-escape in the path');
    if (url.pathname === '/__rig/enter') {
      if (!tokenMatches(url.searchParams.get('token'), token)) return send(res, 403, 'text/plain', 'missing or wrong rig token');
      res.writeHead(302, { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: '/' });
      return void res.end();
    }
    if (!tokenMatches(cookieToken(req) ?? headerToken(req), token)) {
      return send(res, 403, 'application/json', JSON.stringify({ ok: false, error: new AppError('RIG_UNAUTHORIZED', 'This test rig needs its token.').toPayload() }));
    }
    // The cookie is SameSite=Strict, but every port of 127.0.0.1 is the same site: another local page could POST with
    // it. A browser always sends Origin on a cross-origin POST, so a foreign Origin is refused before anything runs.
    if (!SAFE_METHODS.has(req.method ?? 'GET') && req.headers.origin !== undefined && req.headers.origin !== origin) {
      return send(res, 403, 'application/json', JSON.stringify({ ok: false, error: new AppError('RIG_UNAUTHORIZED', `This test rig takes calls from its own page only, not from ${req.headers.origin.slice(0, 100)}.`).toPayload() }));
    }
    if (pathname.startsWith('/__rig/invoke/') && req.method === 'POST') {
      const channel = pathname.slice('/__rig/invoke/'.length);
      const body = await readBody(req);
      let input: unknown;
      try {
        input = body.length === 0 ? undefined : JSON.parse(body);
      } catch {
        return send(res, 200, 'application/json', JSON.stringify({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'The request body was not JSON.' } }));
      }
      const controller = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) controller.abort();
      });
      const envelope = await dispatch(options.core.handlers, channel, input, { signal: controller.signal });
      return send(res, 200, 'application/json', JSON.stringify(envelope));
    }
    if (pathname === '/__rig/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (pathname === '/__rig/bridge.js') return sendFile(res, BRIDGE_FILE);
    const relative = pathname === '/' ? '/index.html' : pathname;
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + path.sep)) return send(res, 404, 'text/plain', 'not found');
    if (relative === '/index.html') return sendIndex(res, file);
    return sendFile(res, file);
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/__rig/enter?token=${token}`,
    origin,
    token,
    close: async () => {
      unsubscribe();
      for (const res of streams) res.end();
      // A browser still open on the rig keeps idle keep-alive sockets; close() alone would wait for them forever.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function sendIndex(res: http.ServerResponse, file: string): void {
  // The bridge must define window.api before the app's module script runs: a classic script placed first does.
  const html = fs.readFileSync(file, 'utf8').replace('<head>', '<head>\n    <script src="/__rig/bridge.js"></script>');
  send(res, 200, TYPES['.html'], html);
}

function sendFile(res: http.ServerResponse, file: string): void {
  fs.readFile(file, (error, data) => {
    if (error) return send(res, 404, 'text/plain', 'not found');
    send(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', data);
  });
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function cookieToken(req: http.IncomingMessage): string | null {
  const cookie = req.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${TOKEN_COOKIE}=([0-9a-f]+)`).exec(cookie);
  return match?.[1] ?? null;
}

function headerToken(req: http.IncomingMessage): string | null {
  const value = req.headers['x-rig-token'];
  return typeof value === 'string' ? value : null;
}

/** Compared as bytes: a non-ASCII candidate with as many characters as the token has more bytes, and is refused. */
function tokenMatches(candidate: string | null, token: string): boolean {
  if (candidate === null) return false;
  const given = Buffer.from(candidate);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The request path decoded, or null when a %-escape is malformed (a client error, not the rig's). */
function decodedPath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}
