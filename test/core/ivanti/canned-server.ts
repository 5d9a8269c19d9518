import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './test-certificate';

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface CannedServer {
  port: number;
  /** Every request received, with whether it carried an Authorization header. */
  requests: Array<{ path: string; authorized: boolean }>;
  close(): Promise<void>;
}

/**
 * A loopback server that answers every request with the same canned answer: a captive portal's HTML, a tenant over
 * TLS, an empty spaces list. Plain http unless a certificate is given.
 */
export async function startCannedServer(answer: CannedAnswer, certificate?: TestCertificate): Promise<CannedServer> {
  const requests: CannedServer['requests'] = [];
  const handler: http.RequestListener = (req, res) => {
    requests.push({ path: req.url ?? '', authorized: req.headers.authorization !== undefined });
    res.writeHead(answer.status, { 'Content-Length': Buffer.byteLength(answer.body), ...answer.headers });
    res.end(answer.body);
  };
  const server = certificate ? https.createServer({ cert: certificate.certPem, key: certificate.keyPem }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const SPACES_ENVELOPE = JSON.stringify({
  errors: null,
  result: { searchResults: [{ id: 1, name: 'Default Space', defaultPartition: true, deviceCount: 0 }], totalCount: 1, offset: 0, limit: 100 },
});
