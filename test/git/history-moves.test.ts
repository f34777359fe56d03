import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concernsScope, walkRegistryCommits } from '../../src/git/history.ts';
import { openRepo } from '../../src/git/repo.ts';
import { ANA, BOB, TestRepo } from './repo-fixture.ts';

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
