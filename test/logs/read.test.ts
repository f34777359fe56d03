import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readRecords, type ReadRecord } from '../../src/logs/read.ts';
import { parseLogJson } from '../../src/logs/json.ts';

async function read(content: string | Buffer, maxRecordBytes?: number, chunkSize = 7): Promise<ReadRecord[]> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  // small chunks so records, strings and escapes straddle chunk boundaries
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: ReadRecord[] = [];
  for await (const record of readRecords(Readable.from(chunks), { maxRecordBytes })) out.push(record);
  return out;
}

describe('readRecords', () => {
  it('reads NDJSON with line numbers, skipping blank lines and reporting bad ones', async () => {
    const records = await read('{"a":1}\n\n{"b":"x\\"y"}\r\n{bad\n{"c":3}');
    expect(records.map((r) => [r.line, r.value ?? r.error?.slice(0, 12)])).toEqual([[1, { a: 1 }], [3, { b: 'x"y' }], [4, 'invalid JSON'], [5, { c: 3 }]]);
  });

  it('reads the same records whether lines straddle chunks or sit inside one (BOM, CRLF, blank and Unicode space, multi-byte text, many lines)', async () => {
    const lines = ['\uFEFF{"a":1}', '  \t ', '{"b":"ü€🙂"}\r', '\u00A0{"c":2}\u00A0', '{bad', ...Array.from({ length: 600 }, (_, i) => `{"n":${i}}`)];
    const text = `${lines.join('\n')}\n`;
    const inOneChunk = await read(text, undefined, 1 << 20);
    expect(await read(text)).toEqual(inOneChunk);
    expect(inOneChunk.slice(0, 4).map((r) => [r.line, r.value ?? r.error?.slice(0, 12)])).toEqual([[1, { a: 1 }], [3, { b: 'ü€🙂' }], [4, { c: 2 }], [5, 'invalid JSON']]);
    expect(inOneChunk).toHaveLength(604);
    expect(inOneChunk.at(-1)).toEqual({ line: 605, value: { n: 599 } });
  });

  it('reads logs saved as UTF-16 (with or without a byte-order mark, either byte order) as their UTF-8 text', async () => {
    const text = '{"a":"ü€🙂"}\r\n\n{"b":2}\n{bad\n[{"c":3}]\n';
    const utf8 = await read(text, undefined, 1 << 20);
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), le, Buffer.concat([Buffer.from([0xfe, 0xff]), be]), be]) {
      // chunks of odd sizes split the two bytes of a character and the four of a surrogate pair
      for (const chunkSize of [1, 3, 7, 1 << 20]) expect(await read(bytes, undefined, chunkSize)).toEqual(utf8);
    }
    expect(utf8.map((r) => r.value ?? r.error?.slice(0, 12))).toEqual([{ a: 'ü€🙂' }, { b: 2 }, 'invalid JSON', [{ c: 3 }]]);
    // a pretty-printed page, as PowerShell's ConvertTo-Json writes it, and the same gzipped
    const page = Buffer.from('\uFEFF{\r\n  "value": [\r\n    {"id": 1},\r\n    {"id": 2}\r\n  ]\r\n}\r\n', 'utf16le');
    expect((await read(page)).map((r) => r.value)).toEqual([{ id: 1 }, { id: 2 }]);
    expect((await read(gzipSync(page))).map((r) => r.value)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('streams a JSON array with the line each element starts on', async () => {
    const records = await read('[\n  {"a": "[1,2]"},\n  {"b": {"c": [3]}}\n, {"d": "}"}]');
    expect(records.map((r) => [r.line, r.value])).toEqual([[2, { a: '[1,2]' }], [3, { b: { c: [3] } }], [4, { d: '}' }]]);
  });

  it.each(['data', 'items', 'value', 'events'])('streams the records of a pretty-printed {"%s": [...]} page', async (key) => {
    const records = await read(`{\n "next": "x",\n "${key}": [\n  {"id": 1},\n  {"id": 2}\n ],\n "other": [9]\n}\n`);
    expect(records.map((r) => r.value)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('reads NDJSON whose first line is a truncated or corrupt record: that line is reported, the rest read', async () => {
    for (const first of ['{"id":1,"ti', '{"id":1}\uFFFD\uFFFD', '{']) {
      const records = await read(`${first}\n\n{"id":2}\n{"id":3}\n`);
      expect(records.map((r) => [r.line, r.value ?? r.error?.slice(0, 12)]), first).toEqual([[1, 'invalid JSON'], [3, { id: 2 }], [4, { id: 3 }]]);
    }
    // a page with its one record on a line of its own is still one page
    expect((await read('{"data": [\n{"id": 1}\n]}\n')).map((r) => r.value)).toEqual([{ id: 1 }]);
    expect((await read('{"data":\n[{"id": 1}]\n}\n')).map((r) => r.value)).toEqual([{ id: 1 }]);
    // a file of one cut-off line is reported as truncated at its end
    expect((await read('{"id":1,"ti\n')).map((r) => r.error?.slice(0, 14))).toEqual(['truncated JSON']);
  });

  it('expands single-line pages in NDJSON', async () => {
    const records = await read('{"data":[{"id":1},{"id":2}]}\n{"data":[{"id":3}]}\n');
    expect(records.map((r) => r.value)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('reports a truncated array element instead of failing', async () => {
    const records = await read('[{"a":1},{"b":');
    expect(records[0]!.value).toEqual({ a: 1 });
    expect(records[1]!.error).toMatch(/truncated/);
  });

  it('reads gzip by its magic bytes', async () => {
    const records = await read(gzipSync('{"a":1}\n{"a":2}\n'), undefined, 5);
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('skips an over-long line with a reason and keeps reading', async () => {
    const long = `{"x":"${'y'.repeat(5000)}"}`;
    const records = await read(`{"a":1}\n${long}\n{"a":2}\n`, 1000, 512);
    expect(records.map((r) => r.value ?? r.error)).toEqual([{ a: 1 }, 'record too long (more than 1000 bytes)', { a: 2 }]);
    expect(records[1]!.line).toBe(2);
    expect(records[1]!.text!.length).toBeLessThanOrEqual(2048);
  });

  it('reads nothing from an empty input', async () => {
    expect(await read('')).toEqual([]);
    expect(await read('\n\n')).toEqual([]);
  });
});

describe('parseLogJson', () => {
  it('replaces escaped halves of surrogate pairs with U+FFFD in strings and keys, at any depth, and keeps whole pairs', () => {
    const text = JSON.stringify({ a: 'x\ud800', nested: [{ 'k\udc00': ['\udbff', 'ok 😀'] }] });
    expect(text).toContain('\\ud800');
    expect(parseLogJson(text)).toEqual({ a: 'x\ufffd', nested: [{ 'k\ufffd': ['\ufffd', 'ok 😀'] }] });
    // a key named __proto__ stays data, as JSON.parse keeps it
    const proto = parseLogJson('{"__proto__":"d\\ud800"}') as Record<string, unknown>;
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
    expect(proto['__proto__']).toBe('d\ufffd');
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    // the same value as JSON.parse whenever there is nothing to replace
    expect(parseLogJson('{"a":"\\ud83d\\ude00","b":[1,null,true]}')).toEqual({ a: '😀', b: [1, null, true] });
  });
});
