/**
 * Parses one registry file into YAML documents that keep their source positions, refusing hostile input (alias
 * bombs, huge files, deep nesting, too many documents) before it can cost time or memory.
 */
import { Composer, isAlias, isMap, isScalar, isSeq, LineCounter, Parser, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Problem } from '../errors.ts';
import type { SourcePosition } from './model.ts';

export const LIMITS = {
  maxFileBytes: 5 * 1024 * 1024,
  maxDocuments: 10_000,
  maxDepth: 64,
  maxAliasCount: 100,
} as const;

export interface ParsedDocument {
  doc: Document.Parsed;
  /** Plain JS value of the document (aliases expanded within the limit). */
  value: unknown;
  /** 1-based index of the document in its file. */
  index: number;
}

export interface ParsedFile {
  file: string;
  lineCounter: LineCounter;
  documents: ParsedDocument[];
  problems: Problem[];
}

export function positionAt(file: string, lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
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
}

/**
 * One walk for nesting depth (giving up past `limit`) and duplicate keys. The yaml library's own `uniqueKeys` check
 * compares each key with every earlier one, quadratic in a mapping's size; a Set per mapping keeps big files linear.
 */
function inspectNodes(root: unknown, limit: number): NodeInspection {
  const result: NodeInspection = { tooDeep: false, duplicateKeys: [] };
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
        }
        visit(pair.key, depth + 1);
        visit(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
    }
  };
  visit(root, 0);
  return result;
}

function limitProblem(file: string, message: string, hint: string, position?: SourcePosition): Problem {
  return { file, line: position?.line ?? 1, column: position?.column ?? 1, code: 'limit', message, hint };
}

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const result: ParsedFile = { file, lineCounter, documents: [], problems: [] };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.maxFileBytes) {
    result.problems.push(
      limitProblem(file, `file is ${(bytes / 1024 / 1024).toFixed(1)} MB, over the 5 MB limit`, 'split the registry into smaller files'),
    );
    return result;
  }
  if (flowDepth(text) > LIMITS.maxDepth || blockDepth(text) > LIMITS.maxDepth) {
    result.problems.push(
      limitProblem(file, `nesting deeper than ${LIMITS.maxDepth} levels`, 'registry files are shallow; this looks like generated or hostile input'),
    );
    return result;
  }
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, version: '1.2' });
  let index = 0;
  try {
    for (const doc of composer.compose(parser.parse(text))) {
      index++;
      if (index > LIMITS.maxDocuments) {
        // the limit is the one problem worth reading; per-document noise from such a file is not
        result.documents = [];
        result.problems = [
          limitProblem(file, `more than ${LIMITS.maxDocuments} YAML documents in one file`, 'split the file; a registry needs far fewer documents'),
        ];
        return result;
      }
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          const position = positionAt(file, lineCounter, error.pos[0]);
          const problem: Problem = { ...position, code: 'yaml', message: `malformed YAML: ${error.message.split('\n')[0]}` };
          const lineStart = lineCounter.lineStarts[position.line - 1] ?? 0;
          const lineEnd = text.indexOf('\n', lineStart);
          const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
          if (/flow/i.test(error.message) && /[[{]/.test(line) && /\{\w+\}/.test(line)) {
            // the classic: [PUT /v1/orders/{id}] makes {id} a flow mapping
            problem.hint = 'inside [ ] lists, quote patterns with {param}, e.g. ["PUT /v1/orders/{id}"], or write a block list';
          }
          result.problems.push(problem);
        }
        continue;
      }
      const inspection = inspectNodes(doc.contents, LIMITS.maxDepth);
      if (inspection.duplicateKeys.length > 0) {
        for (const key of inspection.duplicateKeys) {
          result.problems.push({
            ...positionAt(file, lineCounter, key.range?.[0] ?? 0),
            code: 'duplicate-key',
            message: `duplicate key "${String((key as Scalar).value)}"`,
            hint: 'a key may appear once per mapping; merge the two entries',
          });
        }
        continue;
      }
      if (inspection.tooDeep) {
        const start = doc.contents?.range?.[0] ?? 0;
        result.problems.push(
          limitProblem(
            file,
            `nesting deeper than ${LIMITS.maxDepth} levels`,
            'registry files are shallow; this looks like generated or hostile input',
            positionAt(file, lineCounter, start),
          ),
        );
        continue;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
      } catch (error) {
        const start = doc.contents?.range?.[0] ?? 0;
        const message = error instanceof Error ? error.message : String(error);
        if (/alias/i.test(message)) {
          result.problems.push(
            limitProblem(
              file,
              'too many alias expansions (possible "billion laughs" attack)',
              `at most ${LIMITS.maxAliasCount} aliases are expanded; write the values out`,
              positionAt(file, lineCounter, start),
            ),
          );
        } else {
          result.problems.push({ ...positionAt(file, lineCounter, start), code: 'yaml', message: `malformed YAML: ${message}` });
        }
        continue;
      }
      result.documents.push({ doc, value, index });
    }
  } catch (error) {
    if (error instanceof RangeError) {
      result.problems.push(limitProblem(file, 'input nested too deeply to parse', 'registry files are shallow; this looks like hostile input'));
      return result;
    }
    throw error;
  }
  return result;
}

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

/** The node at a path of keys and indices, with the key node of the last step when it was a mapping key. */
export function nodeAt(
  doc: Document.Parsed,
  path: ReadonlyArray<string | number>,
): { node: Node | undefined; key: Node | undefined; parent: Node | undefined } {
  let current: unknown = doc.contents;
  let key: Node | undefined;
  let parent: Node | undefined;
  for (const step of path) {
    if (isAlias(current)) current = current.resolve(doc);
    parent = current as Node | undefined;
    key = undefined;
    if (isMap(current)) {
      const pair = pairsByKey(current).get(String(step));
      if (!pair) return { node: undefined, key: undefined, parent };
      key = pair.key as Node;
      current = pair.value;
    } else if (isSeq(current)) {
      current = current.items[Number(step)];
    } else {
      return { node: undefined, key: undefined, parent };
    }
  }
  if (isAlias(current)) current = current.resolve(doc);
  return { node: (current ?? undefined) as Node | undefined, key, parent };
}

/** Start offset of the best node to point at for a path: the value, else its key, else the closest parent. */
export function offsetAt(doc: Document.Parsed, path: ReadonlyArray<string | number>, prefer: 'key' | 'value' = 'value'): number {
  const { node, key, parent } = nodeAt(doc, path);
  const first = prefer === 'key' ? key ?? node : node ?? key;
  return first?.range?.[0] ?? key?.range?.[0] ?? parent?.range?.[0] ?? doc.contents?.range?.[0] ?? 0;
}
