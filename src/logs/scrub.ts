/**
 * Secrets never reach storage or a rejects file. Two passes: keys that name a secret lose their value whatever it
 * looks like, and every string anywhere is searched for values that are secrets whatever key holds them (JWTs,
 * bearer and basic credentials, secrets in query strings, well-known token prefixes).
 */
import { createHash } from 'node:crypto';

export const REDACTED = '[REDACTED]';

// Keys whose value is a secret. Compared after lower-casing and dropping `-`/`_`, so `client_secret`,
// `clientSecret` and `Client-Secret` all match.
const SECRET_KEYS = new Set([
  'accesstoken', 'refreshtoken', 'idtoken', 'token', 'bearertoken', 'authtoken', 'sessiontoken', 'apikey', 'apitoken',
  'clientsecret', 'secret', 'password', 'passwd', 'pwd', 'newpassword', 'oldpassword', 'credentials', 'credential',
  'code', 'authorizationcode', 'authcode', 'devicecode', 'usercode', 'codeverifier', 'assertion', 'clientassertion',
  'samlresponse', 'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'xapikey', 'privatekey', 'otp',
  'subjecttoken', 'actortoken', 'hashedsecret', 'sharedsecret', 'signingsecret', 'webhooksecret',
]);

// String values that are credentials wherever they appear.
const VALUE_PATTERNS: Array<[RegExp, string]> = [
  // JWT / JWS / JWE: base64url JSON header `{"` is always `eyJ`; two or more dot-separated parts
  [/eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,4}/g, REDACTED],
  [/\b(Bearer|Basic|Digest|Negotiate|SSWS)(\s+)[A-Za-z0-9._~+/=:-]{6,}/gi, `$1$2${REDACTED}`],
  // `Authorization: token <value>` (GitHub style); long enough that prose like "token granted" is left alone
  [/\b(token)(\s+)[A-Za-z0-9._~+/=:-]{20,}/gi, `$1$2${REDACTED}`],
  // credentials in URLs: scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  // well-known opaque token formats: GitHub, Google, Slack, AWS keys
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, REDACTED],
  [/\bya29\.[A-Za-z0-9._-]{10,}/g, REDACTED],
  [/\b1\/\/[A-Za-z0-9._-]{20,}/g, REDACTED],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
];

// JSON text that did not parse still carries `"password": "..."`: redact by key in the text itself.
const KEY_IN_TEXT = /("([^"\\]{1,64})"\s*:\s*")((?:[^"\\]|\\.)*)("?)/g;

// Query and form parameters that carry a secret besides the secret keys: signatures of signed URLs and bare `key`.
const SECRET_PARAMETERS = new Set(['key', 'sig', 'signature', 'xamzsignature', 'xamzsecuritytoken', 'xamzcredential', 'xgoogsignature', 'xgoogcredential']);

/** A query-string or form parameter whose value is a secret, named in any spelling (`access_token`, `accessToken`, `access-token`). */
function isSecretParameter(name: string): boolean {
  return isSecretKey(name) || SECRET_PARAMETERS.has(keySpelling(name));
}

// secrets in query strings and form bodies: every `name=value`, judged by its name
const PARAMETER = /([?&;\s"']|^)([A-Za-z0-9_.-]{1,64})=([^&\s"'#;]+)/g;

export const QUICK_CHECK = /eyJ|bearer|basic|digest|negotiate|ssws|token|=|:\/\/|gh[pousr]_|github_pat_|ya29\.|1\/\/|xox|AKIA/i;

/** Redacts secrets inside one string; returns the same string when there is nothing to redact (the common case). */
export function scrubString(value: string): string {
  if (!QUICK_CHECK.test(value)) return value;
  let result = value;
  for (const [pattern, replacement] of VALUE_PATTERNS) result = result.replace(pattern, replacement);
  if (result.includes('=')) {
    result = result.replace(PARAMETER, (match: string, before: string, name: string) => (isSecretParameter(name) ? `${before}${name}=${REDACTED}` : match));
  }
  return result;
}

/** Raw text of a rejected record: key-based redaction in JSON-looking text, then the value patterns. */
export function scrubText(text: string): string {
  return scrubString(text.replace(KEY_IN_TEXT, (match: string, head: string, key: string, _value: string, tail: string) => (isSecretKey(key) ? `${head}${REDACTED}${tail}` : match)));
}

/** A key as the secret lists spell it: lower case, without `-` and `_`. */
function keySpelling(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(keySpelling(key));
}

/** A copy of a parsed record with secret-named keys redacted and every string scrubbed. */
export function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubEmbeddedJson(value) ?? scrubString(value);
  if (Array.isArray(value)) return value.map(scrubValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      out[key] = isSecretKey(key) && inner !== null && typeof inner !== 'boolean' && typeof inner !== 'object' ? REDACTED : scrubValue(inner);
      // a header list like [{name: 'Authorization', value: '...'}] names the secret in a sibling field
      if (key === 'value' && typeof out.value === 'string' && typeof (value as Record<string, unknown>).name === 'string' && isSecretKey(String((value as Record<string, unknown>).name))) {
        out.value = REDACTED;
      }
    }
    return out;
  }
  return value;
}

/**
 * A string that holds a JSON document (Keycloak's admin events carry the changed client as `representation`, a JSON
 * text with its `secret`): scrubbed as the document it is, by key too, and written back as text; undefined for any
 * other string.
 */
function scrubEmbeddedJson(text: string): string | undefined {
  const first = text.charCodeAt(0);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return scrubText(text);
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  // rewritten only when something was redacted: the text, and the content hash of a record without an id, stay as
  // they were otherwise, so a re-import still finds the events it stored before
  const scrubbed = JSON.stringify(scrubValue(parsed));
  return scrubbed === JSON.stringify(parsed) ? scrubString(text) : scrubbed;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// A token id longer than this, or shaped like a credential, is a bearer value rather than an identifier.
const MAX_PLAIN_TOKEN_ID = 64;

/** tokenId must identify a token without being one: a bearer value is replaced by `sha256:<hex>`. */
export function safeTokenId(tokenId: string | undefined): string | undefined {
  if (tokenId === undefined || tokenId === '') return undefined;
  if (tokenId.startsWith('sha256:')) return tokenId;
  const stripped = tokenId.replace(/^(Bearer|Basic)\s+/i, '');
  if (stripped !== tokenId || stripped.length > MAX_PLAIN_TOKEN_ID || scrubString(stripped) !== stripped) {
    return `sha256:${sha256Hex(stripped)}`;
  }
  return tokenId;
}
