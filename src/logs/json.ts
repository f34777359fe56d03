/**
 * JSON text of a log record to a value. JSON's `\uXXXX` escapes can spell half of a surrogate pair, which JSON.parse
 * accepts as a lone surrogate: no UTF-8 text can hold one, and DuckDB refuses a staged row that has one (the whole
 * unit's insert failed on it). Such halves become U+FFFD, as invalid UTF-8 bytes already do when a line is decoded,
 * so the record is imported with the rest of its text intact.
 */

// an escape of a surrogate code unit: only text that has one needs the walk below
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

// String.prototype.toWellFormed is in Node 20, not yet in the ES2023 library TypeScript is given here
const wellFormedString = (text: string): string => (text as string & { toWellFormed(): string }).toWellFormed();

/** JSON.parse, with lone surrogates in every string and key replaced by U+FFFD. */
export function parseLogJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return SURROGATE_ESCAPE.test(text) ? wellFormed(value) : value;
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return wellFormedString(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a key named __proto__ stays data
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [wellFormedString(key), wellFormed(item)]));
  }
  return value;
}
