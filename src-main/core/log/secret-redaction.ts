/**
 * Removes secrets from anything on its way to a log file. Secrets never reach logs (docs/architecture.md, "Security
 * invariants"), but log lines are built from things we do not fully control: HTTP headers echoed by axios errors, NDES
 * admin pages, request bodies, stack traces. So redaction happens at the last step before the disk, on the text itself
 * and by key name.
 *
 * Over-redaction is the safe failure: a log that hides a harmless value costs a question; one that keeps a password
 * costs a credential.
 */

export const REDACTED = '[REDACTED]';

/** Words that make a key name secret wherever they appear in it (`clientSecret`, `api_key`, `X-Auth-Token`). */
const SECRET_KEY_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'credential',
  'configurationkey',
];
/** Key names that are secret only on their own: `challenge` is the SCEP challenge, `challengeUrl` is not a secret. */
const SECRET_KEY_NAMES = new Set(['pw', 'pwd', 'pass', 'passcode', 'pin', 'challenge', 'challengepassword', 'csckeypassword', 'key']);
/** A key whose name ends like this names a place, a kind or a time, not the secret itself (`tokenUrl`, `tokenType`). */
const HARMLESS_KEY_SUFFIXES = ['url', 'uri', 'type', 'expiresat', 'expiry', 'count', 'length', 'ref', 'reference'];

/** Keys the HTTP-credential rule already redacts while keeping the scheme name; the generic rules leave them be. */
const HEADER_RULE_KEYS = new Set(['authorization', 'proxyauthorization', 'wwwauthenticate', 'proxyauthenticate', 'cookie', 'setcookie']);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True when a value stored under this key must not be logged. */
export function isSecretKey(key: string): boolean {
  const name = normaliseKey(key);
  if (name === '') return false;
  if (SECRET_KEY_NAMES.has(name)) return true;
  if (HARMLESS_KEY_SUFFIXES.some((suffix) => name.endsWith(suffix) && name !== suffix)) return false;
  return SECRET_KEY_WORDS.some((word) => name.includes(word));
}

interface TextRule {
  /** What the rule protects, for readers of this table. */
  why: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

// A key as it appears in text: JSON (`"clientSecret"`), a header (`X-Api-Key`), a query string (`password`).
const KEY_IN_TEXT = String.raw`[A-Za-z][\w.-]*`;

/**
 * Words that may follow "password" in prose without being one ("the password was rejected", "This password can be
 * used only once"). Anything else after the word is taken for the value: a password that is one of these words is a
 * price paid for logs an admin can still read.
 */
const PROSE_AFTER_PASSWORD = new Set(
  'a an and are as at be by can cannot could did does for from given has have in is it must not of on or please set should that the this to too was were will with would'.split(' '),
);

const TEXT_RULES: TextRule[] = [
  {
    why: 'PEM private keys (identity keys generated for SCEP, keys pasted into a form); a truncated one too',
    pattern: /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    replace: (_m, label) => `-----BEGIN ${label}-----${REDACTED}-----END ${label}-----`,
  },
  {
    why: 'HTTP credentials and challenges: Basic/Bearer/NTLM/Negotiate tokens, cookies; the scheme name is kept',
    pattern:
      /\b((?:proxy-)?authorization|(?:www|proxy)-authenticate|set-cookie|cookie)(["']?\s*[:=]\s*["']?)(?:(basic|bearer|ntlm|negotiate|digest)\b[ \t]*)?([^\r\n"']*)/gi,
    replace: (_m, name, separator, scheme, value) => {
      const kept = scheme ? `${name}${separator}${scheme}` : `${name}${separator}`;
      if (!value) return kept;
      return scheme ? `${kept} ${REDACTED}` : `${kept}${REDACTED}`;
    },
  },
  {
    why: 'passwords in URLs (https://user:password@host, proxy URLs from the environment)',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+):([^\s@/"']+)@/gi,
    replace: (_m, userPart) => `${userPart}:${REDACTED}@`,
  },
  {
    why: 'quoted secret values: JSON bodies and util.inspect output ("password":"x", password: \'x\')',
    pattern: new RegExp(String.raw`(["']?)(${KEY_IN_TEXT})\1(\s*[:=]\s*)(["'])((?:\\.|(?!\4)[^\\])*)\4`, 'g'),
    replace: (match, quote, key, separator, valueQuote) =>
      isSecretKey(key) && !HEADER_RULE_KEYS.has(normaliseKey(key)) ? `${quote}${key}${quote}${separator}${valueQuote}${REDACTED}${valueQuote}` : match,
  },
  {
    why: 'bare secret values: query strings, form bodies, key=value and "Key: value" text',
    pattern: new RegExp(String.raw`\b(${KEY_IN_TEXT})(\s*[:=]\s*)(?!["'\s])([^\s&,;"'<>]+)`, 'g'),
    replace: (match, key, separator) =>
      isSecretKey(key) && !HEADER_RULE_KEYS.has(normaliseKey(key)) ? `${key}${separator}${REDACTED}` : match,
  },
  {
    why: 'a password in prose: "login failed with password hunter2", "password \'x y\'" (not "password is too long")',
    pattern: /\b(pass(?:word|wd|phrase)|pwd)([ \t]+)("[^"\r\n]*"|'[^'\r\n]*'|[^\s"',;]+)/gi,
    replace: (match, word, space, value) =>
      value === REDACTED || PROSE_AFTER_PASSWORD.has(value.toLowerCase().replace(/[.!?:]+$/, '')) ? match : `${word}${space}${REDACTED}`,
  },
  {
    why: 'an HTTP credential without its header name ("retrying with NTLM TlRMTVNTUAAB…"); "NTLM authentication" is prose',
    pattern: /\b(Basic|NTLM|Negotiate)([ \t]+)(?!\[REDACTED\])([A-Za-z0-9+/]{8,}={0,2})/g,
    replace: (match, scheme, space, token) => (/^[A-Z]?[a-z]+$/.test(token) ? match : `${scheme}${space}${REDACTED}`),
  },
  {
    why: 'a bearer token quoted anywhere else (an error message that repeats the header value)',
    pattern: /\bBearer\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+=*/g,
    replace: () => `Bearer ${REDACTED}`,
  },
  {
    why: 'JSON Web Tokens wherever they appear',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
    replace: () => REDACTED,
  },
  {
    why: 'the one-time challenge on the NDES admin page ("The enrollment challenge password is: <B> 8F3A... </B>")',
    pattern: /(challenge password is:?\s*(?:<[^>]*>\s*)*)([^\s<]+)/gi,
    replace: (_m, lead) => `${lead}${REDACTED}`,
  },
  {
    why: 'Duo Trusted Endpoints configuration keys (DPK + 16 upper-case alphanumerics): they authenticate devices',
    pattern: /\bDPK[A-Z0-9]{16}\b/g,
    replace: () => `DPK${REDACTED}`,
  },
];

/** Redacts every secret this module knows how to recognise in free text. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const rule of TEXT_RULES) {
    result = result.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string);
  }
  return result;
}

/**
 * Redacts a structured value for logging: values under secret keys are replaced whole, strings are passed through
 * redactSecrets, errors become plain objects (their message and stack redacted too). Cycles and depth are bounded
 * so a log call can never hang or blow the stack.
 */
export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= 8) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: redactSecrets(value.message) };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) plain.code = code;
    if (value.stack) plain.stack = redactSecrets(value.stack);
    if (value.cause !== undefined) plain.cause = redactValue(value.cause, depth + 1, seen);
    return plain;
  }
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const name = String(key);
    out[name] = isSecretKey(name) && item !== undefined && item !== null && item !== '' ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return out;
}
