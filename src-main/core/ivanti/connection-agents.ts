import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { AppError } from '../../../src-shared/errors';
import type { IvantiEndpoint } from './ivanti-endpoint';

export type Environment = Record<string, string | undefined>;

/** The sockets the client uses for one endpoint: direct or through the HTTPS proxy the environment names. */
export interface ConnectionAgents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** The proxy in use, without any user:password it may contain (safe to show); null when connecting directly. */
  proxy: string | null;
  destroy(): void;
}

/** Marks an error raised while talking to the proxy itself, so it is reported as a proxy problem, not Ivanti's. */
export class ProxyConnectError extends Error {
  readonly code = 'TEC_PROXY_CONNECT';
  constructor(
    message: string,
    readonly proxyStatus: number | null,
  ) {
    super(message);
  }
}

/**
 * An HttpsProxyAgent that fails loudly: when the proxy refuses the CONNECT (407, 403, 502…) the stock agent replays
 * the proxy's answer as if Ivanti had sent it, which would read as "Ivanti answered 502" and be retried as a server
 * error. Here it becomes a ProxyConnectError naming the proxy's status.
 */
class ReportingProxyAgent extends HttpsProxyAgent<string> {
  readonly #ca: string[] | undefined;

  constructor(proxy: string, ca: string[] | undefined) {
    super(proxy, { keepAlive: true, ca });
    this.#ca = ca;
  }

  override async connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]): Promise<net.Socket> {
    // The constructor's `ca` only reaches the socket to the proxy: HttpsProxyAgent resets `this.options`, so the TLS
    // session with Ivanti inside the tunnel would use Node's default store. Hand it over explicitly.
    if (this.#ca) opts = { ...opts, ca: this.#ca } as typeof opts;
    let status: number | null = null;
    const onProxyConnect = (connect: { statusCode: number }) => {
      status = connect.statusCode;
    };
    req.once('proxyConnect', onProxyConnect);
    let socket: net.Socket;
    try {
      socket = await super.connect(req, opts);
    } catch (error) {
      throw new ProxyConnectError(describeSocketError(error), status);
    } finally {
      req.off('proxyConnect', onProxyConnect);
    }
    if (status !== null && status !== 200) {
      socket.destroy();
      throw new ProxyConnectError(`the proxy answered ${String(status)} to CONNECT`, status);
    }
    return socket;
  }
}

function describeSocketError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
}

/**
 * Builds the agents. Keep-alive matters: a sync fetches thousands of pages from one host.
 *
 * - Proxy: `HTTPS_PROXY`/`https_proxy`, `ALL_PROXY` and `NO_PROXY` through proxy-from-env, applied to https
 *   endpoints only (plain http is loopback-only, which no proxy can reach). axios' built-in proxy support sends
 *   https through an http proxy without CONNECT, so the client sets `proxy: false` and passes this agent instead.
 * - Extra CA certificates (corporate TLS inspection): a PEM file from the `extraCaCerts` option or
 *   `TEC_EXTRA_CA_CERTS`. Node reads `NODE_EXTRA_CA_CERTS` only at process start and a custom `ca` replaces the
 *   default store, so the store is rebuilt as Node's roots + NODE_EXTRA_CA_CERTS + the extra file.
 */
export function createConnectionAgents(endpoint: IvantiEndpoint, env: Environment, extraCaCertsFile?: string): ConnectionAgents {
  const ca = trustedCertificates(env, extraCaCertsFile ?? nonEmpty(env.TEC_EXTRA_CA_CERTS));
  const proxyUrl = endpoint.secure ? proxyFor(endpoint.origin, env) : null;
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent: https.Agent = proxyUrl
    ? (new ReportingProxyAgent(proxyUrl.href, ca) as unknown as https.Agent)
    : new https.Agent({ keepAlive: true, ca });
  return {
    httpAgent,
    httpsAgent,
    proxy: proxyUrl ? withoutCredentials(proxyUrl) : null,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

function proxyFor(origin: string, env: Environment): URL | null {
  const configured = withEnvironment(env, () => getProxyForUrl(origin));
  if (!configured) return null;
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new AppError('IVANTI_PROXY_FAILED', 'The proxy set in HTTPS_PROXY (or ALL_PROXY) is not a valid URL. Fix it, for example http://proxy.example.com:3128.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError(
      'IVANTI_PROXY_FAILED',
      `The proxy ${withoutCredentials(url)} uses ${url.protocol.replace(':', '')}, which the console does not support. Use an http:// or https:// proxy.`,
      { proxy: withoutCredentials(url) },
    );
  }
  return url;
}

/**
 * proxy-from-env reads `process.env` and has no parameter for another environment. The client takes its
 * environment as a dependency (tests, and the CLI passing a sanitised one), so the lookup runs with `process.env`
 * swapped for the duration of this synchronous call, and restored before anything else can run.
 */
function withEnvironment<T>(env: Environment, run: () => T): T {
  if (env === process.env) return run();
  const saved = process.env;
  process.env = env as NodeJS.ProcessEnv;
  try {
    return run();
  } finally {
    process.env = saved;
  }
}

export function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.origin;
}

function trustedCertificates(env: Environment, extraFile: string | undefined): string[] | undefined {
  if (!extraFile) return undefined;
  const nodeExtra = nonEmpty(env.NODE_EXTRA_CA_CERTS);
  const fromNode = nodeExtra && fs.existsSync(nodeExtra) ? readPem(nodeExtra) : [];
  return [...tls.rootCertificates, ...fromNode, ...readPem(extraFile)];
}

function readPem(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AppError('IVANTI_TLS_FAILED', `The extra CA certificates file ${file} cannot be read. Check the path in TEC_EXTRA_CA_CERTS.`, { file });
  }
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certificates.length === 0) {
    throw new AppError('IVANTI_TLS_FAILED', `The extra CA certificates file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`, { file });
  }
  return certificates;
}
