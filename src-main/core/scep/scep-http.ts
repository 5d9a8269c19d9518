import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { AppError } from '../../../src-shared/errors';

/**
 * The HTTP the SCEP client needs, as a seam: the default speaks node:http(s) directly (axios alone costs more start-up
 * than the whole enrollment's CPU work), tests and the app may pass their own.
 */
export interface ScepHttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  body?: Buffer;
  contentType?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Larger answers are refused (a SCEP reply is a few kB; a CA/RA bundle rarely more than 20 kB). */
  maxResponseBytes: number;
}

export interface ScepHttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface ScepHttp {
  request(request: ScepHttpRequest): Promise<ScepHttpResponse>;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Parses a SCEP or challenge URL typed by an admin. SCEP protects its messages itself (signed and encrypted), and many
 * NDES servers only speak plain http. Plain http is still refused unless the host is loopback or the admin allowed it
 * for this CA, because the challenge page and Basic credentials travel in clear otherwise.
 */
export function allowedUrl(text: string, allowPlainHttp: boolean, what: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', `"${text}" is not a valid ${what}.`, { field });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') {
    throw new AppError('SCEP_INSECURE_URL', `The ${what} must start with https:// (or http:// where allowed).`, {
      protocol: url.protocol,
    });
  }
  if (!allowPlainHttp && !isLoopbackHost(url.hostname)) {
    throw new AppError(
      'SCEP_INSECURE_URL',
      `The ${what} uses plain http. Use https://, or allow plain http for this CA explicitly if its NDES server only offers http.`,
      { host: url.hostname },
    );
  }
  return url;
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS unavailable)',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the connection was closed while sending',
};

export function networkError(url: URL, error: unknown): AppError {
  const code = (error as { code?: string } | null)?.code ?? '';
  const reason = NETWORK_CODES[code] ?? (/CERT|SSL|TLS/i.test(code) ? 'the TLS certificate was not accepted' : 'the connection failed');
  return new AppError('SCEP_NETWORK_FAILED', `Could not reach ${url.host}: ${reason}.`, { host: url.host, code: code || null }, {
    cause: error,
  });
}

export function timeoutError(url: URL, timeoutMs: number): AppError {
  return new AppError('SCEP_TIMEOUT', `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s.`, {
    host: url.host,
    timeoutMs,
  });
}

export function cancelledError(): AppError {
  return new AppError('CANCELLED', 'The SCEP operation was cancelled.');
}

/** The proxy from http_proxy / https_proxy / no_proxy (process environment), never for loopback. */
async function proxyAgentFor(url: URL): Promise<{ agent?: Agent; httpProxy?: URL }> {
  if (isLoopbackHost(url.hostname)) return {};
  if (!Object.keys(process.env).some((name) => /^(https?|all)_proxy$/i.test(name))) return {};
  const { getProxyForUrl } = await import('proxy-from-env');
  const proxy = getProxyForUrl(url.href);
  if (!proxy) return {};
  const proxyUrl = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
  if (url.protocol === 'http:') return { httpProxy: proxyUrl };
  // Loaded only behind a proxy: it is an ES module with its own dependencies, not worth every start-up.
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  return { agent: new HttpsProxyAgent(proxyUrl) as unknown as Agent };
}

export interface NodeScepHttpOptions {
  /**
   * PEM certificates trusted for https in addition to the system's roots (an internal CA that issued the NDES
   * server's TLS certificate). NODE_EXTRA_CA_CERTS works too, for the whole process.
   */
  extraCaCertificates?: string[];
}

/** node:http(s) with a deadline, cancellation, a size cap and the proxy from the environment. */
export function createNodeScepHttp(options: NodeScepHttpOptions = {}): ScepHttp {
  return {
    async request(request) {
      const { url } = request;
      if (request.signal?.aborted) throw cancelledError();
      const { agent, httpProxy } = await proxyAgentFor(url);
      const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'trusted-endpoints-console-scep' };
      if (request.body) {
        headers['content-type'] = request.contentType ?? 'application/octet-stream';
        // IIS (NDES) does not accept chunked request bodies by default: always send a length.
        headers['content-length'] = String(request.body.length);
      }
      const target: RequestOptions & { ca?: string[] } = httpProxy
        ? { host: httpProxy.hostname, port: httpProxy.port || 80, path: url.href, headers: { ...headers, host: url.host } }
        : { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined, path: `${url.pathname}${url.search}`, headers };
      // node:https (TLS) loads only for https URLs: start-up time is benchmarked, and NDES often speaks plain http.
      const send = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
      if (url.protocol === 'https:' && options.extraCaCertificates?.length) {
        // `ca` replaces Node's root store, so the system roots are passed along with the extra ones.
        const { rootCertificates } = await import('node:tls');
        target.ca = [...rootCertificates, ...options.extraCaCertificates];
      }

      return await new Promise<ScepHttpResponse>((resolve, reject) => {
        let settled = false;
        const finish = (error: AppError | null, response?: ScepHttpResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          if (error) {
            req.destroy();
            reject(error);
          } else resolve(response!);
        };
        const onAbort = () => finish(cancelledError());
        const timer = setTimeout(() => finish(timeoutError(url, request.timeoutMs)), request.timeoutMs);
        request.signal?.addEventListener('abort', onAbort, { once: true });

        // agent: false when direct: one connection per request, so a CLI run exits as soon as it is done.
        const req = send({ ...target, method: request.method, agent: agent ?? false }, (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > request.maxResponseBytes) {
              finish(
                new AppError('SCEP_BAD_RESPONSE', `${url.host} sent more than ${request.maxResponseBytes} bytes; that is not a SCEP answer.`, {
                  host: url.host,
                }),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            finish(null, { status: res.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks) });
          });
          res.on('error', (error) => finish(networkError(url, error)));
        });
        req.on('error', (error) => finish(networkError(url, error)));
        req.end(request.body);
      });
    },
  };
}
