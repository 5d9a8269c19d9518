import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A loopback stand-in for NDES's /certsrv/mscep_admin/ page. The pages are written here in our own words around the
 * sentences NDES is documented to show (see shared/reference/scep.md), encoded as NDES does: UTF-16LE with a BOM.
 *
 * Authentication: Basic, checked against the configured account; and NTLM with a real handshake on one kept-alive
 * connection (negotiate → challenge → authenticate) whose NTLMv2 proof is verified against the password (MS-NLMP
 * 3.3.2). It is not a Windows server: it checks only what a server needs to accept or refuse the password.
 */

export type NdesPage = 'success' | 'cache-full' | 'no-permission' | 'unrelated';

export const PAGE_PASSWORD = '7C0FFEE1D2B3A495';
export const PAGE_THUMBPRINT = '1A2B3C4D 5E6F7081 92A3B4C5 D6E7F809';

export function ndesPageHtml(page: NdesPage, thumbprint = PAGE_THUMBPRINT): string {
  const head =
    '<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-16"><TITLE>Network Device Enrollment Service</TITLE></HEAD><BODY>\r\n' +
    '<P>Network Device Enrollment Service issues certificates to routers and other network devices over SCEP.</P>\r\n';
  const tail = '</BODY></HTML>\r\n';
  switch (page) {
    case 'success':
      return (
        head +
        `<P> The thumbprint (hash value) for the CA certificate is: <B> ${thumbprint} </B></P>\r\n` +
        `<P> The enrollment challenge password is: <B> ${PAGE_PASSWORD} </B></P>\r\n` +
        '<P> This password can be used only once and will expire within 60 minutes.</P>\r\n' +
        '<P> Every enrollment needs its own password; reload this page for the next one.</P>\r\n' +
        tail
      );
    case 'cache-full':
      return head + '<P> No new password was issued. The password cache is full. Passwords that were handed out stay valid until they are used or expire.</P>\r\n' + tail;
    case 'no-permission':
      return head + '<P> You do not have sufficient permission to enroll with SCEP. Ask the administrator of this server for access.</P>\r\n' + tail;
    case 'unrelated':
      return '<HTML><BODY><H1>Welcome</H1><P>This site is under construction.</P></BODY></HTML>';
  }
}

export function utf16Page(page: NdesPage, thumbprint?: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ndesPageHtml(page, thumbprint), 'utf16le')]);
}

/** MD4 (RFC 1320), for the NT hash: OpenSSL 3 under Node no longer offers it. */
export function md4(input: Buffer): Buffer {
  const total = (((input.length + 8) >>> 6) + 1) * 64;
  const data = Buffer.alloc(total);
  input.copy(data);
  data[input.length] = 0x80;
  data.writeUInt32LE((input.length * 8) >>> 0, total - 8);
  data.writeUInt32LE(Math.floor(input.length / 0x20000000), total - 4);
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  const f = (x: number, y: number, z: number) => (x & y) | (~x & z);
  const g = (x: number, y: number, z: number) => (x & y) | (x & z) | (y & z);
  const h = (x: number, y: number, z: number) => x ^ y ^ z;
  let [a, b, c, d] = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
  for (let offset = 0; offset < total; offset += 64) {
    const x = Array.from({ length: 16 }, (_, i) => data.readUInt32LE(offset + 4 * i));
    const [aa, bb, cc, dd] = [a, b, c, d];
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + f(b, c, d) + x[i]!) | 0, 3);
      d = rotl((d + f(a, b, c) + x[i + 1]!) | 0, 7);
      c = rotl((c + f(d, a, b) + x[i + 2]!) | 0, 11);
      b = rotl((b + f(c, d, a) + x[i + 3]!) | 0, 19);
    }
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + g(b, c, d) + x[i]! + 0x5a827999) | 0, 3);
      d = rotl((d + g(a, b, c) + x[i + 4]! + 0x5a827999) | 0, 5);
      c = rotl((c + g(d, a, b) + x[i + 8]! + 0x5a827999) | 0, 9);
      b = rotl((b + g(c, d, a) + x[i + 12]! + 0x5a827999) | 0, 13);
    }
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + h(b, c, d) + x[i]! + 0x6ed9eba1) | 0, 3);
      d = rotl((d + h(a, b, c) + x[i + 8]! + 0x6ed9eba1) | 0, 9);
      c = rotl((c + h(d, a, b) + x[i + 4]! + 0x6ed9eba1) | 0, 11);
      b = rotl((b + h(c, d, a) + x[i + 12]! + 0x6ed9eba1) | 0, 15);
    }
    [a, b, c, d] = [(a + aa) | 0, (b + bb) | 0, (c + cc) | 0, (d + dd) | 0];
  }
  const out = Buffer.alloc(16);
  [a, b, c, d].forEach((word, i) => out.writeInt32LE(word, 4 * i));
  return out;
}

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const FLAGS = 0x00000001 /* unicode */ | 0x00000200 /* NTLM */ | 0x00080000 /* NTLM2 key */ | 0x00800000; /* target info */

function challengeMessage(serverChallenge: Buffer): Buffer {
  const targetInfo = Buffer.from([0, 0, 0, 0]); // MsvAvEOL only
  const message = Buffer.alloc(48 + targetInfo.length);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(2, 8);
  message.writeUInt16LE(0, 12); // target name: empty
  message.writeUInt16LE(0, 14);
  message.writeUInt32LE(48, 16);
  message.writeUInt32LE(FLAGS, 20);
  serverChallenge.copy(message, 24);
  message.writeUInt16LE(targetInfo.length, 40);
  message.writeUInt16LE(targetInfo.length, 42);
  message.writeUInt32LE(48, 44);
  targetInfo.copy(message, 48);
  return message;
}

function field(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  return message.subarray(offset, offset + length);
}

/** MS-NLMP 3.3.2: NTProofStr = HMAC-MD5(NTOWFv2, serverChallenge ‖ blob). */
function ntlmV2Accepted(authenticate: Buffer, serverChallenge: Buffer, account: NdesAccount): boolean {
  const ntResponse = field(authenticate, 20);
  const domain = field(authenticate, 28).toString('utf16le');
  const user = field(authenticate, 36).toString('utf16le');
  if (user.toLowerCase() !== account.user.toLowerCase() || ntResponse.length < 24) return false;
  const ntOwf = createHmac('md5', md4(Buffer.from(account.password, 'utf16le')))
    .update(Buffer.from(user.toUpperCase() + domain, 'utf16le'))
    .digest();
  const proof = createHmac('md5', ntOwf).update(Buffer.concat([serverChallenge, ntResponse.subarray(16)])).digest();
  return proof.equals(ntResponse.subarray(0, 16));
}

export interface NdesAccount {
  user: string;
  password: string;
}

export interface FakeNdesServer {
  url: string;
  /** What the next authenticated request gets. */
  page: NdesPage;
  /** Page bytes override (UTF-8 variants, damaged pages). */
  body: Buffer | null;
  /** The CA thumbprint the success page shows. */
  thumbprint: string;
  auth: 'basic' | 'ntlm';
  /** Requests seen: the Authorization scheme each carried, and the socket they came on. */
  requests: Array<{ scheme: string | null; socket: number }>;
  close(): Promise<void>;
}

export async function startFakeNdes(account: NdesAccount): Promise<FakeNdesServer> {
  const challenges = new WeakMap<Socket, Buffer>();
  const sockets = new Map<Socket, number>();
  const fake: FakeNdesServer = {
    url: '',
    page: 'success',
    body: null,
    thumbprint: PAGE_THUMBPRINT,
    auth: 'basic',
    requests: [],
    close: async () => undefined,
  };

  const serve = (res: ServerResponse) => {
    const body = fake.body ?? utf16Page(fake.page, fake.thumbprint);
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': body.length });
    res.end(body);
  };
  const refuse = (res: ServerResponse, challenge: string) => {
    res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'text/html', 'content-length': 12 });
    res.end('Unauthorized');
  };

  const server: Server = createServer((req: IncomingMessage, res) => {
    const socket = req.socket;
    if (!sockets.has(socket)) sockets.set(socket, sockets.size + 1);
    const authorization = req.headers.authorization ?? '';
    const [scheme, token] = authorization.split(' ');
    fake.requests.push({ scheme: scheme || null, socket: sockets.get(socket)! });
    req.resume();

    if (fake.auth === 'basic') {
      const expected = Buffer.from(`${account.user}:${account.password}`).toString('base64');
      if (scheme === 'Basic' && token === expected) return serve(res);
      return refuse(res, 'Basic realm="ndes.example.test"');
    }
    if (scheme !== 'NTLM' || !token) return refuse(res, 'NTLM');
    const message = Buffer.from(token, 'base64');
    if (!message.subarray(0, 8).equals(SIGNATURE)) return refuse(res, 'NTLM');
    const type = message.readUInt32LE(8);
    if (type === 1) {
      const serverChallenge = randomBytes(8);
      challenges.set(socket, serverChallenge);
      return refuse(res, `NTLM ${challengeMessage(serverChallenge).toString('base64')}`);
    }
    // NTLM authenticates the connection: an authenticate message on any other socket has no challenge to answer.
    const serverChallenge = challenges.get(socket);
    if (type === 3 && serverChallenge && ntlmV2Accepted(message, serverChallenge, account)) return serve(res);
    return refuse(res, 'NTLM');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  fake.url = `http://127.0.0.1:${address.port}/certsrv/mscep_admin/`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
