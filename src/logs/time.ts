/**
 * Every timestamp form the providers emit becomes one UTC ISO string (`2026-11-20T08:15:00.000Z`). The one place
 * time strings are interpreted, so an importer never guesses a zone on its own.
 */

// Epochs below this are seconds, above it milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.
const EPOCH_MS_THRESHOLD = 1e11;
// Dates outside this window are typos or unit mix-ups (microseconds read as ms), not audit events.
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const DIGITS = /^-?\d+(\.\d+)?$/;

/** Returns the UTC ISO string, or undefined when the value is not a time scopeguard can place without guessing wrongly. */
export function toUtcIso(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  if (isCanonicalUtc(value)) return value;
  const text = value.trim();
  if (text === '') return undefined;
  if (DIGITS.test(text)) return fromEpoch(Number(text));
  const match = ISO_WITH_ZONE.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
  const millis = Number((fraction + '000').slice(0, 3));
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis);
  // Date.UTC rolls 2026-02-30 over into March; an impossible date is an error, not a different day
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  ms -= zoneOffsetMs(zone);
  return inRange(ms);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digitAt = (text: string, index: number): number => {
  const d = text.charCodeAt(index) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/**
 * Already the output form (`2026-11-20T08:15:00.000Z`, a real date inside the accepted years)? Then it is returned
 * as is: the common case in normalized exports, checked with arithmetic instead of a regex, Date and toISOString.
 * Anything unusual (a leap second, another shape) takes the general path.
 */
export function isCanonicalUtc(text: string): boolean {
  if (text.length !== 24 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') return false;
  const two = (at: number): number => digitAt(text, at) * 10 + digitAt(text, at + 1);
  return isCalendarInstant(two(0) * 100 + two(2), two(5), two(8), two(11), two(14), two(17), digitAt(text, 20) * 100 + two(21));
}

const byteDigitAt = (bytes: Uint8Array, index: number): number => {
  const d = bytes[index]! - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/** isCanonicalUtc of the 24 bytes at `at` (ASCII), for the direct lane, which reads lines as bytes. */
export function isCanonicalUtcBytes(bytes: Uint8Array, at: number): boolean {
  if (bytes[at + 4] !== 45 || bytes[at + 7] !== 45 || bytes[at + 10] !== 84 || bytes[at + 13] !== 58 || bytes[at + 16] !== 58 || bytes[at + 19] !== 46 || bytes[at + 23] !== 90) return false;
  const two = (offset: number): number => byteDigitAt(bytes, at + offset) * 10 + byteDigitAt(bytes, at + offset + 1);
  return isCalendarInstant(two(0) * 100 + two(2), two(5), two(8), two(11), two(14), two(17), byteDigitAt(bytes, at + 20) * 100 + two(21));
}

/** The fields of a canonical instant name a real one inside the accepted years (NaN, a non-digit, fails every test). */
function isCalendarInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): boolean {
  if (!(year >= 1990 && year < 2200 && month >= 1 && month <= 12 && hour <= 23 && minute <= 59 && second <= 59 && millis >= 0)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day >= 1 && day <= monthDays;
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  return sign * (hours * 60 + minutes) * 60_000;
}

function fromEpoch(epoch: number): string | undefined {
  if (!Number.isFinite(epoch)) return undefined;
  return inRange(Math.abs(epoch) >= EPOCH_MS_THRESHOLD ? epoch : epoch * 1000);
}

function inRange(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  return new Date(Math.round(ms)).toISOString();
}

/** A user's `--since/--until`: a date (start of that UTC day) or any form toUtcIso accepts. */
export function parseUserDate(value: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? toUtcIso(`${value.trim()}T00:00:00Z`) : toUtcIso(value);
}
