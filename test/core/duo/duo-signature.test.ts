import { describe, expect, it } from 'vitest';
import {
  canonicalParams,
  duoAuthorization,
  duoDate,
  signDuoRequest,
  type DuoParams,
} from '../../../src-main/core/duo/duo-signature';

const DATE = 'Tue, 21 Aug 2012 17:29:18 -0000';

/** Basic ikey:signature, as the SDK's tests print it. */
function authorization(ikey: string, skey: string, version: 2 | 5, params: DuoParams, body?: string): string {
  return duoAuthorization(ikey, signDuoRequest(skey, { method: 'POST', host: 'test.duosecurity.com', path: '/test/v1', params, date: DATE, body }, version));
}

describe('Duo request signature', () => {
  // Vectors copied from tests/duo_sig.js of the npm package @duosecurity/duo_api 1.5.0 ("Query Parameter Checks"
  // and "Signature Checks"); the package itself is not a dependency.
  describe('published vectors of @duosecurity/duo_api 1.5.0 tests/duo_sig.js', () => {
    it('encodes and sorts parameters as the SDK does', () => {
      expect(canonicalParams([])).toBe('');
      expect(canonicalParams([['realname', 'First Last']])).toBe('realname=First%20Last');
      expect(canonicalParams([['username', 'root'], ['realname', 'First Last']])).toBe('realname=First%20Last&username=root');
      expect(
        canonicalParams([
          ['digits', '0123456789'],
          ['letters', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'],
          ['punctuation', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
          ['whitespace', '\t\n\x0b\x0c\r '],
        ]),
      ).toBe(
        'digits=0123456789&letters=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ&punctuation=%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~&whitespace=%09%0A%0B%0C%0D%20',
      );
      expect(
        canonicalParams([
          ['bar', '\u2815\uaaa3\u37cf\u4bb7\u36e9\ucc05\u668e\u8162\uc2bd\ua1f1'],
          ['baz', '\u0df3\u84bd\u5669\u9985\ub8a4\uac3a\u7be7\u6f69\u934a\ub91c'],
          ['foo', '\ud4ce\ud6d6\u7938\u50c0\u8a20\u8f15\ufd0b\u8024\u5cb3\uc655'],
          ['qux', '\u8b97\uc846-\u828e\u831a\uccca\ua2d4\u8c3e\ub8b2\u99be'],
        ]),
      ).toBe(
        'bar=%E2%A0%95%EA%AA%A3%E3%9F%8F%E4%AE%B7%E3%9B%A9%EC%B0%85%E6%9A%8E%E8%85%A2%EC%8A%BD%EA%87%B1&baz=%E0%B7%B3%E8%92%BD%E5%99%A9%E9%A6%85%EB%A2%A4%EA%B0%BA%E7%AF%A7%E6%BD%A9%E9%8D%8A%EB%A4%9C&foo=%ED%93%8E%ED%9B%96%E7%A4%B8%E5%83%80%E8%A8%A0%E8%BC%95%EF%B4%8B%E8%80%A4%E5%B2%B3%EC%99%95&qux=%E8%AE%97%EC%A1%86-%E8%8A%8E%E8%8C%9A%EC%B3%8A%EA%8B%94%E8%B0%BE%EB%A2%B2%E9%A6%BE',
      );
      expect(canonicalParams([['foo_bar', '2'], ['foo', '1']])).toBe('foo=1&foo_bar=2');
      expect(canonicalParams([['ip_whitelist_enroll_policy', '2'], ['ip_whitelist', '1']])).toBe('ip_whitelist=1&ip_whitelist_enroll_policy=2');
    });

    it('signs v2 (HMAC-SHA512) like the SDK', () => {
      expect(authorization('test_ikey', 'test_skey', 2, [['realname', 'First Last'], ['username', 'root']])).toBe(
        'Basic dGVzdF9pa2V5OjA0MmEzMGM2ODJiZDgzNmZjNWJhNDY3ODkxYTk1NmVhYTEwMDkxY2EwZjczYTdmYjM5NmFlZmQ1NmEzNTI5ZTU2OTMyZGVhNDI3YTY3MjEzYWY2NjRiYTY4NDE2ODlmZjIzMzZiN2EzNzM3NjZlYTVhYjdhYjlmZTI2MzgyMjZi',
      );
    });

    it('signs v5 with a JSON body like the SDK', () => {
      expect(authorization('test_ikey', 'test_skey', 5, [], JSON.stringify({ realname: 'First Last', username: 'root' }))).toBe(
        'Basic dGVzdF9pa2V5OjdkMDI0MDlhMTUyNzY0ODQzY2NjZDgyODRkYTE1M2IzZmI0NDZiYWFkNWY5OTg4ODYzMjVlMjRiYzljZDRhMjQ0ZGU4NWFkNGJmYTdlYTI4NWQ2ODIwOWYxNjA4MzU2NzNkOGI0ZjFlMWIyM2Q5Y2Q1MjFkMjZiZmU3ZjM2NmE0',
      );
    });
  });

  it('matches the reference worked example 3 (GET /admin/v1/endpoints, v2 and v5)', () => {
    const request = {
      method: 'GET',
      host: 'api-xxxxxxxx.duosecurity.com',
      path: '/admin/v1/endpoints',
      // Given in wire order: the canonical string sorts them.
      params: [['offset', '0'], ['limit', '500']] as const,
      date: DATE,
    };
    const skey = 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep';
    expect(signDuoRequest(skey, request, 2)).toBe(
      'a4ebe0299a32b4300e32181c838f613081208912793d6a52afeed4175b693d96c0dc9f57db82d14323079455c7d9d0f67861ba829e2854f48bc6cf2db274e361',
    );
    expect(signDuoRequest(skey, request, 5)).toBe(
      '874d096c51277de9d6c34c9b575fb1d524302b208a776cd54872e3a59c34165434f10ebab4f67c7e1230bdb63915a0bb4d900cb2e978e012a9309ec9e18c1435',
    );
  });

  it('writes the Date in English RFC 2822 form with a -0000 zone', () => {
    expect(duoDate(Date.UTC(2012, 7, 21, 17, 29, 18))).toBe(DATE);
  });
});
