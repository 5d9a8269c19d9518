import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts a test double's server on 127.0.0.1 (never another interface) and resolves with its port; 0 picks a free one. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
