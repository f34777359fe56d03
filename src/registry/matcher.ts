/**
 * Which scopes allow a request: action patterns `METHOD /path` compiled into one segment trie per method.
 *
 * Semantics (the contract usage analysis and the diff rely on):
 * - a path is split on `/`; empty segments are dropped, so a trailing slash or `//` changes nothing and `/` has
 *   zero segments; the query string (`?…`) and fragment (`#…`) of a request are ignored;
 * - a request's dot segments are resolved before matching, as the server resolves them (RFC 3986 remove_dot_segments,
 *   after empty segments are dropped): `.` is removed and `..` removes the segment before it (none above the root), so
 *   `GET /b/../admin` is judged as `GET /admin`, not credited to a scope of `/b/**`; `%2e` counts as a dot there (RFC
 *   3986 6.2.2.2: an encoded unreserved character is the character), so `/b/%2e%2e/admin` is `/admin` too. Action
 *   patterns are not resolved: a `.` or `..` in a pattern is a literal segment;
 * - `*` matches exactly one non-empty segment, `{name}` likewise (the name only documents it);
 * - `**` matches any number of segments including zero: `GET /v1/data/**` matches `/v1/data`, `/v1/data/a/b`;
 * - literals compare case-sensitively and undecoded (`%2F` stays literal);
 * - the method is compared upper-cased; `*` as method matches every method; `GET` does NOT imply `HEAD` (nor
 *   anything else): map `HEAD` explicitly when a scope allows it;
 * - wildcards inside a segment (`*.json`, `v{n}`) are not supported and are reported as malformed.
 */
import type { Registry, Tenant } from './model.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export type PatternSegment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'star' }
  | { kind: 'globstar' };

export interface ParsedActionPattern {
  /** Upper-cased HTTP method or `*`. */
  method: string;
  segments: PatternSegment[];
}

/** A pattern that is not `METHOD /path`; `hint` says how to write it. */
export class ActionPatternError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'ActionPatternError';
  }
}

const PATTERN_HINT = 'write "METHOD /path" with METHOD one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, e.g. "GET /v1/orders/{id}"';

export function parseActionPattern(text: string): ParsedActionPattern {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0] === '') {
    throw new ActionPatternError(`action pattern "${text}" is not "METHOD /path"`, PATTERN_HINT);
  }
  const [rawMethod, path] = parts as [string, string];
  const method = rawMethod.toUpperCase();
  if (method !== '*' && !(HTTP_METHODS as readonly string[]).includes(method)) {
    throw new ActionPatternError(`action pattern "${text}" has the unknown method "${rawMethod}"`, PATTERN_HINT);
  }
  if (!path.startsWith('/')) {
    throw new ActionPatternError(`action pattern "${text}": the path must start with "/"`, PATTERN_HINT);
  }
  const segments: PatternSegment[] = [];
  for (const segment of path.split('/')) {
    if (segment === '') continue;
    if (segment === '**') segments.push({ kind: 'globstar' });
    else if (segment === '*') segments.push({ kind: 'star' });
    else if (/^\{[A-Za-z_][A-Za-z0-9_-]*\}$/.test(segment)) segments.push({ kind: 'param', name: segment.slice(1, -1) });
    else if (/[*{}?#]/.test(segment)) {
      throw new ActionPatternError(
        `action pattern "${text}" has the malformed segment "${segment}"`,
        'a segment is a literal, *, ** or {name}; wildcards inside a segment and query strings are not supported',
      );
    } else segments.push({ kind: 'literal', value: segment });
  }
  return { method, segments };
}

/** Segments of a request path: query and fragment dropped, empty segments (trailing or doubled slashes) ignored. */
export function requestSegments(path: string): string[] {
  const end = path.search(/[?#]/);
  return (end === -1 ? path : path.slice(0, end)).split('/').filter((segment) => segment !== '');
}

/**
 * A request path's segments as the server resolves them: requestSegments, then `.` dropped and `..` removing the
 * segment before it (RFC 3986 remove_dot_segments); `%2e` in any case is a dot.
 */
export function resolvedRequestSegments(path: string): string[] {
  const out: string[] = [];
  for (const segment of requestSegments(path)) {
    const dots = segment.length <= 6 && /^(?:\.|%2e){1,2}$/i.test(segment) ? segment.replace(/%2e/gi, '.') : '';
    if (dots === '.') continue;
    if (dots === '..') out.pop();
    else out.push(segment);
  }
  return out;
}

interface TrieNode {
  literals: Map<string, TrieNode>;
  /** `*` and `{param}`: both match one segment. */
  single?: TrieNode;
  globstar?: TrieNode;
  /** Scopes whose pattern ends at this node. */
  scopes: Set<string>;
}

const newNode = (): TrieNode => ({ literals: new Map(), scopes: new Set() });

function insert(root: TrieNode, segments: PatternSegment[], scope: string): void {
  let node = root;
  for (const segment of segments) {
    if (segment.kind === 'literal') {
      let next = node.literals.get(segment.value);
      if (!next) node.literals.set(segment.value, (next = newNode()));
      node = next;
    } else if (segment.kind === 'globstar') {
      node = node.globstar ??= newNode();
    } else {
      node = node.single ??= newNode();
    }
  }
  node.scopes.add(scope);
}

function collect(node: TrieNode, segments: string[], index: number, out: Set<string>): void {
  if (node.globstar) {
    for (let next = index; next <= segments.length; next++) collect(node.globstar, segments, next, out);
  }
  if (index === segments.length) {
    for (const scope of node.scopes) out.add(scope);
    return;
  }
  const literal = node.literals.get(segments[index]!);
  if (literal) collect(literal, segments, index + 1, out);
  if (node.single) collect(node.single, segments, index + 1, out);
}

export interface ActionMatcher {
  /** Scopes of the tenant whose action patterns allow this request, sorted. */
  match(method: string, path: string): string[];
}

export function compileActionMatcher(tenant: Tenant): ActionMatcher {
  const byMethod = new Map<string, TrieNode>();
  for (const [scope, patterns] of Object.entries(tenant.actions)) {
    for (const pattern of patterns) {
      const parsed = parseActionPattern(pattern.pattern);
      let root = byMethod.get(parsed.method);
      if (!root) byMethod.set(parsed.method, (root = newNode()));
      insert(root, parsed.segments, scope);
    }
  }
  const anyMethod = byMethod.get('*');
  return {
    match(method: string, path: string): string[] {
      const segments = resolvedRequestSegments(path);
      const out = new Set<string>();
      const root = byMethod.get(method.toUpperCase());
      if (root) collect(root, segments, 0, out);
      if (anyMethod) collect(anyMethod, segments, 0, out);
      return [...out].sort();
    },
  };
}

const matcherCache = new WeakMap<Registry, Map<string, ActionMatcher>>();

/** Scopes of `tenant` that allow `method path`; [] for an unknown tenant. Compiles once per registry and tenant. */
export function matchAction(registry: Registry, tenant: string, method: string, path: string): string[] {
  let perTenant = matcherCache.get(registry);
  if (!perTenant) matcherCache.set(registry, (perTenant = new Map()));
  let matcher = perTenant.get(tenant);
  if (!matcher) {
    const definition = Object.hasOwn(registry.tenants, tenant) ? registry.tenants[tenant] : undefined;
    if (!definition) return [];
    matcher = compileActionMatcher(definition);
    perTenant.set(tenant, matcher);
  }
  return matcher.match(method, path);
}
