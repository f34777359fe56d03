/**
 * Parses one registry file into YAML documents that keep their source positions, refusing hostile input (alias
 * bombs, huge files, deep nesting, too many documents) before it can cost time or memory.
 *
 * Three parsers, one result, tried in turn; each earlier one refuses anything it is not sure of:
 * - `block` (yaml-block.ts): one pass over the lines, for the plain block style registry files are written in;
 * - `plain`: js-yaml's event parser, for files without anchors, tags, directives or errors, about ten times faster
 *   than a full syntax tree on big registries; positions come from the same events;
 * - `thorough`: the `yaml` library, whose syntax tree gives the precise error messages, duplicate-key positions and
 *   alias accounting users see, for everything else.
 * The fast two build the same position index (yaml-index.ts); tests prove all three agree on values and positions.
 */
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event as YamlEvent } from 'js-yaml';
import { Composer, isAlias, isMap, isScalar, isSeq, Parser, type CST, type Document, type Node, type Pair, type Scalar, type YAMLError, type YAMLMap } from 'yaml';
import type { Problem } from '../errors.ts';
import type { SourcePosition } from './model.ts';
import { parseBlockYaml } from './yaml-block.ts';
import { LIMITS, located, locatedOffset, plainScalarValue, setEntry, type IndexedParse, type Located, type Prefer } from './yaml-index.ts';

export { LIMITS, type Prefer } from './yaml-index.ts';

export interface ParsedDocument {
  /** Plain JS value of the document (aliases expanded within the limit). */
  value: unknown;
  /**
   * Where the node at a path of keys and indices starts: the value, else its key, else the closest parent; for a path
   * through an alias (`scopes: *web`), the alias.
   */
  at(path: ReadonlyArray<string | number>, prefer?: Prefer): SourcePosition;
  /** The text from where `at(path)` points to the end of that line: how a value was written (`~`, `Null` or nothing all read as null). */
  source(path: ReadonlyArray<string | number>): string;
}

export interface ParsedFile {
  file: string;
  documents: ParsedDocument[];
  problems: Problem[];
  /** Which parser produced it: `block` (the line parser), `plain` (js-yaml events) or `thorough` (the `yaml` library). */
  parser: ParserName;
  /**
   * The tenants of documents that were lost to a problem before their names could be read (a syntax error, a
   * duplicate key, a limit): names they define are unknown, so references to them are not worth reporting.
   * `undefined` stands for a document whose tenant could not be told either.
   */
  unread: Array<string | undefined>;
}

export type ParserName = 'block' | 'plain' | 'thorough';

/** Offset to 1-based line and column, by binary search over the line starts (computed once per file). */
export function lineIndex(file: string, text: string): (offset: number) => SourcePosition {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { file, line: low + 1, column: offset - starts[low]! + 1 };
  };
}

/**
 * Deepest `[`/`{` nesting outside quotes and comments: checked before parsing, whose composer recurses per level.
 * A bracket counts only where a flow collection can start (line start, after `-`, `?`, `:`, `,`, `[` or `{`), so
 * brackets inside prose such as "use [x] here" do not add up over a long file.
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  let comment = false;
  let previous = '\n'; // last character that was not a space or tab
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (comment) {
      if (ch === '\n') {
        comment = false;
        previous = '\n';
      }
      continue;
    }
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) {
        quote = undefined;
        previous = ch;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') continue;
    const before = i === 0 ? ' ' : text[i - 1]!;
    if ((ch === '"' || ch === "'") && ' \t\n[{,:-'.includes(before)) {
      quote = ch; // a quote opens a quoted scalar only at the start of a token
    } else if (ch === '#' && ' \t\n'.includes(before)) {
      comment = true;
    } else if ((ch === '[' || ch === '{') && '\n-?:,[{'.includes(previous)) {
      depth++;
      if (depth > max) max = depth;
    } else if ((ch === ']' || ch === '}') && depth > 0) {
      depth--;
    }
    previous = ch;
  }
  return max;
}

/**
 * Approximate block nesting: an indentation stack per line plus compact indicators (`- - - x`), which nest one
 * level per two characters and would otherwise reach the recursive composer unchecked.
 */
function blockDepth(text: string): number {
  const indents: number[] = [];
  let max = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let i = start;
    while (i < end && text[i] === ' ') i++;
    if (i < end && text[i] !== '#' && text[i] !== '\r') {
      const indent = i - start;
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
      let compact = 0;
      while (i < end && (text[i] === '-' || text[i] === '?') && (i + 1 === end || text[i + 1] === ' ' || text[i + 1] === '\t')) {
        compact++;
        i += 2;
        while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
      }
      if (indents.length + compact > max) max = indents.length + compact;
    }
    start = end + 1;
  }
  return max;
}

interface NodeInspection {
  tooDeep: boolean;
  /** Key nodes that repeat an earlier key of the same mapping. */
  duplicateKeys: Node[];
  /** Keys that are a list or a mapping (`? [a, b]`), directly or through an alias. */
  collectionKeys: Array<{ key: Node; kind: 'list' | 'mapping' }>;
}

/**
 * One walk for nesting depth (giving up past `limit`) and duplicate keys. The yaml library's own `uniqueKeys` check
 * compares each key with every earlier one, quadratic in a mapping's size; a Set per mapping keeps big files linear.
 */
function inspectNodes(doc: Document.Parsed, limit: number): NodeInspection {
  const result: NodeInspection = { tooDeep: false, duplicateKeys: [], collectionKeys: [] };
  const visit = (node: unknown, depth: number): void => {
    if (result.tooDeep) return;
    if (depth > limit) {
      result.tooDeep = true;
      return;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) result.duplicateKeys.push(pair.key);
          seen.add(key);
        } else {
          // JavaScript objects have text keys only: the yaml library would turn such a key into its YAML text
          // (a scope named "[ a, b ]") with a warning on stderr
          const target: unknown = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
          if (isMap(target) || isSeq(target)) result.collectionKeys.push({ key: pair.key as Node, kind: isMap(target) ? 'mapping' : 'list' });
        }
        visit(pair.key, depth + 1);
        visit(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
    }
  };
  visit(doc.contents, 0);
  return result;
}

// a top-level `tenant:` line, as the schema spells tenant names (plain or quoted, maybe a comment after)
const TENANT_LINE = /^tenant:[ \t]*(["']?)([A-Za-z0-9][A-Za-z0-9._-]*)\1[ \t]*(?:#.*)?\r?$/gm;

/** The tenants text that could not be parsed names on top-level `tenant:` lines; `[undefined]` when it names none. */
export function tenantsNamedIn(text: string): Array<string | undefined> {
  const names = new Set<string>();
  for (const match of text.matchAll(TENANT_LINE)) names.add(match[2]!);
  return names.size > 0 ? [...names] : [undefined];
}

/** The tenant of a document that had to be dropped: from what its tree still holds, else from its text. */
function tenantsOfBrokenDocument(doc: Document.Parsed, text: string): Array<string | undefined> {
  const tenant = isMap(doc.contents) ? doc.contents.get('tenant') : undefined;
  if (typeof tenant === 'string') return [tenant];
  const [start, , end] = doc.range;
  return tenantsNamedIn(text.slice(start, end));
}

function limitProblem(file: string, message: string, hint: string, position?: SourcePosition): Problem {
  return { file, line: position?.line ?? 1, column: position?.column ?? 1, code: 'limit', message, hint };
}

/**
 * `first` names the first parser to try (`block` by default); tests start later in the chain to prove the parsers
 * agree.
 */
export function parseYamlFile(file: string, text: string, first: ParserName = 'block'): ParsedFile {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.maxFileBytes) {
    return {
      file,
      parser: 'thorough',
      documents: [],
      problems: [limitProblem(file, `file is ${(bytes / 1024 / 1024).toFixed(1)} MB, over the 5 MB limit`, 'split the registry into smaller files')],
      unread: tenantsNamedIn(text),
    };
  }
  const position = lineIndex(file, text);
  const block = first === 'block' ? parseBlockYaml(text) : undefined;
  if (block) return indexedFile(file, 'block', block, text, position);
  const plain = first !== 'thorough' ? parsePlain(text) : undefined;
  if (plain) return indexedFile(file, 'plain', plain, text, position);
  return parseThoroughly(file, text, position);
}

// every field always present: one object shape keeps the walk fast
interface Frame {
  kind: 'document' | 'mapping' | 'sequence';
  node: Located;
  /** The object or array being filled. */
  value: object | undefined;
  /** In a mapping: the key just read, waiting for its value (undefined when none is). */
  keyName: string | undefined;
  keyStart: number;
  keyEnd: number;
}

/** A scalar's first character as the `yaml` library reports it: the quote, or the `|`/`>` of a block scalar. */
function scalarStart(text: string, event: Extract<YamlEvent, { type: typeof EVENT_ID.SCALAR }>): number {
  switch (event.style) {
    case SCALAR_STYLE.SINGLE_QUOTED:
    case SCALAR_STYLE.DOUBLE_QUOTED:
      return event.valueStart - 1;
    case SCALAR_STYLE.LITERAL_BLOCK:
    case SCALAR_STYLE.FOLDED_BLOCK: {
      // the content starts on the line after the indicator
      const headerEnd = text.lastIndexOf('\n', event.valueStart - 1);
      const headerStart = text.lastIndexOf('\n', headerEnd - 1) + 1;
      const indicator = Math.max(text.lastIndexOf('|', headerEnd), text.lastIndexOf('>', headerEnd));
      return indicator >= headerStart ? indicator : event.valueStart;
    }
    default:
      return event.valueStart;
  }
}

/**
 * The second parser: js-yaml's events and the documents constructed from them, for files the line parser refused
 * (block scalars, multi-line scalars...) that use nothing the `yaml` library would treat differently. Undefined
 * means "not plain": the caller parses thoroughly instead.
 */
function parsePlain(text: string): IndexedParse | undefined {
  let events: YamlEvent[];
  try {
    events = parseEvents(text, { maxDepth: LIMITS.maxDepth });
  } catch {
    return undefined;
  }
  const values: unknown[] = [];
  const roots: Array<Located | undefined> = [];
  const stack: Frame[] = [];
  let lastEnd = 0; // just past the last scalar or collection opener, to place empty values as the yaml library does
  for (const event of events) {
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      if (event.directives.length > 0) return undefined; // %YAML 1.1 changes what `yes` means
      if (values.length === LIMITS.maxDocuments) return undefined;
      values.push(null);
      roots.push(undefined);
      stack.push({ kind: 'document', node: located(0), value: undefined, keyName: undefined, keyStart: -1, keyEnd: -1 });
      continue;
    }
    // aliases go to the thorough path, which counts their expansions against alias bombs
    if (event.type === EVENT_ID.ALIAS || event.tagStart !== -1) return undefined;
    const frame = stack[stack.length - 1];
    if (!frame) return undefined;
    let start: number;
    let value: unknown;
    if (event.type !== EVENT_ID.SCALAR) {
      start = event.start;
      lastEnd = start + 1;
      value = event.type === EVENT_ID.MAPPING ? {} : [];
    } else if (event.valueStart === -1) {
      // an empty value sits where the next token would, after its `key:` or `-` and the blanks that follow
      const indicator = frame.keyName !== undefined ? text.indexOf(':', frame.keyEnd) : frame.kind === 'sequence' ? text.indexOf('-', lastEnd) : -1;
      start = indicator === -1 ? lastEnd : indicator + 1;
      while (text[start] === ' ' || text[start] === '\t') start++;
      value = null;
    } else {
      start = scalarStart(text, event);
      const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
      lastEnd = event.valueEnd + (quoted ? 1 : 0);
      const source = getScalarValue(text, event);
      value = event.style === SCALAR_STYLE.PLAIN ? plainScalarValue(source) : source;
    }
    const node = located(start);
    if (frame.kind === 'document') {
      roots[roots.length - 1] = node;
      values[values.length - 1] = value;
    } else if (frame.kind === 'sequence') {
      frame.node.items!.push(node);
      (frame.value as unknown[]).push(value);
    } else if (frame.keyName === undefined) {
      // a key that is not text (a number, null, a collection) is left to the yaml library's rules
      if (typeof value !== 'string') return undefined;
      frame.keyName = value;
      frame.keyStart = start;
      frame.keyEnd = lastEnd;
    } else {
      const name = frame.keyName;
      const entries = frame.node.entries!;
      if (entries.has(name)) return undefined; // a duplicate key: the thorough path reports it where it is
      node.key = frame.keyStart;
      entries.set(name, node);
      const target = frame.value as Record<string, unknown>;
      setEntry(target, name, value);
      frame.keyName = undefined;
    }
    if (event.type === EVENT_ID.MAPPING) {
      node.entries = new Map();
      stack.push({ kind: 'mapping', node, value: value as object, keyName: undefined, keyStart: -1, keyEnd: -1 });
    } else if (event.type === EVENT_ID.SEQUENCE) {
      node.items = [];
      stack.push({ kind: 'sequence', node, value: value as object, keyName: undefined, keyStart: -1, keyEnd: -1 });
    }
  }
  return { values, roots };
}

/** The rest of the line from `offset`. */
function restOfLine(text: string, offset: number): string {
  const end = text.indexOf('\n', offset);
  return text.slice(offset, end === -1 ? text.length : end);
}

function indexedFile(file: string, parser: 'block' | 'plain', { values, roots }: IndexedParse, text: string, position: (offset: number) => SourcePosition): ParsedFile {
  return {
    file,
    parser,
    problems: [],
    unread: [],
    documents: values.map((value, i) => ({
      value,
      at: (path, prefer = 'value') => position(locatedOffset(roots[i], path, prefer)),
      source: (path) => restOfLine(text, locatedOffset(roots[i], path, 'value')),
    })),
  };
}

/** The `yaml` library's syntax tree: precise errors, duplicate keys and alias accounting, for any input. */
function parseThoroughly(file: string, text: string, position: (offset: number) => SourcePosition): ParsedFile {
  const result: ParsedFile = { file, parser: 'thorough', documents: [], problems: [], unread: [] };
  const lost = (doc: Document.Parsed): void => {
    result.unread.push(...tenantsOfBrokenDocument(doc, text));
  };
  // the composer recurses per level: deep input is refused before it can exhaust the stack (the fast path has its
  // own depth limit, so only files it refused pay for this scan)
  if (flowDepth(text) > LIMITS.maxDepth || blockDepth(text) > LIMITS.maxDepth) {
    result.problems.push(
      limitProblem(file, `nesting deeper than ${LIMITS.maxDepth} levels`, 'registry files are shallow; this looks like generated or hostile input'),
    );
    result.unread = tenantsNamedIn(text);
    return result;
  }
  const parser = new Parser();
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, version: '1.2' });
  let index = 0;
  let unclosed: Unclosed[] | undefined; // read from the syntax tree on the first syntax error
  try {
    for (const doc of composer.compose(parser.parse(text))) {
      index++;
      if (index > LIMITS.maxDocuments) {
        // the limit is the one problem worth reading; per-document noise from such a file is not
        result.documents = [];
        result.problems = [
          limitProblem(file, `more than ${LIMITS.maxDocuments} YAML documents in one file`, 'split the file; a registry needs far fewer documents'),
        ];
        result.unread = tenantsNamedIn(text);
        return result;
      }
      if (doc.errors.length > 0) {
        unclosed ??= unclosedIn(text);
        result.problems.push(...syntaxProblems(text, doc, unclosed, position));
        lost(doc);
        continue;
      }
      const inspection = inspectNodes(doc, LIMITS.maxDepth);
      if (inspection.collectionKeys.length > 0) {
        for (const { key, kind } of inspection.collectionKeys) {
          result.problems.push({
            ...position(key.range?.[0] ?? 0),
            code: 'yaml',
            message: `a key must be text, not a ${kind}`,
            hint: 'write each name as its own key (e.g. `read.data:`); `? [a, b]` and `? {a: b}` keys are not supported',
          });
        }
        lost(doc);
        continue;
      }
      if (inspection.duplicateKeys.length > 0) {
        for (const key of inspection.duplicateKeys) {
          result.problems.push({
            ...position(key.range?.[0] ?? 0),
            code: 'duplicate-key',
            message: `duplicate key "${String((key as Scalar).value)}"`,
            hint: 'a key may appear once per mapping; merge the two entries',
          });
        }
        lost(doc);
        continue;
      }
      if (inspection.tooDeep) {
        const start = doc.contents?.range?.[0] ?? 0;
        result.problems.push(
          limitProblem(
            file,
            `nesting deeper than ${LIMITS.maxDepth} levels`,
            'registry files are shallow; this looks like generated or hostile input',
            position(start),
          ),
        );
        lost(doc);
        continue;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
      } catch (error) {
        const start = doc.contents?.range?.[0] ?? 0;
        const message = error instanceof Error ? error.message : String(error);
        const unresolved = /^Unresolved alias[^:]*: (.+)$/.exec(message)?.[1];
        if (unresolved !== undefined) {
          // an alias whose anchor is missing or comes after it: reported at the alias, not as an attack
          const alias = findAlias(doc.contents, unresolved);
          result.problems.push({
            ...position(alias?.range?.[0] ?? start),
            code: 'yaml',
            message: `malformed YAML: the alias *${unresolved} names no anchor before it`,
            hint: `define &${unresolved} on the value it stands for, above this line, or write the values out`,
          });
        } else if (/alias/i.test(message)) {
          result.problems.push(
            limitProblem(
              file,
              'too many alias expansions (possible "billion laughs" attack)',
              `at most ${LIMITS.maxAliasCount} aliases are expanded; write the values out`,
              position(start),
            ),
          );
        } else {
          result.problems.push({ ...position(start), code: 'yaml', message: `malformed YAML: ${message}` });
        }
        lost(doc);
        continue;
      }
      result.documents.push({ value, at: (path, prefer) => position(offsetAt(doc, path, prefer)), source: (path) => restOfLine(text, offsetAt(doc, path)) });
    }
  } catch (error) {
    if (error instanceof RangeError) {
      result.problems.push(limitProblem(file, 'input nested too deeply to parse', 'registry files are shallow; this looks like hostile input'));
      result.unread = tenantsNamedIn(text);
      return result;
    }
    throw error;
  }
  return result;
}

/** A `[`, `{` or quote that the syntax tree never sees closed, and the unclosed one it is inside, if any. */
interface Unclosed {
  offset: number;
  opener: '[' | '{' | '"' | "'";
  within: Unclosed | undefined;
  /** A quote's text as the parser read it: on to where its indentation ends, or to the end of the file. */
  quoted: string | undefined;
}

/** Whether a quoted scalar's source ends with its closing quote (not an escaped one). */
function quoteClosed(source: string, quote: string): boolean {
  if (source.length < 2 || !source.endsWith(quote)) return false;
  // before the closing quote: an even run of backslashes in "…", an even run of quotes ('' is one quote) in '…'
  const escape = quote === '"' ? '\\' : "'";
  let run = 0;
  for (let i = source.length - 2; i >= 1 && source[i] === escape; i--) run++;
  return run % 2 === 0;
}

/** Every bracket and quote of a file that is never closed, from the `yaml` library's syntax tree (tokens). */
function unclosedIn(text: string): Unclosed[] {
  const found: Unclosed[] = [];
  const visit = (token: CST.Token | null | undefined, within: Unclosed | undefined): void => {
    if (!token) return;
    switch (token.type) {
      case 'document':
        visit(token.value, within);
        return;
      case 'flow-collection':
      case 'block-map':
      case 'block-seq': {
        let inner = within;
        if (token.type === 'flow-collection') {
          const opener = token.start.source === '{' ? '{' : '[';
          const closer = opener === '{' ? '}' : ']';
          if (!token.end.some((end) => end.source === closer)) found.push((inner = { offset: token.start.offset, opener, within, quoted: undefined }));
        }
        for (const item of token.items) {
          if ('key' in item) visit(item.key, inner);
          visit(item.value, inner);
        }
        return;
      }
      case 'double-quoted-scalar':
      case 'single-quoted-scalar': {
        const quote = token.type === 'double-quoted-scalar' ? '"' : "'";
        if (!quoteClosed(token.source, quote)) found.push({ offset: token.offset, opener: quote, within, quoted: token.source });
        return;
      }
      default:
    }
  };
  for (const token of new Parser().parse(text)) visit(token, undefined);
  return found;
}

/** The `yaml` library's words for a bracket or quote it reached the end without closing. */
const UNCLOSED_ERROR = /^(Missing closing ["']quote|Flow (map|sequence)\b.*end with an? [\]}])/;

/**
 * A document's syntax errors as problems. An unclosed bracket or quote is reported once, where it opens: the parser
 * only notices at the end of the file (or of the document), past the last line, and often twice (an unclosed quote
 * takes the `}` of its flow mapping with it). Of unclosed ones inside each other, the innermost is the one to close.
 * Other errors stay where the parser saw them, but never past the end of the text.
 */
function syntaxProblems(text: string, doc: Document.Parsed, unclosed: readonly Unclosed[], position: (offset: number) => SourcePosition): Problem[] {
  const problems: Problem[] = [];
  const [start, , end] = doc.range;
  const mine = unclosed.filter((u) => u.offset >= start && u.offset < end);
  const innermost = mine.filter((u) => !mine.some((other) => other.within === u));
  const reportUnclosed = innermost.length > 0 && doc.errors.some((error) => UNCLOSED_ERROR.test(error.message));
  if (reportUnclosed) for (const u of innermost) problems.push(unclosedProblem(text, u, position));
  const lastContent = text.trimEnd().length;
  for (const error of doc.errors) {
    if (reportUnclosed && UNCLOSED_ERROR.test(error.message)) continue;
    const offset = Math.min(error.pos[0], lastContent);
    problems.push(syntaxProblem(text, error, position(offset), offset));
  }
  return problems;
}

function unclosedProblem(text: string, u: Unclosed, position: (offset: number) => SourcePosition): Problem {
  const at = position(u.offset);
  if (u.quoted !== undefined) {
    // the parser reads an unclosed quote on over every line indented enough, maybe to the end of the file, and with
    // it the bracket meant to close the one it stands in
    const quoted = u.quoted.trimEnd();
    const last = position(u.offset + quoted.length).line;
    const extent = last === at.line ? '' : u.offset + quoted.length >= text.trimEnd().length ? 'to the end of the file' : `to line ${last}`;
    const outerCloser = u.within ? (u.within.opener === '{' ? '}' : ']') : undefined;
    const taken = outerCloser !== undefined && quoted.includes(outerCloser) ? `the ${outerCloser} meant for the ${u.within!.opener} at line ${position(u.within!.offset).line}` : '';
    const runsOn = extent === '' && taken === '' ? '' : `; as written, it takes in ${[taken, extent === '' ? '' : `everything ${extent}`].filter(Boolean).join(' and ')}`;
    return {
      ...at,
      code: 'yaml',
      message: `malformed YAML: a ${u.opener} quote is never closed`,
      hint: `close the quote: add the closing ${u.opener} where the text should end${runsOn}`,
    };
  }
  const closer = u.opener === '{' ? '}' : ']';
  return {
    ...at,
    code: 'yaml',
    message: `malformed YAML: a ${u.opener} is never closed with ${closer}`,
    hint: `close the ${u.opener} opened at line ${at.line} with a ${closer}; a ${u.opener} ${closer} spread over several lines needs every line after the first indented more than its key`,
  };
}

function syntaxProblem(text: string, error: YAMLError, at: SourcePosition, offset: number): Problem {
  const problem: Problem = { ...at, code: 'yaml', message: `malformed YAML: ${error.message.split('\n')[0]}` };
  const lineStart = offset - (at.column - 1);
  const lineEnd = text.indexOf('\n', lineStart);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  if (/flow/i.test(error.message) && /[[{]/.test(line) && /\{\w+\}/.test(line)) {
    // the classic: [PUT /v1/orders/{id}] makes {id} a flow mapping
    problem.hint = 'inside [ ] lists, quote patterns with {param}, e.g. ["PUT /v1/orders/{id}"], or write a block list';
  } else if (/\btabs?\b/i.test(error.message) && line.includes('\t')) {
    // editors that insert tabs: the most common first YAML error
    problem.hint = 'indent with spaces: YAML does not allow tabs for indentation';
  } else {
    const hint = SYNTAX_HINTS[error.code];
    if (hint) problem.hint = hint;
  }
  return problem;
}

/** The first alias named `name` under `node`, depth first. */
function findAlias(node: unknown, name: string): Node | undefined {
  if (isAlias(node)) return node.source === name ? node : undefined;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      const found = isMap(node) ? (findAlias((item as Pair).key, name) ?? findAlias((item as Pair).value, name)) : findAlias(item, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** What the usual slips of hand-written YAML need, by the YAML library's error code. */
const SYNTAX_HINTS: Partial<Record<YAMLError['code'], string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'put text holding ": " in quotes (description: "Note: reads data"); a mapping as a value goes on the next lines, indented',
  MULTILINE_IMPLICIT_KEY: 'a key needs its ":" on the same line; look for a missing ":" or an unclosed quote on this line or the one above',
  BAD_INDENT: 'indent the keys of one mapping by the same number of spaces, in line with the key above',
  BLOCK_IN_FLOW: 'inside { } or [ ], put text holding ": " or starting with "- " in quotes, e.g. {description: "Note: reads data"}',
  UNEXPECTED_TOKEN: 'put the whole value in quotes: text after a closing quote or bracket is not part of it',
  BAD_SCALAR_START: 'put a value starting with @, `, %, | or > in quotes, e.g. owner: "@team-data"',
};

// Positions are looked up once per scope, client and grant; an index per mapping keeps that linear for big files.
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      const key = isScalar(item.key) ? String(item.key.value) : undefined;
      // the first occurrence wins, as duplicates are reported at the second one
      if (key !== undefined && !index.has(key)) index.set(key, item as Pair);
    }
    pairIndex.set(map, index);
  }
  return index;
}

/**
 * The node at a path of keys and indices, with the key node of the last step when it was a mapping key. `alias` is
 * the first alias the path went through: what lies beyond it is written at its anchor, elsewhere in the file, and
 * belongs to another entry (`scopes: *web` under client spa lists web's scopes), so the path's own place in the file
 * is the alias. An alias the path ends at is the node itself, not resolved, for the same reason.
 */
function nodeAt(
  doc: Document.Parsed,
  path: ReadonlyArray<string | number>,
): { node: Node | undefined; key: Node | undefined; parent: Node | undefined; alias: Node | undefined } {
  let current: unknown = doc.contents;
  let key: Node | undefined;
  let parent: Node | undefined;
  let alias: Node | undefined;
  for (const step of path) {
    if (isAlias(current)) {
      alias ??= current;
      current = current.resolve(doc);
    }
    parent = current as Node | undefined;
    key = undefined;
    if (isMap(current)) {
      const pair = pairsByKey(current).get(String(step));
      if (!pair) return { node: undefined, key: undefined, parent, alias };
      key = pair.key as Node;
      current = pair.value;
    } else if (isSeq(current)) {
      current = current.items[Number(step)];
    } else {
      return { node: undefined, key: undefined, parent, alias };
    }
  }
  return { node: (current ?? undefined) as Node | undefined, key, parent, alias };
}

/**
 * Start offset of the best node to point at for a path: the value, else its key, else the closest parent; for a path
 * through an alias, the alias.
 */
function offsetAt(doc: Document.Parsed, path: ReadonlyArray<string | number>, prefer: Prefer = 'value'): number {
  const { node, key, parent, alias } = nodeAt(doc, path);
  if (alias?.range) return alias.range[0];
  const first = prefer === 'key' ? key ?? node : node ?? key;
  return first?.range?.[0] ?? key?.range?.[0] ?? parent?.range?.[0] ?? doc.contents?.range?.[0] ?? 0;
}
