/** What the YAML parser tests compare: a parse's values and the position of every node, in one plain record. */
import type { ParsedFile } from '../../src/registry/yaml-source.ts';

/** `path prefer line:column` for every node of a document, both ends of each pair, and a path that is not there. */
export function positions(parsed: ParsedFile, documentIndex: number, value: unknown): string[] {
  const document = parsed.documents[documentIndex]!;
  const found: string[] = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    for (const prefer of ['key', 'value'] as const) {
      const { line, column } = document.at(path, prefer);
      found.push(`${JSON.stringify(path)} ${prefer} ${line}:${column}`);
    }
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
    else if (node !== null && typeof node === 'object') for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
  };
  walk(value, []);
  const missing = document.at([...Object.keys(value ?? {}).slice(0, 1), 'no-such-key', 'deeper']);
  found.push(`missing ${missing.line}:${missing.column}`);
  return found;
}

/** Values and every node's position, one record per document (an empty document has no node to point at). */
export function shape(parsed: ParsedFile): Array<{ value: unknown; positions: string[] }> {
  return parsed.documents.map((document, i) => ({ value: document.value, positions: document.value === null ? [] : positions(parsed, i, document.value) }));
}
