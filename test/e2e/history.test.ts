import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildScenario, ROOT, type Scenario } from '../git/scenario.ts';
import { ANA, scopeguard, TestRepo } from '../git/repo-fixture.ts';
import { realpathSync } from 'node:fs';
import type { HistoryEntry } from '../../src/git/history.ts';

let scenario: Scenario;
beforeAll(() => {
  scenario = buildScenario();
});
afterAll(() => scenario.repo.remove());

const history = (args: string[]): HistoryEntry[] => {
  const result = scopeguard(['history', '--registry', ROOT, '--format', 'json', ...args], scenario.repo.dir);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as { commits: HistoryEntry[] }).commits;
};

describe('scopeguard history', () => {
  it('lists the commits that changed a scope, newest first, with PR numbers from the merge', () => {
    const entries = history(['--scope', 'read.data']);
    expect(entries.map((e) => [e.commit, e.author, e.pr ?? null])).toEqual([
      [scenario.commits.reporting, 'Ana Owner', 12],
      [scenario.commits.initial, 'Ana Owner', null],
    ]);
    expect(entries[0]?.changes.map((c) => c.detail)).toEqual([
      'actions widened: + GET /v2/data/**',
      'granted read.data',
      'exception for SG105 on client:reporting-app/scope:read.data until 2027-12-31',
    ]);
    expect(entries[0]?.date).toBe('2026-05-06T10:00:00+00:00');
  });

  it('follows a scope across the file rename and skips formatting-only commits', () => {
    const entries = history(['--scope', 'write.orders']);
    expect(entries.map((e) => e.subject)).toEqual(['Tidy descriptions', 'Orders: delete endpoint (#7)', 'Initial registry']);
    expect(entries[1]?.pr).toBe(7);
    expect(entries[1]?.changes.map((c) => c.detail)).toContain('actions widened: + DELETE /v1/orders/{id}');
  });

  it('lists the commits that add or remove a client holding the scope', () => {
    const repo = new TestRepo();
    try {
      const scopes = 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.profile: {description: Read profiles, owner: team-id}\n  read.other: {description: Read other, owner: team-id}\n';
      const clients = (extra: string) => `kind: ClientSet\ntenant: acme\nclients:\n  web: {clientId: w1, type: public, owner: team-id, scopes: [read.other]}\n${extra}`;
      repo.write('scopes/scopes.yaml', scopes);
      repo.write('scopes/clients.yaml', clients(''));
      repo.commit('Initial registry', ANA, '2026-01-01T10:00:00Z');
      repo.write('scopes/clients.yaml', clients('  mobile: {clientId: m1, type: public, owner: team-id, scopes: [read.profile]}\n'));
      repo.commit('Add the mobile app (#5)', ANA, '2026-02-01T10:00:00Z');
      repo.write('scopes/clients.yaml', clients(''));
      repo.commit('Retire the mobile app', ANA, '2026-03-01T10:00:00Z');
      const run = scopeguard(['history', '--scope', 'read.profile', '--format', 'json'], repo.dir);
      const entries = (JSON.parse(run.stdout) as { commits: HistoryEntry[] }).commits;
      expect(entries.map((e) => [e.subject, e.changes.map((c) => c.detail)])).toEqual([
        ['Retire the mobile app', ['client removed']],
        ['Add the mobile app (#5)', ['client added with read.profile']],
        ['Initial registry', ['scope added (low)']],
      ]);
    } finally {
      repo.remove();
    }
  });

  it('lists a client’s grants and shows sensitivity changes as semantic lines in text', () => {
    expect(history(['--client', 'reporting-app']).map((e) => e.changes.map((c) => c.detail).join('; '))).toEqual([
      'granted read.data; exception for SG105 on client:reporting-app/scope:read.data until 2027-12-31',
      'granted write.orders',
      'client added with no scopes',
    ]);
    const text = scopeguard(['history', '--registry', '.', '--scope', 'admin.all', '--since', '2026-05-01'], join(scenario.repo.dir, ROOT));
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^2026-05-05T10:00:00\+00:00 {2}[0-9a-f]{12} {2}Mallory <mallory@example.com> {2}PR #12 {2}Loosen admin\n {4}acme {2}sensitivity critical → high {2}\[neutral\]\n$/);
  });

  it('filters by tenant and says when nothing changed, and when the name is not in the registry either', () => {
    const otherTenant = scopeguard(['history', '--registry', ROOT, '--format', 'json', '--scope', 'read.data', '--tenant', 'globex'], scenario.repo.dir);
    expect(otherTenant.status).toBe(0);
    expect(JSON.parse(otherTenant.stdout).commits).toEqual([]);
    expect(otherTenant.stderr).toBe('scopeguard: the registry has no scope "read.data" in tenant globex\n');
    const none = scopeguard(['history', '--registry', ROOT, '--scope', 'no.such'], scenario.repo.dir);
    expect(none.status).toBe(0);
    expect(none.stdout).toBe('no commits changed scope no.such\n');
    expect(none.stderr).toBe('scopeguard: the registry has no scope "no.such"\n');
    const typo = scopeguard(['history', '--registry', ROOT, '--client', 'reportng-app'], scenario.repo.dir);
    expect(typo.stdout).toBe('no commits changed client reportng-app\n');
    expect(typo.stderr).toBe('scopeguard: the registry has no client "reportng-app"; did you mean "reporting-app"?\n');
    const both = scopeguard(['history', '--registry', ROOT, '--scope', 'a', '--client', 'b'], scenario.repo.dir);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('exactly one of --scope NAME or --client NAME');
    const wrongRoot = scopeguard(['history', '--registry', 'nowhere', '--scope', 'read.data'], scenario.repo.dir);
    expect(wrongRoot.status).toBe(2);
    expect(wrongRoot.stderr).toContain('no commit touches "nowhere"');
  });
});

describe('a repository with no commits yet', () => {
  it('history, diff, show --at and check --base say so, with what to do, instead of git errors', () => {
    const repo = new TestRepo();
    try {
      repo.write('scopes/acme.yaml', 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.data: {description: Read data, owner: team-data}\n');
      const asked = [
        ['history', '--scope', 'read.data'],
        ['history', '--client', 'web'],
        ['diff', '--base', 'HEAD'],
        ['show', '--at', 'HEAD'],
        ['show', '--at', '2026-01-01'],
        ['check', '--base', 'main'],
      ];
      for (const args of asked) {
        const run = scopeguard(args, repo.dir);
        expect({ args, status: run.status }).toEqual({ args, status: 2 });
        expect(run.stderr).toContain(`the git repository at ${realpathSync(repo.dir)} has no commits yet`);
        expect(run.stderr).toContain('hint: commit the registry first');
        expect(run.stderr).not.toMatch(/unexpected error|fatal:/);
      }
      // the first commit is all it takes
      repo.commit('registry', ANA, '2026-02-01T00:00:00Z');
      expect(scopeguard(['diff', '--base', 'HEAD'], repo.dir).status).toBe(0);
    } finally {
      repo.remove();
    }
  });
});
