/**
 * The direct lane for normalized NDJSON. Most lines of a `scopeguard` export are already exactly what the import
 * pipeline would store: canonical UTC time, an event id, strings the scrubber leaves alone, nothing unknown. Such a
 * line is staged as its own text (with its line number added) and parsed once, by DuckDB's read_json, instead of
 * being parsed, checked, rebuilt and encoded again in JavaScript.
 *
 * The scan below accepts a line only when it is sure the general path (JSON.parse, the AuditEvent schema check,
 * finishEvent) would store the very same row. Anything it is not sure about — escapes, non-ASCII, null, fractions or
 * exponents, unknown or repeated keys, a time not in output form, an id or string the scrubber would touch, a missing
 * tenant — it leaves to the general path, which accepts or rejects the line as always. So the lane changes how fast a
 * line is stored, never what is stored or rejected (test/logs/direct.test.ts imports the same files both ways).
 */
import auditEventSchema from '../schema/audit-event.schema.json' with { type: 'json' };
import { safeTokenId, scrubString } from './scrub.ts';
import { recordTenantProblem } from './providers/scopeguard.ts';
import { isCanonicalUtcBytes } from './time.ts';

/**
 * A line taken by the direct lane, and what the store needs to know about it without parsing it again: where its
 * event id and time are among its bytes (no string is made of either).
 */
export interface DirectLine {
  line: number;
  /** The line's JSON object is bytes[start, end) (trailing blanks cut), in the chunk it was read from. */
  bytes: Buffer;
  start: number;
  end: number;
  tenant: string;
  /** the event id is bytes[idStart, idEnd) */
  idStart: number;
  idEnd: number;
  /** the time, in output form (24 bytes), starts at timeStart */
  timeStart: number;
}

/** How long a time in output form (`2026-11-20T08:15:00.000Z`) is, in bytes. */
export const CANONICAL_TIME_LENGTH = 24;

const ascii = (values: readonly string[]): Uint8Array[] => values.map((value) => Buffer.from(value, 'latin1'));
/**
 * Every key of the AuditEvent schema, each read by its own case below (a test keeps this list and the schema's in
 * step: a new field must be decided here, not fall into a default).
 */
export const DIRECT_KEYS = [
  'eventId', 'tenant', 'provider', 'time', 'type', 'rawType', 'outcome', 'actor', 'clientId', 'grantId', 'ip',
  'userAgent', 'scopes', 'requestedScopes', 'tokenId', 'request', 'source',
] as const;

/**
 * Pairs of characters (lower-cased) without which none of the scrubber's patterns can match: each alternative of
 * QUICK_CHECK in scrub.ts holds one of these pairs or `=` (test/logs/direct.test.ts checks every alternative). A
 * string with none of them is left alone by scrubString, so only strings with one are handed to it.
 */
const SCRUB_PAIRS = new Uint8Array(128 * 128);
for (const pair of ['ey', 'be', 'ba', 'di', 'ne', 'ss', 'to', '//', 'gh', 'gi', 'ya', 'xo', 'ak']) {
  SCRUB_PAIRS[(pair.charCodeAt(0) << 7) | pair.charCodeAt(1)] = 1;
}
for (let previous = 0; previous < 128; previous++) SCRUB_PAIRS[(previous << 7) | 61 /* = */] = 1;

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

const KEYS = DIRECT_KEYS;
// key indexes in KEYS, for the switch below
const keyIndex = (name: (typeof KEYS)[number]): number => KEYS.indexOf(name);
const [EVENT_ID, TENANT, PROVIDER, TIME, TYPE, RAW_TYPE, OUTCOME, ACTOR, SCOPES, REQUESTED_SCOPES, TOKEN_ID, REQUEST, SOURCE] = [
  keyIndex('eventId'), keyIndex('tenant'), keyIndex('provider'), keyIndex('time'), keyIndex('type'), keyIndex('rawType'),
  keyIndex('outcome'), keyIndex('actor'), keyIndex('scopes'), keyIndex('requestedScopes'), keyIndex('tokenId'),
  keyIndex('request'), keyIndex('source'),
] as const;
const KEY_BYTES = ascii(KEYS);
const ACTOR_KEYS = ascii(['id', 'type', 'name']);
const REQUEST_KEYS = ascii(['method', 'path', 'status']);
const SOURCE_KEYS = ascii(['file', 'line']);
const EVENT_TYPE_BYTES = ascii(auditEventSchema.properties.type.enum);
const OUTCOME_BYTES = ascii(auditEventSchema.properties.outcome.enum);
const SHA256_PREFIX = Buffer.from('sha256:', 'latin1');

/**
 * One line's scan, over the bytes it was read as (no string is made of the line). Its cursor lives in fields (one
 * scanner serves every line) so the hot loops touch no closures.
 */
class StoredFormScanner {
  private bytes: Buffer = Buffer.alloc(0);
  /** where the line ends (exclusive) */
  private limit = 0;
  private pos = 0;
  // the string value just read is bytes[stringStart, stringEnd)
  private stringStart = 0;
  private stringEnd = 0;
  // whether it holds a character one of the scrubber's patterns needs
  private stringMayHoldSecret = false;

  scan(bytes: Buffer, start: number, limit: number, lineNumber: number, defaultTenant: string | undefined, tenants: readonly string[] | undefined): DirectLine | undefined {
    this.bytes = bytes;
    this.limit = limit;
    if (start >= limit || bytes[start] !== LBRACE) return undefined;
    this.pos = start + 1;
    this.skipBlank();
    // bits of the keys seen: a repeated key (JSON.parse keeps the last, read_json may not) goes the general way
    let seen = 0;
    let tenant = defaultTenant;
    let idStart = 0;
    let idEnd = 0;
    let timeStart = 0;
    for (;;) {
      const key = this.readKey(KEY_BYTES);
      if (key < 0 || seen & (1 << key)) return undefined;
      seen |= 1 << key;
      let ok: boolean;
      switch (key) {
        case EVENT_ID:
          // finishEvent keeps an id that is not itself a bearer value (else it stores its hash), scrubbed
          ok = this.readPlainString() && this.isPlainId() && this.scrubLeavesString();
          idStart = this.stringStart;
          idEnd = this.stringEnd;
          break;
        case TENANT:
        case PROVIDER:
          // the schema wants both non-empty; the stored provider is the importer's name, whatever the line says
          ok = this.readPlainString() && this.stringEnd > this.stringStart;
          if (ok && key === TENANT) {
            tenant = this.tenantValue();
            // a tenant the general path refuses (not a tenant name, not the file's, not the registry's) goes that way
            ok = this.tenantAccepted(tenant, defaultTenant, tenants);
          }
          break;
        case TIME:
          ok = this.readPlainString() && this.stringEnd - this.stringStart === CANONICAL_TIME_LENGTH && isCanonicalUtcBytes(bytes, this.stringStart);
          timeStart = this.stringStart;
          break;
        case TYPE:
          ok = this.readPlainString() && this.stringIndex(EVENT_TYPE_BYTES) >= 0;
          break;
        case OUTCOME:
          ok = this.readPlainString() && this.stringIndex(OUTCOME_BYTES) >= 0;
          break;
        case RAW_TYPE:
          ok = this.readPlainString();
          break;
        case ACTOR:
          ok = this.readObject(ACTOR_KEYS, this.readActorValue) >= 0;
          break;
        case SCOPES:
        case REQUESTED_SCOPES:
          ok = this.readScopeList();
          break;
        case TOKEN_ID:
          ok = this.readPlainString() && this.isPlainId();
          break;
        case REQUEST:
          ok = this.readObject(REQUEST_KEYS, this.readRequestValue) >= 0;
          break;
        case SOURCE:
          // both keys are required
          ok = this.readObject(SOURCE_KEYS, this.readSourceValue) === 3;
          break;
        default:
          // clientId, grantId, ip, userAgent: stored scrubbed
          ok = this.readScrubbedString();
      }
      if (!ok) return undefined;
      const more = this.afterMember(RBRACE);
      if (more === undefined) return undefined;
      if (!more) break;
    }
    const end = this.pos;
    // nothing but blanks (the CR of a CRLF file) may follow the object
    for (let i = end; i < limit; i++) {
      const c = bytes[i];
      if (c !== 32 && c !== 9 && c !== 13) return undefined;
    }
    const required = (1 << EVENT_ID) | (1 << TIME) | (1 << TYPE);
    if (tenant === undefined || (seen & required) !== required) return undefined;
    return { line: lineNumber, bytes, start, end, tenant, idStart, idEnd, timeStart };
  }

  /** The byte at i, or -1 past the line's end. */
  private at(i: number): number {
    return i < this.limit ? this.bytes[i]! : -1;
  }

  // the tenants read so far, as bytes and as strings: a file names a few, and the same string serves every line of one
  private readonly tenantBytes: Buffer[] = [];
  private readonly tenantNames: string[] = [];

  /** The tenant just read, as the string made when its bytes were first met (up to 64 tenants are kept). */
  private tenantValue(): string {
    const length = this.stringEnd - this.stringStart;
    const known = this.tenantBytes;
    for (let i = 0; i < known.length; i++) {
      const bytes = known[i]!;
      if (bytes.length === length && this.bytesEqual(this.stringStart, bytes)) return this.tenantNames[i]!;
    }
    const name = this.stringValue();
    if (known.length < 64) {
      known.push(Buffer.from(name, 'latin1'));
      this.tenantNames.push(name);
    }
    return name;
  }

  // whether the general path takes each tenant named so far, for the import asking (its --tenant and registry tenants)
  private readonly tenantVerdicts = new Map<string, boolean>();
  private verdictsFor: { defaultTenant: string | undefined; tenants: readonly string[] | undefined } = { defaultTenant: undefined, tenants: undefined };

  /** Whether the general path stores a line naming `tenant` (scopeguard's recordTenantProblem finds nothing). */
  private tenantAccepted(tenant: string, defaultTenant: string | undefined, tenants: readonly string[] | undefined): boolean {
    if (this.verdictsFor.defaultTenant !== defaultTenant || this.verdictsFor.tenants !== tenants) {
      this.tenantVerdicts.clear();
      this.verdictsFor = { defaultTenant, tenants };
    }
    let accepted = this.tenantVerdicts.get(tenant);
    if (accepted === undefined) {
      accepted = recordTenantProblem(tenant, { tenant: defaultTenant, tenants }) === undefined;
      if (this.tenantVerdicts.size < 64) this.tenantVerdicts.set(tenant, accepted);
    }
    return accepted;
  }

  /** The string just read, as a string of its own (printable ASCII, so latin1 and UTF-8 agree). */
  private stringValue(): string {
    return this.bytes.toString('latin1', this.stringStart, this.stringEnd);
  }

  private skipBlank(): void {
    for (;;) {
      const c = this.at(this.pos);
      if (c !== 32 && c !== 9) return;
      this.pos++;
    }
  }

  /**
   * Reads a string of printable ASCII without escapes at pos (its opening quote). False when the string is anything
   * else: on such strings JSON.parse and read_json agree byte for byte.
   */
  private readPlainString(): boolean {
    const bytes = this.bytes;
    let i = this.pos;
    if (this.at(i) !== QUOTE) return false;
    const start = ++i;
    const limit = this.limit;
    let trigger = 0;
    let previous = 0;
    for (;;) {
      if (i >= limit) return false;
      const c = bytes[i]!;
      if (c === QUOTE) break;
      // control characters, backslash escapes, DEL and anything beyond ASCII
      if (c < 32 || c > 126 || c === 92) return false;
      const lower = c >= 65 && c <= 90 ? c | 0x20 : c;
      trigger |= SCRUB_PAIRS[(previous << 7) | lower]!;
      previous = lower;
      i++;
    }
    this.stringMayHoldSecret = trigger !== 0;
    this.stringStart = start;
    this.stringEnd = i;
    this.pos = i + 1;
    return true;
  }

  /** Whether scrubString leaves the string just read as it is. */
  private scrubLeavesString(): boolean {
    if (!this.stringMayHoldSecret) return true;
    const value = this.stringValue();
    return scrubString(value) === value;
  }

  /** A string the general path stores unchanged: finishEvent runs every such field through scrubString. */
  private readScrubbedString(): boolean {
    return this.readPlainString() && this.scrubLeavesString();
  }

  /** An id safeTokenId keeps as it is (it hashes bearer values): the string just read, not empty. */
  private isPlainId(): boolean {
    const length = this.stringEnd - this.stringStart;
    if (length === 0) return false;
    if (length >= SHA256_PREFIX.length && this.bytesEqual(this.stringStart, SHA256_PREFIX)) return true;
    // safeTokenId's other tests: a `Bearer `/`Basic ` prefix, more than 64 characters, something to scrub
    if (length <= 64 && (this.bytes[this.stringStart]! | 0x20) !== 98 /* b */) return this.scrubLeavesString();
    const value = this.stringValue();
    return safeTokenId(value) === value;
  }

  /** Whether the bytes at `at` start with `expected`. */
  private bytesEqual(at: number, expected: Uint8Array): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
    return true;
  }

  /** Index in `values` of the string just read, -1 when it is none of them. */
  private stringIndex(values: readonly Uint8Array[]): number {
    const length = this.stringEnd - this.stringStart;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value.length === length && this.bytesEqual(this.stringStart, value)) return i;
    }
    return -1;
  }

  /** A JSON integer of at most 9 digits (fits DuckDB's INTEGER), no sign, fraction or exponent; -1 when not one. */
  private readSmallInteger(): number {
    const start = this.pos;
    let i = start;
    let value = 0;
    for (;;) {
      const c = this.at(i);
      if (!(c >= 48 && c <= 57)) break;
      value = value * 10 + (c - 48);
      i++;
    }
    this.pos = i;
    const digits = i - start;
    if (digits === 0 || digits > 9 || (digits > 1 && this.bytes[start] === 48)) return -1;
    return value;
  }

  /** Moves past `,` (true: another member follows) or the closing bracket (false); undefined on anything else. */
  private afterMember(close: number): boolean | undefined {
    this.skipBlank();
    const c = this.at(this.pos++);
    if (c === COMMA) {
      this.skipBlank();
      return true;
    }
    return c === close ? false : undefined;
  }

  /** Reads `"key":` at pos; the key's index in `keys`, or -1 when it is none of them or no colon follows. */
  private readKey(keys: readonly Uint8Array[]): number {
    if (!this.readPlainString()) return -1;
    const key = this.stringIndex(keys);
    this.skipBlank();
    if (this.at(this.pos) !== COLON) return -1;
    this.pos++;
    this.skipBlank();
    return key;
  }

  /**
   * An object of known keys, each at most once, at pos: `readValue` reads the value of the key with that index in
   * `keys`. The bits of the keys it held, or -1 when it is not such an object.
   */
  private readObject(keys: readonly Uint8Array[], readValue: (key: number) => boolean): number {
    if (this.at(this.pos) !== LBRACE) return -1;
    this.pos++;
    this.skipBlank();
    if (this.at(this.pos) === RBRACE) {
      this.pos++;
      return 0;
    }
    let seen = 0;
    for (;;) {
      const key = this.readKey(keys);
      if (key < 0 || seen & (1 << key) || !readValue(key)) return -1;
      seen |= 1 << key;
      const more = this.afterMember(RBRACE);
      if (more !== true) return more === false ? seen : -1;
    }
  }

  // the actor's type is stored as written; its id and name are scrubbed
  private readonly readActorValue = (key: number): boolean => (key === 1 ? this.readPlainString() : this.readScrubbedString());
  // method as written, path scrubbed, status an integer
  private readonly readRequestValue = (key: number): boolean =>
    key === 0 ? this.readPlainString() : key === 1 ? this.readScrubbedString() : this.readSmallInteger() >= 0;
  // checked because the schema checks it (file and line >= 1); the importer records its own source
  private readonly readSourceValue = (key: number): boolean => (key === 0 ? this.readPlainString() : this.readSmallInteger() >= 1);

  /** A list of scopes that cleanScopes keeps as they are: strings, none empty, nothing to scrub. */
  private readScopeList(): boolean {
    if (this.at(this.pos) !== LBRACKET) return false;
    this.pos++;
    this.skipBlank();
    if (this.at(this.pos) === RBRACKET) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.readScrubbedString() || this.stringEnd === this.stringStart) return false;
      const more = this.afterMember(RBRACKET);
      if (more !== true) return more === false;
    }
  }
}

const scanner = new StoredFormScanner();

/**
 * The DirectLine for a line of normalized NDJSON (bytes[start, end), no newline) that the general path would store
 * unchanged, or undefined when the line must take the general path. `defaultTenant` is --tenant, for lines that name
 * none.
 */
export function scanStoredForm(
  bytes: Buffer,
  start: number,
  end: number,
  lineNumber: number,
  defaultTenant: string | undefined,
  tenants?: readonly string[],
): DirectLine | undefined {
  return scanner.scan(bytes, start, end, lineNumber, defaultTenant, tenants);
}
