/**
 * Duo's HMAC request signing (../shared/reference/duo-admin-api.md §1), written from the documented canonical request
 * rather than taken from the official SDK: @duosecurity/duo_api 1.5.0 has no proxy, timeout or CA option (§2).
 *
 * Canonical request, one line each: Date header text, method upper-case, API host lower-case, path, the parameters
 * (`key=value` sorted by key, every byte but `A-Za-z0-9_.~-` as upper-case %XX), then for v5 the lower-hex SHA-512 of
 * the body and of the extra `X-Duo-*` headers (none are sent here, so SHA-512 of ""). The signature is the lower-hex
 * HMAC-SHA512 of that text keyed with the secret key; Authorization is Basic ikey:signature.
 */
import { createHash, createHmac } from 'node:crypto';

export type DuoParams = ReadonlyArray<readonly [string, string]>;

export interface DuoRequestToSign {
  method: string;
  host: string;
  path: string;
  params: DuoParams;
  /** The exact `Date` header text. */
  date: string;
  /** v5 only: the raw body ("" for GET). */
  body?: string;
}

/** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes, upper-case hex. */
export function encodeDuoComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorted by raw key, UTF-16 code unit order (a key that is a prefix of another sorts first); repeated keys keep their order. */
export function canonicalParams(params: DuoParams): string {
  return [...params]
    .map((pair, index) => ({ pair, index }))
    .sort((a, b) => (a.pair[0] < b.pair[0] ? -1 : a.pair[0] > b.pair[0] ? 1 : a.index - b.index))
    .map(({ pair: [key, value] }) => `${encodeDuoComponent(key)}=${encodeDuoComponent(value)}`)
    .join('&');
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

export function canonicalRequestV5(request: DuoRequestToSign): string {
  return [
    request.date,
    request.method.toUpperCase(),
    request.host.toLowerCase(),
    request.path,
    canonicalParams(request.params),
    sha512Hex(request.body ?? ''),
    sha512Hex(''),
  ].join('\n');
}

/** v2: the first five lines only. The console sends v5; v2 exists for the published vectors. */
export function canonicalRequestV2(request: DuoRequestToSign): string {
  return [request.date, request.method.toUpperCase(), request.host.toLowerCase(), request.path, canonicalParams(request.params)].join('\n');
}

export function signDuoRequest(secretKey: string, request: DuoRequestToSign, version: 2 | 5 = 5): string {
  const canonical = version === 5 ? canonicalRequestV5(request) : canonicalRequestV2(request);
  return createHmac('sha512', secretKey).update(canonical, 'utf8').digest('hex');
}

export function duoAuthorization(integrationKey: string, signature: string): string {
  return `Basic ${Buffer.from(`${integrationKey}:${signature}`, 'utf8').toString('base64')}`;
}

/**
 * RFC 2822 date as Python's client sends it (`Tue, 21 Aug 2012 17:29:18 -0000`): English names whatever the locale
 * (a German day name gave 40104 [issue I-TS #32]).
 */
export function duoDate(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace(/GMT$/, '-0000');
}
