/**
 * Registry loading and action matching at scale: a generated registry (one file per kind, 10,000 scopes with two
 * action patterns each, 5,000 clients), loaded from disk; then request matching through the precompiled trie
 * against a naive baseline that tests one regex per pattern per request. Prints figures; never fails on a timing.
 * Run alone: npx tsx bench/registry.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRegistry } from '../src/registry/load.ts';
import { matchAction } from '../src/registry/matcher.ts';

const SCOPES = 10_000;
const CLIENTS = 5_000;
const REQUESTS = 200_000;

function generate(dir: string): void {
  const scopes = ['kind: ScopeSet', 'tenant: big', 'scopes:'];
  const actions = ['kind: ActionMap', 'tenant: big', 'actions:'];
  for (let i = 0; i < SCOPES; i++) {
    scopes.push(`  area${i}.read:`, `    description: Read area ${i}`, '    owner: team', '    sensitivity: medium');
    actions.push(`  area${i}.read:`, `    - GET /v1/area${i}/{id}`, `    - GET /v1/area${i}/items/**`);
  }
  const clients = ['kind: ClientSet', 'tenant: big', 'clients:'];
  for (let i = 0; i < CLIENTS; i++) {
    const held = [i, i + 1, i + 2].map((n) => `area${n % SCOPES}.read`).join(', ');
    clients.push(`  client${i}:`, `    clientId: 0oa${i.toString(36).padStart(8, '0')}`, '    type: machine', `    scopes: [${held}]`);
  }
  writeFileSync(join(dir, 'scopes.yaml'), `${scopes.join('\n')}\n`);
  writeFileSync(join(dir, 'actions.yaml'), `${actions.join('\n')}\n`);
  writeFileSync(join(dir, 'clients.yaml'), `${clients.join('\n')}\n`);
}

/** What the trie replaces: one regex per pattern, all tried for every request. */
function naiveMatcher(patterns: Array<{ scope: string; method: string; path: string }>): (method: string, path: string) => string[] {
  const compiled = patterns.map((p) => ({
    scope: p.scope,
    method: p.method,
    regex: new RegExp(
      `^${p.path
        .split('/')
        .filter(Boolean)
        .map((s) => (s === '**' ? '(?:/[^/]+)*' : s === '*' || s.startsWith('{') ? '/[^/]+' : `/${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
        .join('')}/?$`,
    ),
  }));
  return (method, path) => [...new Set(compiled.filter((c) => c.method === method && c.regex.test(path.split('?')[0]!)).map((c) => c.scope))].sort();
}

const dir = mkdtempSync(join(tmpdir(), 'sg-bench-registry-'));
try {
  generate(dir);
  let start = performance.now();
  const registry = await loadRegistry(dir);
  process.stdout.write(`load ${SCOPES} scopes, ${2 * SCOPES} patterns, ${CLIENTS} clients: ${Math.round(performance.now() - start)} ms\n`);

  const paths = Array.from({ length: REQUESTS }, (_, i) => (i % 2 === 0 ? `/v1/area${i % SCOPES}/${i}` : `/v1/area${i % SCOPES}/items/a/b?page=${i}`));
  start = performance.now();
  matchAction(registry, 'big', 'GET', '/warm-up');
  process.stdout.write(`compile matcher: ${Math.round(performance.now() - start)} ms\n`);
  start = performance.now();
  let hits = 0;
  for (const path of paths) hits += matchAction(registry, 'big', 'GET', path).length;
  const trieMs = performance.now() - start;
  process.stdout.write(`trie: ${REQUESTS} requests in ${Math.round(trieMs)} ms (${Math.round(REQUESTS / (trieMs / 1000))} req/s), ${hits} matches\n`);

  const patterns = Object.entries(registry.tenants.big!.actions).flatMap(([scope, list]) => list.map((p) => ({ scope, method: p.method, path: p.path })));
  const naive = naiveMatcher(patterns);
  const sample = paths.slice(0, 200);
  start = performance.now();
  for (const path of sample) naive('GET', path);
  const naiveMs = performance.now() - start;
  process.stdout.write(
    `naive regex per pattern: ${sample.length} requests in ${Math.round(naiveMs)} ms (${Math.round(sample.length / (naiveMs / 1000))} req/s)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
