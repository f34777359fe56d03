/**
 * Reads audit-log records from NDJSON, a JSON array or an API page object (`{"data":[...]}`, `{"items":[...]}`,
 * `{"value":[...]}`, `{"events":[...]}`), plain or gzipped, from a file or stdin, in constant memory: only one record
 * is held at a time and a record longer than the limit is skipped and reported, never buffered whole.
 */
import { createReadStream } from 'node:fs';
import { zlib } from '../builtins.ts';
import type { Readable } from 'node:stream';
import { parseLogJson } from './json.ts';
import { asObject } from './provider.ts';
import type { DirectLine } from './direct.ts';

/** One record as read: either parsed JSON, or the reason it could not be read plus (a prefix of) its text. */
export type ReadRecord =
  | { line: number; value: unknown; text?: undefined; error?: undefined; direct?: undefined }
  | { line: number; value?: undefined; text: string; error: string; direct?: undefined }
  /** an NDJSON line the direct lane took as it is, unparsed (see src/logs/direct.ts) */
  | { line: number; value?: undefined; text?: undefined; error?: undefined; direct: DirectLine };

/**
 * Offers each NDJSON line to `take` before it is parsed; a line it returns a DirectLine for is passed on unparsed.
 * The importer sets `take` once it knows the provider, so the records it detects the provider from are parsed.
 */
export interface DirectLane {
  /**
   * The line is bytes[start, end) without its newline. `bytes` is a chunk as the stream gave it (file, stdin and
   * gunzip streams hand out a new buffer each time, never refilled), so a DirectLine may point into it.
   */
  take?: (bytes: Buffer, start: number, end: number, line: number) => DirectLine | undefined;
}

export interface ReadOptions {
  /** Records longer than this many bytes are rejected (default 1 MiB). */
  maxRecordBytes?: number;
  /** Sees every raw (still compressed) chunk: for hashing the input and reporting progress in bytes. */
  onBytes?: (chunk: Buffer) => void;
  direct?: DirectLane;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
// A rejected record keeps only this much of its text in the rejects file.
const REJECT_TEXT_LIMIT = 2048;
// Parsed records are handed on a few hundred at a time rather than a whole chunk (~600 typical records) at once: the
// records waiting in a batch survive the young-generation collections that happen meanwhile, and copying them was
// most of the importer's garbage-collection time.
const RECORDS_PER_YIELD = 256;
export const PAGE_KEYS = ['data', 'items', 'value', 'events', 'logs', 'records', 'activities'] as const;

// Lines the direct lane takes point into their chunk until they are staged, and chunks are freed by a full garbage
// collection: 256 KiB chunks kept 12-15 MB of them alive at the import's peak, 1 MiB chunks 19-21 MB, at the same speed.
const CHUNK_BYTES = 256 * 1024;

export function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: CHUNK_BYTES });
}

/** Yields every record of the input with the 1-based line it starts on. */
export async function* readRecords(input: Readable, options: ReadOptions = {}): AsyncGenerator<ReadRecord> {
  for await (const records of readRecordBatches(input, options)) yield* records;
}

/**
 * The records of each input chunk together: one async step per chunk instead of per record, which is most of the
 * reader's cost on small NDJSON lines. Order and line numbers are those of readRecords.
 */
export async function* readRecordBatches(input: Readable, options: ReadOptions = {}): AsyncGenerator<ReadRecord[]> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const chunks = decodeIfUtf16(decompressIfGzip(input, options.onBytes));
  const first = await chunks.next();
  if (first.done) return;
  let head: Buffer = first.value;
  // skip a UTF-8 byte-order mark and leading blank space to see what kind of document this is
  let start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (start < head.length && isSpace(head[start]!)) start++;
  const firstByte = head[start];
  const rest = prepend(head, chunks);
  if (firstByte === 0x5b /* [ */) {
    yield* new JsonStreamScanner('array', maxBytes).scan(rest);
    return;
  }
  if (firstByte === 0x7b /* { */) {
    // NDJSON when the first line is a complete JSON value, or else when the next lines (up to two) are JSON objects:
    // the first is then a truncated or corrupt record, reported as such. Otherwise one (pretty-printed) page object,
    // which may hold a record on its second line, but then closes its array on the third.
    const leading = await leadingLines(head, chunks, maxBytes, 3);
    head = leading.buffered;
    const [first, ...next] = leading.lines;
    const ndjson = first !== undefined && (jsonOf(first.replace(/^\uFEFF/, '')) !== undefined || (next.length > 0 && next.every((line) => asObject(jsonOf(line)?.value) !== undefined)));
    const all = prepend(head, chunks);
    if (ndjson) yield* expandPages(readLines(all, maxBytes, options.direct));
    else yield* new JsonStreamScanner('object', maxBytes).scan(all);
    return;
  }
  yield* readLines(rest, maxBytes, options.direct);
}

async function* decompressIfGzip(input: Readable, onBytes: ((chunk: Buffer) => void) | undefined): AsyncGenerator<Buffer> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await iterator.next();
  if (first.done) return;
  const firstChunk = toBuffer(first.value);
  onBytes?.(firstChunk);
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      yield firstChunk;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const chunk = toBuffer(next.value);
        onBytes?.(chunk);
        yield chunk;
      }
    },
  };
  if (firstChunk[0] === 0x1f && firstChunk[1] === 0x8b) {
    const gunzip = zlib().createGunzip();
    const pump = (async () => {
      try {
        for await (const chunk of rest) if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    })();
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (error) {
      throw new GzipError(`not a valid gzip file: ${(error as Error).message}`);
    }
    await pump;
  } else {
    yield* rest;
  }
}

export class GzipError extends Error {}

/**
 * Logs saved as UTF-16 read as if saved as UTF-8: Windows PowerShell 5 writes UTF-16 with `>` and `Out-File`, the
 * usual way Entra ID and other exports reach a file there. Told by the byte-order mark, else by the zero bytes of
 * ASCII text around the first character (as RFC 4627 tells JSON's encoding); anything else passes through untouched.
 */
async function* decodeIfUtf16(chunks: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  // four bytes tell the encoding; a pipe may hand them over in smaller pieces
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await chunks.next();
    if (next.done) break;
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  if (head.length === 0) return;
  const encoding =
    (head[0] === 0xff && head[1] === 0xfe) || (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0)
      ? 'utf-16le'
      : (head[0] === 0xfe && head[1] === 0xff) || (head.length >= 4 && head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0)
        ? 'utf-16be'
        : undefined;
  if (encoding === undefined) {
    yield head;
    yield* chunks;
    return;
  }
  // the decoder drops the byte-order mark and carries a character split between two chunks over to the next
  const decoder = new TextDecoder(encoding);
  yield Buffer.from(decoder.decode(head, { stream: true }), 'utf8');
  for await (const chunk of chunks) yield Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
  const tail = decoder.decode();
  if (tail !== '') yield Buffer.from(tail, 'utf8');
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Reads ahead until `count` lines are whole (each bounded by maxBytes) and hands back those lines and everything
 * read so far. Blank lines are skipped; a line cut off by maxBytes or the end of the input ends the list.
 */
async function leadingLines(head: Buffer, rest: AsyncIterator<Buffer>, maxBytes: number, count: number): Promise<{ lines: string[]; buffered: Buffer }> {
  let buffered = head;
  for (;;) {
    const lines: string[] = [];
    let from = 0;
    for (let newline = buffered.indexOf(0x0a); newline >= 0 && lines.length < count; newline = buffered.indexOf(0x0a, from)) {
      const line = buffered.toString('utf8', from, newline);
      if (line.trim() !== '') lines.push(line);
      from = newline + 1;
    }
    if (lines.length === count || buffered.length - from > maxBytes) return { lines, buffered };
    const next = await rest.next();
    if (next.done) {
      const last = buffered.toString('utf8', from);
      return { lines: last.trim() === '' ? lines : [...lines, last], buffered };
    }
    buffered = Buffer.concat([buffered, next.value]);
  }
}

/** The JSON value the text is, boxed (so a text that is `null` is told from one that is no JSON), or undefined. */
function jsonOf(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Splits bytes into lines; a line longer than maxBytes is skipped to its end and reported, not buffered. */
async function* readLines(chunks: AsyncIterable<Buffer>, maxBytes: number, lane: DirectLane = {}): AsyncGenerator<ReadRecord[]> {
  let lineNumber = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let oversizedPrefix = '';
  let out: ReadRecord[] = [];
  const finish = (lineText: string | undefined): void => {
    lineNumber++;
    if (oversized) {
      out.push({ line: lineNumber, text: oversizedPrefix, error: `record too long (more than ${maxBytes} bytes)` });
      oversized = false;
      oversizedPrefix = '';
      return;
    }
    if (lineText === undefined) return;
    const record = parseLine(lineText, lineNumber);
    if (record) out.push(record);
  };
  // a whole line as bytes: offered to the direct lane first, decoded and parsed when it does not take it
  const finishBytes = (bytes: Buffer, start: number, end: number): void => {
    const direct = lane.take?.(bytes, start, end, lineNumber + 1);
    if (direct) {
      lineNumber++;
      out.push({ line: lineNumber, direct });
      return;
    }
    finish(bytes.toString('utf8', start, end));
  };
  for await (const chunk of chunks) {
    if (out.length > 0) {
      yield out;
      out = [];
    }
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, from);
      if (newline < 0) break;
      if (oversized) {
        finish(undefined);
      } else if (pending.length > 0) {
        const whole = Buffer.concat([...pending, chunk.subarray(from, newline)]);
        pending = [];
        pendingBytes = 0;
        if (whole.length > maxBytes) {
          oversized = true;
          oversizedPrefix = whole.subarray(0, REJECT_TEXT_LIMIT).toString('utf8');
          finish(undefined);
        } else {
          finishBytes(whole, 0, whole.length);
        }
      } else if (newline - from > maxBytes) {
        oversized = true;
        oversizedPrefix = chunk.toString('utf8', from, from + REJECT_TEXT_LIMIT);
        finish(undefined);
      } else {
        // read straight from the chunk: a line inside one chunk is whole UTF-8, and no Buffer view is made per line
        finishBytes(chunk, from, newline);
      }
      from = newline + 1;
      if (out.length >= RECORDS_PER_YIELD) {
        yield out;
        out = [];
      }
    }
    if (from < chunk.length) {
      const tail = chunk.subarray(from);
      if (oversized) continue;
      pendingBytes += tail.length;
      if (pendingBytes > maxBytes) {
        oversized = true;
        oversizedPrefix = Buffer.concat([...pending, tail]).subarray(0, REJECT_TEXT_LIMIT).toString('utf8');
        pending = [];
        pendingBytes = 0;
      } else {
        // copy: the stream may reuse its chunk buffers
        pending.push(Buffer.from(tail));
      }
    }
  }
  if (oversized) finish(undefined);
  else if (pending.length > 0) {
    const last = Buffer.concat(pending);
    finishBytes(last, 0, last.length);
  }
  if (out.length > 0) yield out;
}

function parseLine(text: string, line: number): ReadRecord | undefined {
  try {
    return { line, value: parseLogJson(text) };
  } catch (error) {
    // JSON.parse skips JSON's own whitespace; blank lines, a byte-order mark and other Unicode space are trimmed here,
    // only on this rare path rather than for every line
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    let reason = error as Error;
    if (trimmed !== text) {
      try {
        return { line, value: parseLogJson(trimmed) };
      } catch (retried) {
        reason = retried as Error;
      }
    }
    return { line, text: trimmed.slice(0, REJECT_TEXT_LIMIT), error: `invalid JSON: ${reason.message}` };
  }
}

/** An NDJSON line may itself be one API page (`{"data":[...]}`); its records are yielded one by one. */
async function* expandPages(batches: AsyncIterable<ReadRecord[]>): AsyncGenerator<ReadRecord[]> {
  for await (const records of batches) {
    if (!records.some((record) => record.error === undefined && pageItems(record.value) !== undefined)) {
      yield records;
      continue;
    }
    const out: ReadRecord[] = [];
    for (const record of records) {
      const items = record.error === undefined ? pageItems(record.value) : undefined;
      if (items) for (const value of items) out.push({ line: record.line, value });
      else out.push(record);
    }
    yield out;
  }
}

export function pageItems(value: unknown): unknown[] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  for (const key of PAGE_KEYS) {
    const items = object[key];
    // a page holds records and little else; an event that merely has a `data` array keeps its other fields
    if (Array.isArray(items) && items.every((item) => item !== null && typeof item === 'object') && !('id' in object) && !('time' in object) && !('timestamp' in object) && !('published' in object) && !('date' in object)) {
      return items;
    }
  }
  return undefined;
}

/**
 * A character scanner for a top-level JSON array, or an object whose page key holds the records array. It tracks
 * strings, escapes and nesting only, and hands each record's text to JSON.parse, so memory is one record.
 */
class JsonStreamScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private recordsDepth: number;
  private recordsActive: boolean;
  private capturing = false;
  private captureStartLine = 0;
  private captureParts: string[] = [];
  private captureLength = 0;
  private captureTooLong = false;
  private captureIsString = false;
  // object mode: the last key read at depth 1 and whether we are reading a key
  private keyParts: string[] | undefined;
  private lastKey = '';
  private expectKey = true;
  private sawRecordsArray = false;

  constructor(private readonly mode: 'array' | 'object', private readonly maxBytes: number) {
    this.recordsDepth = mode === 'array' ? 1 : 2;
    this.recordsActive = false;
  }

  async *scan(chunks: AsyncIterable<Buffer>): AsyncGenerator<ReadRecord[]> {
    const decoder = new TextDecoder('utf-8');
    const out: ReadRecord[] = [];
    for await (const chunk of chunks) {
      this.feed(decoder.decode(chunk, { stream: true }), out);
      if (out.length > 0) yield out.splice(0);
    }
    this.feed(decoder.decode(), out);
    if (this.capturing) {
      out.push({ line: this.captureStartLine, text: this.captureText(), error: 'truncated JSON at end of file' });
    } else if (this.depth > 0) {
      out.push({ line: this.line, text: '', error: 'truncated JSON at end of file (unclosed array or object)' });
    } else if (this.mode === 'object' && !this.sawRecordsArray) {
      out.push({ line: 1, text: '', error: `JSON object without a records array (expected one of: ${PAGE_KEYS.join(', ')})` });
    }
    if (out.length > 0) yield out.splice(0);
  }

  private feed(text: string, out: ReadRecord[]): void {
    let segmentStart = this.capturing ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) {
          this.inString = false;
          if (this.keyParts) {
            this.keyParts.push(text.slice(this.keyStart, i));
            this.lastKey = this.keyParts.join('');
            this.keyParts = undefined;
          }
          if (this.capturing && this.captureIsString && this.depth === this.recordsDepth) {
            this.appendCapture(text, segmentStart, i + 1);
            this.endCapture(out);
            segmentStart = -1;
          }
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      const atRecordLevel = this.recordsActive && this.depth === this.recordsDepth;
      if (atRecordLevel && !this.capturing && c !== 44 /* , */ && c !== 93 /* ] */) {
        this.startCapture();
        segmentStart = i;
        this.captureIsString = c === 34;
      }
      if (c === 34) {
        this.inString = true;
        if (this.mode === 'object' && this.depth === 1 && this.expectKey) {
          this.keyParts = [];
          this.keyStart = i + 1;
        }
        continue;
      }
      if (this.mode === 'object' && this.depth === 1) {
        if (c === 58 /* : */) this.expectKey = false;
        else if (c === 44) this.expectKey = true;
      }
      if (c === 123 /* { */ || c === 91 /* [ */) {
        this.depth++;
        if (this.mode === 'array' && this.depth === 1) this.recordsActive = true;
        if (this.mode === 'object' && this.depth === 2 && c === 91 && (PAGE_KEYS as readonly string[]).includes(this.lastKey) && !this.sawRecordsArray) {
          this.recordsActive = true;
          this.sawRecordsArray = true;
        }
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        if (this.capturing && this.depth === this.recordsDepth && !this.captureIsString) {
          // a scalar element ends at the closing bracket of the records array
          this.appendCapture(text, segmentStart, i);
          this.endCapture(out);
          segmentStart = -1;
        }
        this.depth--;
        if (this.depth < this.recordsDepth) this.recordsActive = false;
        if (this.capturing && this.depth === this.recordsDepth) {
          this.appendCapture(text, segmentStart, i + 1);
          this.endCapture(out);
          segmentStart = -1;
        }
      } else if (c === 44 && this.capturing && this.depth === this.recordsDepth) {
        this.appendCapture(text, segmentStart, i);
        this.endCapture(out);
        segmentStart = -1;
      }
    }
    if (this.capturing && segmentStart >= 0) this.appendCapture(text, segmentStart, text.length);
    if (this.keyParts && this.inString) {
      this.keyParts.push(text.slice(this.keyStart));
      this.keyStart = 0;
    }
  }

  private keyStart = 0;

  private startCapture(): void {
    this.capturing = true;
    this.captureStartLine = this.line;
    this.captureParts = [];
    this.captureLength = 0;
    this.captureTooLong = false;
  }

  private appendCapture(text: string, from: number, to: number): void {
    if (this.captureTooLong || to <= from) return;
    this.captureLength += to - from;
    if (this.captureLength > this.maxBytes) {
      this.captureTooLong = true;
      const kept = this.captureParts.join('') + text.slice(from, to);
      this.captureParts = [kept.slice(0, REJECT_TEXT_LIMIT)];
      return;
    }
    this.captureParts.push(text.slice(from, to));
  }

  private captureText(): string {
    return this.captureParts.join('').slice(0, REJECT_TEXT_LIMIT);
  }

  private endCapture(out: ReadRecord[]): void {
    this.capturing = false;
    this.captureIsString = false;
    if (this.captureTooLong) {
      out.push({ line: this.captureStartLine, text: this.captureText(), error: `record too long (more than ${this.maxBytes} bytes)` });
      return;
    }
    const text = this.captureParts.join('');
    this.captureParts = [];
    try {
      out.push({ line: this.captureStartLine, value: parseLogJson(text) });
    } catch (error) {
      out.push({ line: this.captureStartLine, text: text.slice(0, REJECT_TEXT_LIMIT), error: `invalid JSON: ${(error as Error).message}` });
    }
  }
}
