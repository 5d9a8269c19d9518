/**
 * The HTTP layer the Ivanti and Duo clients share: axios over the connection agents (proxy, extra CA), answers taken
 * as text whatever their status, and one request under a deadline that also stops when the caller cancels.
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { LONGEST_ANSWER_BYTES } from './answer-limit';
import type { ConnectionAgents } from './connection-agents';
import { cancelled } from './retry-policy';

export function createApiHttp(origin: string, agents: ConnectionAgents): AxiosInstance {
  return axios.create({
    baseURL: origin,
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    // axios' own proxy handling breaks https through CONNECT proxies; the agent does it.
    proxy: false,
    // A redirect is never part of these APIs: it is a captive portal or a sign-in page, reported as "not JSON".
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxContentLength: LONGEST_ANSWER_BYTES,
  });
}

/** Why a request under a deadline failed: the deadline passed, or the network error axios gave (never the config). */
export class RequestFailed extends Error {
  constructor(
    readonly timedOut: boolean,
    readonly networkError: unknown,
  ) {
    super(timedOut ? 'deadline passed' : 'request failed');
  }
}

/**
 * One exchange under `timeoutMs`, body included. Throws CANCELLED when `signal` aborts, RequestFailed otherwise.
 * One controller per attempt, not AbortSignal.any: a sync passes one long-lived signal to thousands of requests, and
 * the listener here is removed as soon as the attempt ends.
 */
export async function requestWithDeadline(
  http: AxiosInstance,
  config: AxiosRequestConfig,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AxiosResponse<string>> {
  if (signal?.aborted) throw cancelled();
  const attempt = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, timeoutMs);
  const onCancel = () => attempt.abort();
  signal?.addEventListener('abort', onCancel, { once: true });
  try {
    return await http.request<string>({ ...config, signal: attempt.signal });
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw new RequestFailed(timedOut, error);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCancel);
  }
}
