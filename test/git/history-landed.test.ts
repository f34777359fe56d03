// A commit written on a branch and merged later changed the main line when it was merged: `--since`, the report's
// period and `show --at` agree on that date, and history shows it beside the author's date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkRegistryCommits } from '../../src/git/history.ts';
import { openRepo } from '../../src/git/repo.ts';
import { ANA, BOB, scopeguard, TestRepo } from './repo-fixture.ts';

const scopeSet = (names: string[]) =>
  `kind: ScopeSet\ntenant: acme\nscopes:\n${names.map((n) => `  ${n}: {description: ${n}, owner: team-data, sensitivity: high}\n`).join('')}`;

let repo: TestRepo;
beforeAll(() => {
  repo = new TestRepo();
  repo.write('scopes/scopes.yaml', scopeSet(['read.data']));
  repo.commit('Initial', ANA, '2026-01-01T10:00:00Z');
  repo.git(['switch', '-q', '-c', 'feature'], BOB, '2026-02-01T10:00:00Z');
  repo.write('scopes/scopes.yaml', scopeSet(['read.data', 'admin.all']));
  repo.commit('Add admin.all', BOB, '2026-02-01T10:00:00Z');
  repo.git(['switch', '-q', 'main'], ANA, '2026-03-01T10:00:00Z');
  repo.write('README.md', 'notes\n');
  repo.commit('Notes', ANA, '2026-03-01T10:00:00Z');
  repo.git(['merge', '-q', '--no-ff', 'feature', '-m', 'Merge pull request #7 from acme/feature'], ANA, '2026-07-01T10:00:00Z');
});
afterAll(() => repo.remove());

describe('history by the date a change landed on the branch', () => {
  it('a merged commit keeps its author date and gains the date of the merge that brought it in', async () => {
    const commits = await walkRegistryCommits(await openRepo(repo.dir), { root: 'scopes' });
    expect(commits.map((c) => [c.subject, c.date, c.landed])).toEqual([
      ['Add admin.all', '2026-02-01T10:00:00Z', '2026-07-01T10:00:00Z'],
      ['Initial', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z'],
    ].map(([subject, date, landed]) => [subject, date!.replace('Z', '+00:00'), landed!.replace('Z', '+00:00')]));
  });

  it('--since goes by the landing date, as show --at does', () => {
    const june = scopeguard(['history', '--scope', 'admin.all', '--since', '2026-06-01'], repo.dir);
    expect(june.status).toBe(0);
    expect(june.stdout).toContain('2026-02-01T10:00:00+00:00  (landed 2026-07-01T10:00:00+00:00)');
    expect(june.stdout).toContain('PR #7');
    expect(scopeguard(['show', '--at', '2026-06-01', '--scope', 'admin.all'], repo.dir).status).toBe(2);
    expect(scopeguard(['show', '--at', '2026-07-02', '--scope', 'admin.all'], repo.dir).status).toBe(0);
    const august = scopeguard(['history', '--scope', 'admin.all', '--since', '2026-08-01'], repo.dir);
    expect(august.stdout).toBe('no commits changed scope admin.all\n');
  });

  it('a commit written on the branch before a date but merged after it is not cut off by --since', () => {
    // git's own --since goes by the commit's date: February is before March, yet the change reached main in July
    const march = scopeguard(['history', '--scope', 'admin.all', '--since', '2026-03-01', '--format', 'json'], repo.dir);
    const { commits } = JSON.parse(march.stdout) as { commits: Array<{ subject: string; landed?: string }> };
    expect(commits.map((e) => [e.subject, e.landed])).toEqual([['Add admin.all', '2026-07-01T10:00:00+00:00']]);
  });
});
