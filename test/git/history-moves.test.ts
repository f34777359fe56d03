import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concernsScope, walkRegistryCommits } from '../../src/git/history.ts';
import { openRepo } from '../../src/git/repo.ts';
import { ANA, BOB, MALLORY, scopeguard, TestRepo } from './repo-fixture.ts';

const scopeSet = (names: string[]) =>
  `kind: ScopeSet\ntenant: acme\nscopes:\n${names.map((n) => `  ${n}: {description: ${n}, owner: team-data, sensitivity: high}\n`).join('')}`;

let repo: TestRepo;
beforeAll(() => {
  repo = new TestRepo();
  repo.write('scopes/a.yaml', scopeSet(['read.data', 'read.orders']));
  repo.write('scopes/b.yaml', scopeSet(['write.orders']));
  repo.commit('Initial', ANA, '2026-01-01T10:00:00Z');
  // read.data moves from a.yaml into b.yaml, unchanged
  repo.write('scopes/a.yaml', scopeSet(['read.orders']));
  repo.write('scopes/b.yaml', scopeSet(['write.orders', 'read.data']));
  repo.commit('Regroup scopes', BOB, '2026-02-01T10:00:00Z');
  repo.write('scopes/b.yaml', scopeSet(['write.orders', 'read.data']).replace('read.data, owner: team-data, sensitivity: high', 'read.data, owner: team-data, sensitivity: medium'));
  repo.commit('Lower read.data', BOB, '2026-03-01T10:00:00Z');
});
afterAll(() => repo.remove());

describe('history across entries moving between files', () => {
  it('sees no change when a scope moves to another file, and follows it there', async () => {
    const commits = await walkRegistryCommits(await openRepo(repo.dir), { root: 'scopes', mentioning: 'read.data' });
    expect(commits.map((c) => [c.subject, c.changes.filter((x) => concernsScope(x, 'read.data')).map((x) => x.detail)])).toEqual([
      ['Lower read.data', ['sensitivity high → medium']],
      ['Regroup scopes', []],
      ['Initial', ['scope added (high)']],
    ]);
  });
});

describe('history of a scope whose actions are mapped in several files', () => {
  const actionMap = (entries: Record<string, string[]>) =>
    `kind: ActionMap\ntenant: acme\nactions:${Object.entries(entries).map(([scope, patterns]) => `\n  ${scope}: [${patterns.map((p) => JSON.stringify(p)).join(', ')}]`).join('') || ' {}'}\n`;
  let split: TestRepo;
  beforeAll(() => {
    split = new TestRepo();
    split.write('scopes/scopes.yaml', scopeSet(['read.data']));
    split.write('scopes/a-actions.yaml', actionMap({ 'read.data': ['GET /v1/data/**', 'GET /v1/export'] }));
    split.write('scopes/b-actions.yaml', actionMap({ 'read.data': ['HEAD /v1/data/**'] }));
    split.commit('Initial', ANA, '2026-01-01T10:00:00Z');
    // GET /v1/export moves from a- to b-actions.yaml over two commits: the scope's actions never change
    split.write('scopes/b-actions.yaml', actionMap({ 'read.data': ['HEAD /v1/data/**', 'GET /v1/export'] }));
    split.commit('Copy the export mapping', BOB, '2026-02-01T10:00:00Z');
    split.write('scopes/a-actions.yaml', actionMap({ 'read.data': ['GET /v1/data/**'] }));
    split.commit('Drop the old copy', BOB, '2026-02-02T10:00:00Z');
    // and back in one commit that edits both files
    split.write('scopes/a-actions.yaml', actionMap({ 'read.data': ['GET /v1/data/**', 'GET /v1/export'] }));
    split.write('scopes/b-actions.yaml', actionMap({ 'read.data': ['HEAD /v1/data/**'] }));
    split.commit('Move it back', BOB, '2026-02-03T10:00:00Z');
    // a pattern that the other file's pattern already covers rewrites, it does not widen
    split.write('scopes/b-actions.yaml', actionMap({ 'read.data': ['HEAD /v1/data/**', 'GET /v1/data/{id}'] }));
    split.commit('Name the record route', BOB, '2026-02-04T10:00:00Z');
    split.write('scopes/a-actions.yaml', actionMap({ 'read.data': ['GET /v1/export'] }));
    split.commit('Narrow read.data', BOB, '2026-02-05T10:00:00Z');
  });
  afterAll(() => split.remove());

  it.each([
    ['every entry', undefined],
    ['the history of one scope', 'read.data'],
  ])('judges each commit by the whole action list of the scope, not only the lines of the files it changed (%s)', async (_, mentioning) => {
    const commits = await walkRegistryCommits(await openRepo(split.dir), { root: 'scopes', ...(mentioning ? { mentioning } : {}) });
    expect(commits.map((c) => [c.subject, c.changes.map((x) => `${x.classification}: ${x.detail}`)])).toEqual([
      ['Narrow read.data', ['narrowing: actions narrowed: - GET /v1/data/**']],
      ['Name the record route', ['neutral: actions rewritten: + GET /v1/data/{id}']],
      ['Move it back', []],
      ['Drop the old copy', []],
      ['Copy the export mapping', []],
      ['Initial', ['neutral: scope added (high)', 'widening: actions widened: + GET /v1/data/**', 'widening: actions widened: + GET /v1/export', 'widening: actions widened: + HEAD /v1/data/**']],
    ]);
  });

  it('a non-owner who only moves mappings between files is no unauthorized change', () => {
    split.write('scopes/scopeguard.yaml', 'kind: Config\nowners:\n  team-data: {emails: [ana@example.com]}\n');
    split.commit('Owners', ANA, '2026-03-01T10:00:00Z');
    split.git(['branch', 'base']);
    split.write('scopes/b-actions.yaml', actionMap({ 'read.data': ['HEAD /v1/data/**', 'GET /v1/data/{id}', 'GET /v1/export'] }));
    split.commit('Copy export', MALLORY, '2026-03-02T10:00:00Z');
    split.write('scopes/a-actions.yaml', actionMap({}));
    split.commit('Drop the old copy', MALLORY, '2026-03-03T10:00:00Z');
    const result = scopeguard(['check', '--base', 'base', '--format', 'json', '--now', '2026-03-04'], split.dir);
    const report = JSON.parse(result.stdout) as { findings: Array<{ ruleId: string; message: string }> };
    expect(report.findings.filter((f) => f.ruleId === 'SG205').map((f) => f.message)).toEqual([]);
    expect(result.stderr).toBe('');
  });
});

describe('history of a name that a file spells with YAML escapes', () => {
  let escaped: TestRepo;
  beforeAll(() => {
    escaped = new TestRepo();
    // as PyYAML writes non-ASCII text by default
    escaped.write('scopes/scopes.yaml', 'kind: ScopeSet\ntenant: acme\nscopes:\n  "caf\\u00e9.read": {description: d, owner: team-data, sensitivity: low}\n');
    escaped.commit('Add café.read', ANA, '2026-01-01T10:00:00Z');
    escaped.write('scopes/scopes.yaml', 'kind: ScopeSet\ntenant: acme\nscopes:\n  "caf\\u00e9.read": {description: d, owner: team-data, sensitivity: high}\n');
    escaped.commit('Raise café.read', BOB, '2026-02-01T10:00:00Z');
  });
  afterAll(() => escaped.remove());

  it('finds every commit that changed it', async () => {
    const commits = await walkRegistryCommits(await openRepo(escaped.dir), { root: 'scopes', mentioning: 'café.read' });
    expect(commits.map((c) => [c.subject, c.changes.filter((x) => concernsScope(x, 'café.read')).map((x) => x.detail)])).toEqual([
      ['Raise café.read', ['sensitivity low → high']],
      ['Add café.read', ['scope added (low)']],
    ]);
  });
});
