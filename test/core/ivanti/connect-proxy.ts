import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ConnectProxy {
  port: number;
  url: string;
  /** The `host:port` of every CONNECT received. */
  connects: string[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy that understands CONNECT only. Every tunnel goes to 127.0.0.1:`targetPort` whatever host was
 * asked for, standing in for a corporate proxy that resolves names the client cannot. `refuseWith` makes it answer
 * CONNECT with that status instead (407: proxy authentication required).
 */
export async function startConnectProxy(targetPort: number, refuseWith?: number): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    sockets.add(client);
    if (refuseWith) {
      const extra = refuseWith === 407 ? 'Proxy-Authenticate: Basic realm="corp"\r\n' : '';
      client.end(`HTTP/1.1 ${refuseWith} ${http.STATUS_CODES[refuseWith]}\r\n${extra}Content-Length: 0\r\n\r\n`);
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
