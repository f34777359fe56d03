/**
 * The first parser tried: one pass over the lines of the plain block-style YAML registry files are written in,
 * building the same values and position index as the other fast path (js-yaml events) in a fraction of the time.
 *
 * It takes a deliberately small subset: `---` separators, comments, block mappings with plain or quoted one-line
 * keys, block sequences (with `- key: value` compact mappings), one-line plain and quoted scalars, one-line flow
 * collections of those, empty values. Everything else (tabs, block scalars, multi-line scalars, anchors, aliases,
 * tags, directives, `?` keys, `...`, duplicate keys, odd indentation, escapes it does not know) makes it answer
 * "not mine", and the file goes to the next parser, which is never worse. A wrong value or position costs more
 * than a slower parse, so when in doubt it refuses; the generative test in test/registry checks every text it takes
 * against the `yaml` library.
 */
import { LIMITS, located, plainScalarValue, setEntry, type IndexedParse, type Located } from './yaml-index.ts';

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const COMMA = 0x2c;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CR = 0x0d;
const PERCENT = 0x25;
const DOT = 0x2e;

/**
 * Text the subset cannot take anywhere: tabs, a CR that does not end a line, control characters, NEL, the Unicode
 * line and paragraph separators, a byte-order mark, unpaired surrogates, non-characters.
 */
const OUTSIDE_SUBSET = /\r(?!\n)|[^\n\r\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/** Characters that may not start a plain scalar here (or that start syntax the subset leaves to the other parsers). */
const NOT_PLAIN_START = new Set([..."?:,[]{}#&*!|>'\"%@`"].map((ch) => ch.charCodeAt(0)));

/** Keys with flow indicators are valid YAML but never registry names: left to the other parsers. */
const UNUSUAL_KEY = /[[\]{},]/;

/**
 * Deeper nesting than registry files use (`{emails: [a, b]}` is two flow levels): refused, so the two together stay
 * well below LIMITS.maxDepth and the thorough parser words every limit.
 */
const MAX_FLOW_DEPTH = 8;
const MAX_BLOCK_DEPTH = 32;

/** Longest implicit key YAML allows is 1024 characters; well below it, no parser can disagree. */
const MAX_KEY_LENGTH = 1000;

/** How a plain scalar ended: at the line's end, a comment, a `:` making it a key (at `colonAt`), or `,` `]` `}` in a flow. */
const Stop = { LineEnd: 0, Comment: 1, Colon: 2, FlowIndicator: 3 } as const;
type Stop = (typeof Stop)[keyof typeof Stop];

/** The double-quoted escapes the subset takes (\x and \u are read apart); any other makes the file not mine. */
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '0': '\0',
};

// thrown (one instance, no stack captured per refusal) to leave the parse from any depth
const NOT_MINE = new Error('not plain block YAML');

function refuse(): never {
  throw NOT_MINE;
}

/** An open block collection: a mapping or a sequence, at the column of its keys or dashes. */
interface Collection {
  indent: number;
  node: Located;
  mapping: Record<string, unknown> | undefined;
  sequence: unknown[] | undefined;
  /** A sequence written at its key's indentation (`key:` then `- item`): the next key at that column closes it. */
  atKeyIndent: boolean;
}

/**
 * Parses `text` if it lies wholly inside the subset; undefined means "not mine" and the caller tries the next parser.
 */
export function parseBlockYaml(text: string): IndexedParse | undefined {
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    return new BlockParser(text).parse();
  } catch (error) {
    if (error === NOT_MINE) return undefined;
    throw error;
  }
}

class BlockParser {
  private readonly values: unknown[] = [];
  private readonly roots: Array<Located | undefined> = [];
  private stack: Collection[] = [];
  /** The current document has begun: content or an explicit `---` was seen. */
  private documentStarted = false;
  private documentValue: unknown = null;
  private documentRoot: Located | undefined = undefined;

  // a `key:` or `-` with nothing after it on its line: null, unless the next line opens a nested collection
  private pendingParent: Collection | undefined = undefined;
  private pendingKey = '';
  private pendingKeyStart = -1;
  private pendingNullAt = -1;

  // results of the scanners, read right after each call (no allocation per scalar)
  private stop: Stop = Stop.LineEnd;
  private colonAt = -1;
  private scalarText = '';
  private result: unknown = null;

  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  parse(): IndexedParse {
    const text = this.text;
    const length = text.length;
    let next = 0;
    while (next <= length) {
      const lineStart = next;
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = length;
      next = lineEnd + 1;
      const end = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
      let i = lineStart;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i === end) continue; // blank
      const first = text.charCodeAt(i);
      if (first === HASH) continue; // a comment line, at any indentation
      if (i === lineStart) {
        if (first === DASH && text.startsWith('---', i)) {
          // `--- value`, `---x` and the like are not separators this parser takes
          if (i + 3 < end && text.charCodeAt(i + 3) !== SPACE) refuse();
          this.trailing(i + 3, end);
          this.startDocument();
          continue;
        }
        if (first === PERCENT || (first === DOT && text.startsWith('...', i))) refuse(); // directives, document end
      }
      this.line(i, end, i - lineStart);
    }
    this.endDocument();
    return { values: this.values, roots: this.roots };
  }

  private startDocument(): void {
    this.endDocument();
    this.documentStarted = true;
  }

  private endDocument(): void {
    this.resolvePendingAsNull();
    if (this.documentStarted) {
      if (this.values.length === LIMITS.maxDocuments) refuse(); // the thorough parser words the limit
      this.values.push(this.documentValue);
      this.roots.push(this.documentRoot);
    }
    this.stack = [];
    this.documentStarted = false;
    this.documentValue = null;
    this.documentRoot = undefined;
  }

  /** One line's content, from its first non-blank character `i` (at column `indent`) to `end`. */
  private line(i: number, end: number, indent: number): void {
    const text = this.text;
    const dash = text.charCodeAt(i) === DASH && (i + 1 === end || text.charCodeAt(i + 1) === SPACE);
    const parent = this.pendingParent;
    if (parent !== undefined) {
      // a sequence may sit at its key's own indentation; anything else nested is indented further
      const atKeyIndent = indent === parent.indent && dash && parent.mapping !== undefined;
      if (indent > parent.indent || atKeyIndent) {
        const collection = this.open(i, indent, dash);
        collection.atKeyIndent = atKeyIndent;
        this.attach(parent, this.pendingKey, this.pendingKeyStart, collection.mapping ?? collection.sequence, collection.node);
        this.pendingParent = undefined;
        this.entry(collection, i, end, indent, dash);
        return;
      }
      this.resolvePendingAsNull();
    }
    const stack = this.stack;
    if (stack.length === 0) {
      if (this.documentRoot !== undefined) refuse();
      const root = this.open(i, indent, dash);
      this.documentStarted = true;
      this.documentValue = root.mapping ?? root.sequence;
      this.documentRoot = root.node;
      this.entry(root, i, end, indent, dash);
      return;
    }
    let top = stack[stack.length - 1]!;
    while (top.indent > indent || (top.atKeyIndent && top.indent === indent && !dash)) {
      stack.pop();
      if (stack.length === 0) refuse(); // less indented than the document's root
      top = stack[stack.length - 1]!;
    }
    if (top.indent !== indent || dash !== (top.sequence !== undefined)) refuse();
    this.entry(top, i, end, indent, dash);
  }

  private open(start: number, indent: number, sequence: boolean): Collection {
    if (this.stack.length >= MAX_BLOCK_DEPTH) refuse();
    const node = located(start);
    let collection: Collection;
    if (sequence) {
      node.items = [];
      collection = { indent, node, mapping: undefined, sequence: [], atKeyIndent: false };
    } else {
      node.entries = new Map();
      collection = { indent, node, mapping: {}, sequence: undefined, atKeyIndent: false };
    }
    this.stack.push(collection);
    return collection;
  }

  private attach(parent: Collection, key: string, keyStart: number, value: unknown, node: Located): void {
    if (parent.sequence !== undefined) {
      parent.sequence.push(value);
      parent.node.items!.push(node);
    } else {
      node.key = keyStart;
      parent.node.entries!.set(key, node);
      setEntry(parent.mapping!, key, value);
    }
  }

  private resolvePendingAsNull(): void {
    const parent = this.pendingParent;
    if (parent === undefined) return;
    this.pendingParent = undefined;
    this.attach(parent, this.pendingKey, this.pendingKeyStart, null, located(this.pendingNullAt));
  }

  private entry(collection: Collection, i: number, end: number, indent: number, dash: boolean): void {
    if (dash) this.sequenceEntry(collection, i, end, indent);
    else this.mappingEntry(collection, i, end);
  }

  /** `key: value` or `key:` at `i`, in `mapping`. */
  private mappingEntry(mapping: Collection, i: number, end: number): void {
    const afterColon = this.mappingKey(i, end, false);
    const key = this.scalarText;
    this.checkKey(mapping, key);
    this.value(mapping, key, i, afterColon, end);
  }

  /**
   * The key of a mapping entry at `i`, quoted or plain (read as a block or a flow scalar), refused unless its `:`
   * follows: the index after the colon; the key in `scalarText`.
   */
  private mappingKey(i: number, end: number, inFlow: boolean): number {
    const first = this.text.charCodeAt(i);
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      const close = this.quoted(i, end);
      if (!this.isKeyColon(close, end)) refuse();
      return close + 1;
    }
    this.plainStartOrRefuse(i, end);
    const keyEnd = inFlow ? this.flowPlain(i, end) : this.blockPlain(i, end);
    if (this.stop !== Stop.Colon) refuse(); // in a flow, a key without a value
    this.scalarText = this.plainKey(i, keyEnd);
    return this.colonAt + 1;
  }

  /** `- item`, `- key: value` or `-` at `i`, in `sequence`. */
  private sequenceEntry(sequence: Collection, i: number, end: number, indent: number): void {
    const text = this.text;
    let v = i + 1;
    while (v < end && text.charCodeAt(v) === SPACE) v++;
    if (v === end || text.charCodeAt(v) === HASH) {
      this.pend(sequence, '', -1, v);
      return;
    }
    const first = text.charCodeAt(v);
    if (first === DASH && (v + 1 === end || text.charCodeAt(v + 1) === SPACE)) refuse(); // `- - x`
    let key: string;
    let afterColon: number;
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      const close = this.quoted(v, end);
      if (!this.isKeyColon(close, end)) {
        this.trailing(close, end);
        this.attach(sequence, '', -1, this.scalarText, located(v));
        return;
      }
      key = this.scalarText;
      afterColon = close + 1;
    } else if (first === OPEN_BRACKET || first === OPEN_BRACE) {
      const node = located(v);
      this.trailing(this.flowNode(v, end, node, 0), end);
      this.attach(sequence, '', -1, this.result, node);
      return;
    } else {
      this.plainStartOrRefuse(v, end);
      const scalarEnd = this.blockPlain(v, end);
      if (this.stop !== Stop.Colon) {
        this.attach(sequence, '', -1, plainScalarValue(text.slice(v, scalarEnd)), located(v));
        return;
      }
      key = this.plainKey(v, scalarEnd);
      afterColon = this.colonAt + 1;
    }
    // a compact mapping: its keys line up with the first one, after the dash
    const mapping = this.open(v, indent + (v - i), false);
    this.attach(sequence, '', -1, mapping.mapping, mapping.node);
    this.checkKey(mapping, key);
    this.value(mapping, key, v, afterColon, end);
  }

  /** What follows `key:` on its line: a scalar or flow collection, or nothing (null or a nested block). */
  private value(mapping: Collection, key: string, keyStart: number, afterColon: number, end: number): void {
    const text = this.text;
    let v = afterColon;
    while (v < end && text.charCodeAt(v) === SPACE) v++;
    if (v === end || text.charCodeAt(v) === HASH) {
      this.pend(mapping, key, keyStart, v);
      return;
    }
    const node = located(v);
    const first = text.charCodeAt(v);
    let value: unknown;
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      this.trailing(this.quoted(v, end), end);
      value = this.scalarText;
    } else if (first === OPEN_BRACKET || first === OPEN_BRACE) {
      this.trailing(this.flowNode(v, end, node, 0), end);
      value = this.result;
    } else {
      this.plainStartOrRefuse(v, end);
      const scalarEnd = this.blockPlain(v, end);
      if (this.stop === Stop.Colon) refuse(); // `key: a: b`
      value = plainScalarValue(text.slice(v, scalarEnd));
    }
    this.attach(mapping, key, keyStart, value, node);
  }

  private pend(parent: Collection, key: string, keyStart: number, nullAt: number): void {
    this.pendingParent = parent;
    this.pendingKey = key;
    this.pendingKeyStart = keyStart;
    this.pendingNullAt = nullAt;
  }

  /** A key the subset takes: text under the core schema, not a merge key, not repeated in its mapping. */
  private checkKey(mapping: Collection, key: string): void {
    if (key.length > MAX_KEY_LENGTH || key === '<<' || mapping.node.entries!.has(key)) refuse();
  }

  private plainKey(start: number, end: number): string {
    const source = this.text.slice(start, end);
    // a key that is not text (a number, a boolean, null) is left to the other parsers' rules
    if (UNUSUAL_KEY.test(source) || typeof plainScalarValue(source) !== 'string') refuse();
    return source;
  }

  /** A `:` right after a quoted key, followed by a space or the line's end. */
  private isKeyColon(at: number, end: number): boolean {
    return at < end && this.text.charCodeAt(at) === COLON && (at + 1 === end || this.text.charCodeAt(at + 1) === SPACE);
  }

  /** After a complete value: only blanks, then the line's end or a comment. */
  private trailing(at: number, end: number): void {
    const text = this.text;
    let i = at;
    while (i < end && text.charCodeAt(i) === SPACE) i++;
    if (i === end) return;
    if (i === at || text.charCodeAt(i) !== HASH) refuse();
  }

  private plainStartOrRefuse(at: number, end: number): void {
    const first = this.text.charCodeAt(at);
    if (NOT_PLAIN_START.has(first)) refuse();
    if (first === DASH) {
      const second = at + 1 < end ? this.text.charCodeAt(at + 1) : SPACE;
      if (second === SPACE || second === COMMA || second === CLOSE_BRACKET || second === CLOSE_BRACE) refuse();
    }
  }

  /** A block plain scalar from `start` (a valid first character): its end with trailing blanks trimmed; `stop` says why. */
  private blockPlain(start: number, end: number): number {
    const text = this.text;
    for (let j = start + 1; j < end; j++) {
      const ch = text.charCodeAt(j);
      if (ch === COLON) {
        if (j + 1 === end || text.charCodeAt(j + 1) === SPACE) {
          this.stop = Stop.Colon;
          this.colonAt = j;
          return this.trimEnd(start, j);
        }
      } else if (ch === HASH && text.charCodeAt(j - 1) === SPACE) {
        this.stop = Stop.Comment;
        return this.trimEnd(start, j);
      }
    }
    this.stop = Stop.LineEnd;
    return this.trimEnd(start, end);
  }

  private trimEnd(start: number, end: number): number {
    let e = end;
    while (e > start && this.text.charCodeAt(e - 1) === SPACE) e--;
    return e;
  }

  /** A one-line quoted scalar at `start`: the index after its closing quote; its text in `scalarText`. */
  private quoted(start: number, end: number): number {
    const text = this.text;
    const quote = text.charCodeAt(start);
    let value = '';
    let from = start + 1;
    for (let j = start + 1; j < end; j++) {
      const ch = text.charCodeAt(j);
      if (ch === quote) {
        if (quote === SINGLE_QUOTE && j + 1 < end && text.charCodeAt(j + 1) === SINGLE_QUOTE) {
          value += text.slice(from, j + 1); // '' is one quote
          j++;
          from = j + 1;
          continue;
        }
        this.scalarText = value + text.slice(from, j);
        return j + 1;
      }
      if (ch === BACKSLASH && quote === DOUBLE_QUOTE) {
        value += text.slice(from, j);
        j = this.escape(j, end);
        value += this.scalarText;
        from = j + 1;
      }
    }
    return refuse(); // the scalar goes on over the next line
  }

  /** The escape at `at` (its backslash) in a double-quoted scalar: the index of its last character; its text in `scalarText`. */
  private escape(at: number, end: number): number {
    if (at + 1 >= end) refuse();
    const code = this.text.charAt(at + 1);
    const simple = SIMPLE_ESCAPES[code];
    if (simple !== undefined) {
      this.scalarText = simple;
      return at + 1;
    }
    const digits = code === 'x' ? 2 : code === 'u' ? 4 : 0;
    if (digits === 0 || at + 1 + digits >= end) refuse();
    const hex = this.text.slice(at + 2, at + 2 + digits);
    if (!/^[0-9a-fA-F]+$/.test(hex)) refuse();
    const codePoint = Number.parseInt(hex, 16);
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) refuse(); // surrogate halves: pairing rules differ between parsers
    this.scalarText = String.fromCharCode(codePoint);
    return at + 1 + digits;
  }

  /** A node inside a flow collection (or the flow collection after `key:`): the index after it; its value in `result`. */
  private flowNode(start: number, end: number, node: Located, depth: number): number {
    if (start >= end) refuse();
    const text = this.text;
    const first = text.charCodeAt(start);
    if (first === OPEN_BRACKET) return this.flowSequence(start, end, node, depth + 1);
    if (first === OPEN_BRACE) return this.flowMapping(start, end, node, depth + 1);
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      const next = this.quoted(start, end);
      this.result = this.scalarText;
      return next;
    }
    this.plainStartOrRefuse(start, end);
    const scalarEnd = this.flowPlain(start, end);
    if (this.stop === Stop.Colon) refuse(); // `[a: b]`, a single-pair mapping
    this.result = plainScalarValue(text.slice(start, scalarEnd));
    return scalarEnd;
  }

  private flowSequence(start: number, end: number, node: Located, depth: number): number {
    if (depth > MAX_FLOW_DEPTH) refuse();
    const items: unknown[] = [];
    const nodes: Located[] = [];
    node.items = nodes;
    let p = this.skipSpaces(start + 1, end);
    if (p < end && this.text.charCodeAt(p) === CLOSE_BRACKET) {
      this.result = items;
      return p + 1;
    }
    for (;;) {
      const child = located(p);
      p = this.skipSpaces(this.flowNode(p, end, child, depth), end);
      items.push(this.result);
      nodes.push(child);
      if (p >= end) refuse(); // the sequence goes on over the next line
      const ch = this.text.charCodeAt(p);
      if (ch === CLOSE_BRACKET) {
        this.result = items;
        return p + 1;
      }
      if (ch !== COMMA) refuse();
      p = this.skipSpaces(p + 1, end);
      if (p >= end || this.text.charCodeAt(p) === CLOSE_BRACKET) refuse(); // a trailing comma
    }
  }

  private flowMapping(start: number, end: number, node: Located, depth: number): number {
    if (depth > MAX_FLOW_DEPTH) refuse();
    const text = this.text;
    const mapping: Record<string, unknown> = {};
    const entries = new Map<string, Located>();
    node.entries = entries;
    let p = this.skipSpaces(start + 1, end);
    if (p < end && text.charCodeAt(p) === CLOSE_BRACE) {
      this.result = mapping;
      return p + 1;
    }
    for (;;) {
      if (p >= end) refuse();
      const keyStart = p;
      p = this.mappingKey(p, end, true);
      const key = this.scalarText;
      if (key.length > MAX_KEY_LENGTH || key === '<<' || entries.has(key)) refuse();
      p = this.skipSpaces(p, end);
      if (p >= end) refuse();
      const ch = text.charCodeAt(p);
      if (ch === COMMA || ch === CLOSE_BRACE || ch === HASH) refuse(); // an empty value
      const child = located(p);
      p = this.skipSpaces(this.flowNode(p, end, child, depth), end);
      child.key = keyStart;
      entries.set(key, child);
      setEntry(mapping, key, this.result);
      if (p >= end) refuse();
      const after = text.charCodeAt(p);
      if (after === CLOSE_BRACE) {
        this.result = mapping;
        return p + 1;
      }
      if (after !== COMMA) refuse();
      p = this.skipSpaces(p + 1, end);
      if (p >= end || text.charCodeAt(p) === CLOSE_BRACE) refuse(); // a trailing comma
    }
  }

  /** A plain scalar inside a flow collection: its end with trailing blanks trimmed; `stop` says why it ended. */
  private flowPlain(start: number, end: number): number {
    const text = this.text;
    for (let j = start + 1; j < end; j++) {
      const ch = text.charCodeAt(j);
      if (ch === COMMA || ch === CLOSE_BRACKET || ch === CLOSE_BRACE) {
        this.stop = Stop.FlowIndicator;
        return this.trimEnd(start, j);
      }
      if (ch === OPEN_BRACKET || ch === OPEN_BRACE) refuse();
      if (ch === COLON) {
        const next = j + 1 < end ? text.charCodeAt(j + 1) : SPACE;
        if (next === SPACE || next === COMMA || next === CLOSE_BRACKET || next === CLOSE_BRACE) {
          this.stop = Stop.Colon;
          this.colonAt = j;
          return this.trimEnd(start, j);
        }
        if (next === OPEN_BRACKET || next === OPEN_BRACE || next === SINGLE_QUOTE || next === DOUBLE_QUOTE) refuse();
      } else if (ch === HASH && text.charCodeAt(j - 1) === SPACE) {
        refuse(); // a comment inside an open flow collection
      }
    }
    return refuse(); // the collection goes on over the next line
  }

  private skipSpaces(at: number, end: number): number {
    let i = at;
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }
}
