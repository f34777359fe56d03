/**
 * Which requests an action pattern matches, compared by meaning rather than by text: `GET /v1/orders/*` and
 * `GET /v1/orders/{id}` match the same requests, `GET /v1/orders/**` matches more. The diff uses this to tell a
 * widening action-map change from a rewrite.
 */
import { HTTP_METHODS, parseActionPattern, type PatternSegment } from '../registry/matcher.ts';

export interface CoveragePattern {
  method: string;
  segments: PatternSegment[];
}

/** One path segment's matcher reduced to what matters for coverage: a fixed text, any one segment, any run. */
type Atom = { kind: 'literal'; value: string } | { kind: 'one' } | { kind: 'any' };

function atoms(segments: PatternSegment[]): Atom[] {
  return segments.map((segment): Atom => {
    switch (segment.kind) {
      case 'literal':
        return { kind: 'literal', value: segment.value };
      case 'param':
      case 'star':
        return { kind: 'one' };
      case 'globstar':
        return { kind: 'any' };
    }
  });
}

/**
 * True when every request `narrow` matches is also matched by `wide`. Exact for patterns whose `**` do not need to
 * be split across several segments of the other pattern; otherwise it answers `false`, which errs toward calling a
 * change widening (a reviewer looks once more) rather than hiding one.
 */
export function patternCovers(wide: CoveragePattern, narrow: CoveragePattern): boolean {
  if (wide.method !== '*' && wide.method !== narrow.method) return false;
  const a = atoms(narrow.segments);
  const b = atoms(wide.segments);
  const memo = new Map<number, boolean>();
  const covers = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length) {
      result = b.slice(j).every((atom) => atom.kind === 'any');
    } else if (j === b.length) {
      result = false;
    } else {
      const x = a[i]!;
      const y = b[j]!;
      if (y.kind === 'any') {
        // the wide `**` matches nothing more, or swallows the narrow pattern's next atom (of any kind) and stays
        result = covers(i, j + 1) || covers(i + 1, j);
      } else if (x.kind === 'any') {
        result = false;
      } else if (y.kind === 'one') {
        result = covers(i + 1, j + 1);
      } else {
        result = x.kind === 'literal' && x.value === y.value && covers(i + 1, j + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return covers(0, 0);
}

/**
 * True when the patterns of `set` together cover `pattern`. Methods are a closed list, so `* /x` is covered by one
 * pattern per method as well as by another `*`; paths are compared pattern by pattern.
 */
export function setCovers(set: readonly CoveragePattern[], pattern: CoveragePattern): boolean {
  if (set.some((candidate) => patternCovers(candidate, pattern))) return true;
  if (pattern.method !== '*') return false;
  return HTTP_METHODS.every((method) => set.some((candidate) => patternCovers(candidate, { method, segments: pattern.segments })));
}

/** Parses a pattern as written (`GET /v1/orders/{id}`); undefined when it does not parse (validation reports it). */
export function coveragePattern(text: string): CoveragePattern | undefined {
  try {
    const parsed = parseActionPattern(text);
    return { method: parsed.method.toUpperCase(), segments: parsed.segments };
  } catch {
    return undefined;
  }
}
