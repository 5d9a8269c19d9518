import { createServer } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

/**
 * A download mirror on 127.0.0.1 for tests of steps that fetch Electron (or its checksums) from the internet: it
 * answers each path it holds with that file, any other path with `missingStatus` (404 unless told), and remembers
 * every path asked for, in order. Point ELECTRON_MIRROR at `url`.
 */
export interface LoopbackMirror {
  /** `http://127.0.0.1:<port>/`, with the trailing slash @electron/get expects of ELECTRON_MIRROR. */
  url: string;
  /** Request paths in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLoopbackMirror(files: Record<string, Buffer> = {}, missingStatus = 404): Promise<LoopbackMirror> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push(path);
    const body = files[path];
    if (body) response.writeHead(200, { 'content-length': body.length }).end(body);
    else response.writeHead(missingStatus).end();
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** A loopback URL where nothing listens: connections are refused at once, as on a machine without network. */
export async function unreachableMirrorUrl(): Promise<string> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}/`;
}
