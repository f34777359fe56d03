/**
 * What the fast YAML parsers share: the limits every parser enforces, the YAML 1.2 core schema's reading of plain
 * scalars, and the position index (`Located`) from which `ParsedDocument.at` answers.
 */
import { boolCoreTag, floatCoreTag, intCoreTag, NOT_RESOLVED, nullCoreTag } from 'js-yaml';

export const LIMITS = {
  maxFileBytes: 5 * 1024 * 1024,
  maxDocuments: 10_000,
  maxDepth: 64,
  maxAliasCount: 100,
} as const;

/** Which end of a `key: value` pair a position should point at. */
export type Prefer = 'key' | 'value';

/** Where a node starts and, for collections, where its children are. */
export interface Located {
  start: number;
  /** Where the key of this mapping value starts; -1 for anything else. */
  key: number;
  entries: Map<string, Located> | undefined;
  items: Located[] | undefined;
}

// every field always present: one object shape keeps the parsers' hot loops fast
export function located(start: number): Located {
  return { start, key: -1, entries: undefined, items: undefined };
}

/** What a fast parser learns from one file's text: its documents' values and their position indexes. */
export interface IndexedParse {
  values: unknown[];
  roots: Array<Located | undefined>;
}

/** The offset to point at for a path: the value, else its key, else the closest parent (as the `yaml` library's tree answers). */
export function locatedOffset(root: Located | undefined, path: ReadonlyArray<string | number>, prefer: Prefer): number {
  let current = root;
  let key: number | undefined;
  let parent: Located | undefined;
  for (const step of path) {
    parent = current;
    key = undefined;
    if (current?.entries) {
      const entry = current.entries.get(String(step));
      if (!entry) return parent?.start ?? root?.start ?? 0;
      key = entry.key;
      current = entry;
    } else if (current?.items) {
      current = current.items[Number(step)];
    } else {
      return parent?.start ?? root?.start ?? 0;
    }
  }
  const first = prefer === 'key' ? key ?? current?.start : current?.start ?? key;
  return first ?? key ?? parent?.start ?? root?.start ?? 0;
}

// in the order the core schema tries them, indexed by the first characters each can start with (most registry text
// starts with a letter no number, null or boolean can start with)
const CORE_SCALAR_TAGS = [nullCoreTag, boolCoreTag, intCoreTag, floatCoreTag];
const TAGS_BY_FIRST_CHAR = new Map<string, typeof CORE_SCALAR_TAGS>();
for (const tag of CORE_SCALAR_TAGS) {
  for (const first of tag.implicitFirstChars ?? []) TAGS_BY_FIRST_CHAR.set(first, [...(TAGS_BY_FIRST_CHAR.get(first) ?? []), tag]);
}

/** A plain scalar as the YAML 1.2 core schema reads it: null, boolean, integer, float, else text. */
export function plainScalarValue(source: string): unknown {
  const tags = TAGS_BY_FIRST_CHAR.get(source.charAt(0));
  if (tags === undefined) return source;
  // starting with a letter, only null, true and false (4 or 5 letters, in three casings) are not text: the rest of
  // the words, most of a registry, skip the tags' regular expressions
  if (source.length !== 4 && source.length !== 5 && isLetter(source.charCodeAt(0))) return source;
  for (const tag of tags) {
    const value: unknown = tag.resolve(source, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value;
  }
  return source;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** Sets a mapping entry; a key named __proto__ is data, never the object's prototype. */
export function setEntry(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}
