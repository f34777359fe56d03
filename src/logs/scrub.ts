/**
 * Secrets never reach storage or a rejects file. Two passes: keys that name a secret lose their value whatever it
 * looks like, and every string anywhere is searched for values that are secrets whatever key holds them (JWTs,
 * bearer and basic credentials, secrets in query strings, well-known token prefixes).
 */
import { createHash } from 'node:crypto';

export const REDACTED = '[REDACTED]';

// Keys whose value is a secret. Compared after lower-casing and dropping `-`, `_` and `.` (keySpelling), so
// `client_secret`, `clientSecret`, `Client-Secret` and `client.secret` all match.
const SECRET_KEYS = new Set([
  'pwd', 'credentials', 'credential', 'code', 'authorizationcode', 'authcode', 'devicecode', 'usercode', 'codeverifier',
  'samlresponse', 'otp',
  // Keycloak's CredentialRepresentation: the hash and salt of a password, an OTP seed (JSON text), and the legacy field
  'secretdata', 'credentialdata', 'hashedsaltedvalue',
]);

/**
 * Keys named for what they end in: `x-auth-token`, `stateToken`, `recovery_token`, `api_secret`, `db_password`,
 * `passphrase`, `secretKey`, `x-api-key`, `Proxy-Authorization`. A key is a secret only by its last word: `tokenId`,
 * `token_type`, `keyId`, `grantType` and `tokenCount` name something about a secret and keep their value (token ids
 * that are bearer values are hashed instead: safeTokenId). `key` counts only as an api, secret, private or other
 * credential key: `publicKey`, `keyId`, `cacheKey` and `idempotency-key` are not secrets.
 */
const SECRET_ENDING =
  /(?:token|secret|secrettext|password|passwd|passphrase|passcode|(?:api|secret|private|access|signing|encryption|master|session|auth|hmac|shared|subscription|functions)key|authorization|cookie|assertion|credentials?)$/;
// Names that end like a secret and are none: cursors through a listing (Google's nextPageToken, AWS's NextToken), and
// GitHub's hashed_token, the SHA-256 of a token that its importer takes as the token id.
const NOT_SECRET_ENDING = /(?:pagetoken|nexttoken|continuationtoken|synctoken|paginationtoken|resumetoken|cursortoken|hashedtoken)$/;

// Keys whose whole value goes, whatever it holds: Keycloak's `credentials` list of a user ({type, value, ...} each).
const WHOLLY_SECRET_KEYS = new Set(['credentials', 'credential']);

// What `type` says of a credential whose `value` is the secret (Keycloak's CredentialRepresentation types), besides
// the secret keys (`password`, `secret`, `otp`).
const CREDENTIAL_TYPES = new Set(['passwordhistory', 'totp', 'hotp', 'recoveryauthncodes', 'webauthn', 'webauthnpasswordless', 'kerberos']);

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

// Query and form parameters that carry a secret besides the secret keys: signatures of signed URLs, bare `key`, and
// CAS service tickets (`?ticket=ST-...`).
const SECRET_PARAMETERS = new Set(['key', 'sig', 'signature', 'xamzsignature', 'xamzsecuritytoken', 'xamzcredential', 'xgoogsignature', 'xgoogcredential', 'ticket']);

/** A query-string or form parameter whose value is a secret, named in any spelling (`access_token`, `accessToken`, `access-token`). */
function isSecretParameter(name: string): boolean {
  return isSecretKey(name) || SECRET_PARAMETERS.has(keySpelling(name));
}

// secrets in query strings, fragments (the implicit flow's `#access_token=`) and form bodies: every `name=value`,
// judged by its name
const PARAMETER = /([?&;#\s"']|^)([A-Za-z0-9_.-]{1,64})=([^&\s"'#;]+)/g;

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

/**
 * Raw text of a rejected record, or a string that only looks like JSON: key-based redaction in the text
 * (redactKeysInText), then the value patterns.
 */
export function scrubText(text: string): string {
  return scrubString(redactKeysInText(text, 0));
}

// V8's JSON.parse messages quote the input around the error: `Unexpected token 'h', ..."assword": hunter2SEC"... is
// not valid JSON`. A quote cut out of a record cannot be scrubbed (its key is cut too), so it is left out.
const JSON_PARSE_QUOTE = /(?:^|(?<=: )|(Unexpected token '[\s\S]{1,2}'), )(\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/;
// V8 quotes 10 characters either side of the error (kMaxContextCharacters)
const JSON_PARSE_CONTEXT = 10;

/**
 * A reason for a rejects file or --strict's error: scrubbed like the text, and without the input that V8 quotes
 * in a JSON.parse error; the quote's place in `text` (the rejected text) becomes a position, as in V8's other messages.
 */
export function scrubReason(reason: string, text?: string): string {
  const quoted = JSON_PARSE_QUOTE.exec(reason);
  if (!quoted) return scrubText(reason);
  const [, token, before, quote, after] = quoted;
  const found = text === undefined ? -1 : text.indexOf(quote!);
  // the error is 10 characters into a quote cut at its start, or 10 before the end of one cut only at its end
  const position = found < 0 ? undefined : before ? found + JSON_PARSE_CONTEXT : after ? found + quote!.length - JSON_PARSE_CONTEXT : undefined;
  const where = position === undefined ? '' : ` in JSON at position ${position}`;
  return scrubText(`${reason.slice(0, quoted.index)}${token ?? 'not valid JSON'}${where}`);
}

/** A key as the secret lists spell it: lower case, without `-`, `_` and `.`. */
function keySpelling(key: string): string {
  return key.toLowerCase().replace(/[-_.]/g, '');
}

export function isSecretKey(key: string): boolean {
  const kind = keyKind(key);
  return kind === 'secret' || kind === 'wholly';
}

/** What a key says of its value: `wholly` goes whole (WHOLLY_SECRET_KEYS); `value` is a secret when a sibling says so. */
type KeyKind = 'plain' | 'secret' | 'wholly' | 'value';

// Records repeat their keys: each is judged once (up to a bound, so keys made of data cannot grow it without end).
const KEY_KINDS = new Map<string, KeyKind>();

function keyKind(key: string): KeyKind {
  let kind = KEY_KINDS.get(key);
  if (kind === undefined) {
    const spelling = keySpelling(key);
    kind = WHOLLY_SECRET_KEYS.has(spelling)
      ? 'wholly'
      : SECRET_KEYS.has(spelling) || (SECRET_ENDING.test(spelling) && !NOT_SECRET_ENDING.test(spelling))
        ? 'secret'
        : spelling === 'value'
          ? 'value'
          : 'plain';
    if (KEY_KINDS.size < 4096) KEY_KINDS.set(key, kind);
  }
  return kind;
}

/**
 * Whether a sibling names what `value` holds as a secret: a header or parameter list's `{name: 'Authorization',
 * value}` (also `key`, AWS's `Name`/`Key`), or a credential's `{type: 'password', value}` (Keycloak's
 * CredentialRepresentation, in a user's `credentials` and in the reset-password admin event).
 */
function namesSecretValue(field: string, name: string): boolean {
  switch (field.toLowerCase()) {
    case 'name':
    case 'key':
      return isSecretKey(name);
    case 'type':
      return isSecretKey(name) || CREDENTIAL_TYPES.has(keySpelling(name));
    default:
      return false;
  }
}

/** A copy of a parsed record with secret-named keys redacted and every string scrubbed. */
export function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubEmbeddedJson(value) ?? scrubString(value);
  if (Array.isArray(value)) return value.map(scrubValue);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let secretValue: boolean | undefined;
    for (const [key, inner] of Object.entries(record)) {
      const kind = keyKind(key);
      if (kind === 'wholly') out[key] = inner === null || typeof inner === 'boolean' ? inner : REDACTED;
      else if (kind === 'secret' || (kind === 'value' && (secretValue ??= Object.entries(record).some(([field, name]) => typeof name === 'string' && namesSecretValue(field, name))))) {
        out[key] = redactSecret(inner);
      } else out[key] = scrubValue(inner);
    }
    return out;
  }
  return value;
}

/**
 * The value of a secret key: text and numbers are redacted, in lists too (`"token": ["..."]`); an object is scrubbed
 * by its own keys (a gateway's `token: {jti, scopes}`); null and booleans say nothing.
 */
function redactSecret(value: unknown): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(redactSecret);
  if (typeof value === 'object') return scrubValue(value);
  return REDACTED;
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

// --- key-based redaction in text that did not parse -------------------------------------------------------------

// a key or value separator after a quoted or bare key: JSON's and Python's `:`, Ruby's `=>`
const SEPARATOR = /[ \t]*(?::|=>)[ \t]*/y;
// a bare key of a JavaScript or JSON5 object literal, after `{` or `,`
const BARE_KEY = /[A-Za-z_$][\w$.-]{0,63}/y;
// a bare value: up to the end of the member
const BARE_VALUE = /[^,}\]\r\n]*/y;
// bare values that carry nothing (JSON, Python, Ruby, JavaScript)
const EMPTY_BARE_VALUES = new Set(['', 'true', 'false', 'null', 'True', 'False', 'None', 'nil', 'undefined']);
// how deep quoted text inside quoted text is searched (a JSON document escaped in a string of a record cut short)
const MAX_QUOTE_DEPTH = 3;

/** Index after the string whose quote is at `start` (after its closing quote, or at the line's end when it has none). */
function stringEnd(text: string, start: number): { end: number; closed: boolean } {
  const quote = text.charCodeAt(start);
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === quote) return { end: i + 1, closed: true };
    else if (c === 0x0a /* \n */) return { end: i, closed: false };
  }
  return { end: text.length, closed: false };
}

/** Index after the list or object that opens at `start` (quoted text inside skipped), or the text's end when cut. */
function containerEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) i = stringEnd(text, i).end - 1;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if ((c === 0x5d || c === 0x7d) && --depth === 0) return i + 1;
  }
  return text.length;
}

/** A quoted key as it reads: JSON escapes decoded (`"pass\u0077ord"`). */
function keyText(raw: string, quote: number): string {
  if (quote !== 0x22 || !raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * The inside of a quoted value, searched as text of its own: Python's repr in a JSON string, an escaped JSON document
 * (Keycloak's `representation` in a record cut short), or an apostrophe in prose, which is no string at all. Returned
 * as it was when nothing in it was redacted.
 */
function redactInsideQuotes(inner: string, quote: number, depth: number): string {
  if (depth >= MAX_QUOTE_DEPTH || (!inner.includes('"') && !inner.includes("'") && !inner.includes(':') && !inner.includes('='))) return inner;
  if (quote === 0x22 && inner.includes('\\')) {
    // cut inside an escape: the decodable part is what there is
    for (const candidate of [inner, inner.replace(/\\(?:u[0-9a-fA-F]{0,3})?$/, '')]) {
      let decoded: string;
      try {
        decoded = JSON.parse(`"${candidate}"`) as string;
      } catch {
        continue;
      }
      const redacted = redactKeysInText(decoded, depth + 1);
      return redacted === decoded ? inner : JSON.stringify(redacted).slice(1, -1);
    }
  }
  return redactKeysInText(inner, depth + 1);
}

/**
 * Key-based redaction in text that is not JSON, or JSON cut short: a key in double or single quotes (JSON, Python's
 * repr), or bare after `{` or `,` (JavaScript), followed by `:` (or Ruby's `=>`), that names a secret loses its value,
 * whatever the value is: quoted text (cut or not), a number, a bare word, a list. A `value` whose sibling names it a
 * secret (`"type":"password","value":...`, `"name":"Authorization","value":...`) goes when the sibling comes first.
 * Everything else is copied as it is, so text without a secret is returned unchanged, byte for byte.
 */
function redactKeysInText(text: string, depth: number): string {
  let out = '';
  let copied = 0;
  // whether a sibling in the object being read named its `value` a secret; one entry per enclosing object or list
  const enclosing: boolean[] = [];
  let secretValue = false;
  // the last character outside quotes that is not a blank: a bare key follows `{` or `,`
  let previous = 0;
  const replace = (start: number, end: number, replacement: string): void => {
    out += text.slice(copied, start) + replacement;
    copied = end;
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let key: string | undefined;
    let valueStart = 0;
    if (c === 0x22 || c === 0x27) {
      const { end, closed } = stringEnd(text, i);
      SEPARATOR.lastIndex = end;
      if (closed && SEPARATOR.test(text)) {
        key = keyText(text.slice(i + 1, end - 1), c);
        valueStart = SEPARATOR.lastIndex;
      } else {
        const innerEnd = closed ? end - 1 : end;
        const inner = text.slice(i + 1, innerEnd);
        const redacted = redactInsideQuotes(inner, c, depth);
        if (redacted !== inner) replace(i + 1, innerEnd, redacted);
        i = end;
        previous = c;
        continue;
      }
    } else if ((previous === 0x7b || previous === 0x2c) && /[A-Za-z_$]/.test(text[i]!)) {
      BARE_KEY.lastIndex = i;
      BARE_KEY.test(text);
      const end = BARE_KEY.lastIndex;
      SEPARATOR.lastIndex = end;
      if (!SEPARATOR.test(text)) {
        i = end;
        previous = c;
        continue;
      }
      key = text.slice(i, end);
      valueStart = SEPARATOR.lastIndex;
    }
    if (key === undefined) {
      if (c === 0x7b || c === 0x5b) {
        enclosing.push(secretValue);
        secretValue = false;
      } else if (c === 0x7d || c === 0x5d) {
        secretValue = enclosing.pop() ?? false;
      }
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) previous = c;
      i++;
      continue;
    }
    previous = 0x3a; // :
    const v = text.charCodeAt(valueStart);
    const kind = keyKind(key);
    const wholly = kind === 'wholly';
    if (wholly || kind === 'secret' || (secretValue && kind === 'value')) {
      if (v === 0x22 || v === 0x27) {
        const { end, closed } = stringEnd(text, valueStart);
        replace(valueStart + 1, closed ? end - 1 : end, REDACTED);
        i = end;
        previous = v;
        continue;
      }
      if (v === 0x5b || (v === 0x7b && wholly)) {
        const end = containerEnd(text, valueStart);
        replace(valueStart, end, REDACTED);
        i = end;
        previous = 0x5d;
        continue;
      }
      if (v !== 0x7b) {
        BARE_VALUE.lastIndex = valueStart;
        BARE_VALUE.test(text);
        const bare = text.slice(valueStart, BARE_VALUE.lastIndex).trimEnd();
        if (!EMPTY_BARE_VALUES.has(bare)) replace(valueStart, valueStart + bare.length, REDACTED);
        i = valueStart + bare.length;
        continue;
      }
      // an object under a secret key is read by its own keys, as scrubValue does
    } else if (v === 0x22 || v === 0x27) {
      const { end, closed } = stringEnd(text, valueStart);
      if (closed && namesSecretValue(key, keyText(text.slice(valueStart + 1, end - 1), v))) secretValue = true;
    }
    i = valueStart;
  }
  return copied === 0 ? text : out + text.slice(copied);
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
