// History through commits that left a registry file unparseable: a broken file did not remove what it defines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkRegistryCommits } from '../../src/git/history.ts';
import { openRepo } from '../../src/git/repo.ts';
import { ANA, BOB, TestRepo, scopeguard } from './repo-fixture.ts';

const scopeSet = (lines: string[]) => `kind: ScopeSet\ntenant: acme\nscopes:\n${lines.map((line) => `  ${line}\n`).join('')}`;
const DATA = 'read.data: {description: Read data, owner: team-data, sensitivity: high}';
const ORDERS = 'read.orders: {description: Read orders, owner: team-orders, sensitivity: medium}';

let repo: TestRepo;
beforeAll(() => {
  repo = new TestRepo();
  repo.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
  repo.write('scopes/more.yaml', scopeSet(['write.orders: {description: Write orders, owner: team-orders}']));
  repo.commit('Initial', ANA, '2026-01-01T10:00:00Z');
  // a duplicate key: the whole file stops parsing
  repo.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS, ORDERS.replace('medium', 'low')]));
  repo.commit('Break scopes.yaml', BOB, '2026-02-01T10:00:00Z');
  // edited while broken: nothing anyone can read changed
  repo.write('scopes/scopes.yaml', scopeSet([DATA.replace('high', 'critical'), ORDERS, ORDERS.replace('medium', 'low')]));
  repo.commit('Edit the broken file', BOB, '2026-02-10T10:00:00Z');
  // repaired, with read.data now critical: that is the change since the last version that parsed
  repo.write('scopes/scopes.yaml', scopeSet([DATA.replace('high', 'critical'), ORDERS]));
  repo.commit('Repair scopes.yaml', ANA, '2026-03-01T10:00:00Z');
  // saved as UTF-16 by an editor, then back
  repo.writeBytes('scopes/more.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(scopeSet(['write.orders: {description: Write orders, owner: team-orders}']), 'utf16le')]));
  repo.commit('Save more.yaml as UTF-16', BOB, '2026-04-01T10:00:00Z');
  repo.write('scopes/more.yaml', scopeSet(['write.orders: {description: Write orders, owner: team-orders, sensitivity: high}']));
  repo.commit('Back to UTF-8', ANA, '2026-05-01T10:00:00Z');
});
afterAll(() => repo.remove());

describe('history through a file that does not parse', () => {
  it('notes where it stops and starts parsing, and shows the real change at the repair, against its last good version', async () => {
    const commits = await walkRegistryCommits(await openRepo(repo.dir), { root: 'scopes' });
    const initial = commits.find((c) => c.subject === 'Initial')!.commit.slice(0, 12);
    expect(commits.map((c) => [c.subject, c.changes.map((x) => `${x.tenant} ${x.kind}: ${x.detail}`)])).toEqual([
      ['Back to UTF-8', [
        `acme file.readable-again: scopes/more.yaml parses again: changes since its last version that parsed (${initial})`,
        'acme scope.sensitivity-raised: sensitivity low → high',
      ]],
      ['Save more.yaml as UTF-16', ['acme file.unreadable: scopes/more.yaml does not parse from here (the file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8); its changes show where it parses again']],
      ['Repair scopes.yaml', [
        `acme file.readable-again: scopes/scopes.yaml parses again: changes since its last version that parsed (${initial})`,
        'acme scope.sensitivity-raised: sensitivity high → critical',
      ]],
      ['Edit the broken file', []],
      ['Break scopes.yaml', ['acme file.unreadable: scopes/scopes.yaml does not parse from here (duplicate key "read.orders" at line 6); its changes show where it parses again']],
      ['Initial', ['acme scope.added: scope added (high)', 'acme scope.added: scope added (medium)', 'acme scope.added: scope added (low)']],
    ]);
  });

  it('history --scope shows the notes of the files that define it, and no removal that never happened', () => {
    const run = scopeguard(['history', '--scope', 'read.data', '--format', 'json'], repo.dir);
    expect(run.status).toBe(0);
    const { commits } = JSON.parse(run.stdout) as { commits: { subject: string; changes: { kind: string }[] }[] };
    expect(commits.map((c) => [c.subject, c.changes.map((x) => x.kind)])).toEqual([
      ['Repair scopes.yaml', ['file.readable-again', 'scope.sensitivity-raised']],
      ['Break scopes.yaml', ['file.unreadable']],
      ['Initial', ['scope.added']],
    ]);
  });

  it('in text, a note reads as a note, without a classification', () => {
    const run = scopeguard(['history', '--scope', 'read.data'], repo.dir);
    expect(run.stdout).toContain('    acme  note: scopes/scopes.yaml does not parse from here (duplicate key "read.orders" at line 6); its changes show where it parses again\n');
    expect(run.stdout).toContain('    acme  sensitivity high → critical  [neutral]\n');
  });

  it('show --at a revision with a UTF-16 file names the encoding at that revision, not what its bytes look like as UTF-8', () => {
    const run = scopeguard(['show', '--at', '2026-04-15'], repo.dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('scopes/more.yaml:1:1  the file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8');
    expect(run.stderr).toMatch(/1 problem in the registry at 2026-04-15 \([0-9a-f]{12}\)/);
  });
});

describe('a pull request with a commit that broke a file and one that repaired it', () => {
  let pr: TestRepo;
  let base: string;
  beforeAll(() => {
    pr = new TestRepo();
    pr.write('scopes/scopeguard.yaml', 'kind: Config\nowners:\n  team-data: {emails: [ana@example.com]}\n  team-orders: {emails: [ana@example.com]}\n');
    pr.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
    base = pr.commit('Initial', ANA, '2026-01-01T10:00:00Z');
    pr.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS, ORDERS]));
    pr.commit('Oops', BOB, '2026-02-01T10:00:00Z');
    pr.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
    pr.commit('Fix the oops', BOB, '2026-02-02T10:00:00Z');
  });
  afterAll(() => pr.remove());

  it('holds no change by a non-owner: the break removed nothing, and the repair restored nothing (SG205)', () => {
    const run = scopeguard(['check', '--base', base, '--format', 'json', '--now', '2026-03-01'], pr.dir);
    expect(run.stderr).toBe('');
    const { findings } = JSON.parse(run.stdout) as { findings: { ruleId: string }[] };
    expect(findings.filter((f) => f.ruleId.startsWith('SG2'))).toEqual([]);
  });
});

describe('check --base on a base whose registry does not load (a broken main, and the change that repairs it)', () => {
  let broken: TestRepo;
  let good: string;
  beforeAll(() => {
    broken = new TestRepo();
    broken.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
    good = broken.commit('Initial', ANA, '2026-01-01T10:00:00Z');
    broken.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS, ORDERS]));
    broken.commit('Direct push that broke main', BOB, '2026-02-01T10:00:00Z');
    broken.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
  });
  afterAll(() => broken.remove());

  it('compares the repaired work tree with the newest earlier revision that loads, says so, and passes', () => {
    const run = scopeguard(['check', '--base', 'HEAD', '--format', 'json', '--now', '2026-03-01'], broken.dir);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`scopeguard: the registry does not load at base HEAD; findings are compared with ${good.slice(0, 12)}, the newest earlier revision where it does\n`);
    const { findings } = JSON.parse(run.stdout) as { findings: { status: string }[] };
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.status === 'existing')).toBe(true);
    const diff = scopeguard(['diff', '--base', 'HEAD'], broken.dir);
    expect(diff.stdout.split('\n')[0]).toMatch(new RegExp(`^HEAD \\([0-9a-f]{12}, does not load: compared with ${good.slice(0, 12)}\\) → worktree`));
  });

  it('compares with no registry when it never loaded, and still reports the base as it is with show --at', () => {
    const never = new TestRepo();
    try {
      never.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS, ORDERS]));
      never.commit('Adopt scopeguard, broken', BOB, '2026-01-01T10:00:00Z');
      never.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
      const run = scopeguard(['diff', '--base', 'HEAD', '--format', 'json'], never.dir);
      expect(run.status).toBe(0);
      expect((JSON.parse(run.stdout) as { base: { empty?: boolean } }).base.empty).toBe(true);
      const shown = scopeguard(['show', '--at', 'HEAD'], never.dir);
      expect(shown.status).toBe(2);
      expect(shown.stderr).toContain('duplicate key "read.orders"');
    } finally {
      never.remove();
    }
  });
});

describe('notes of a broken file whose tenant cannot be read', () => {
  let lost: TestRepo;
  beforeAll(() => {
    lost = new TestRepo();
    lost.write('scopes/scopes.yaml', scopeSet([DATA, ORDERS]));
    lost.commit('Initial', ANA, '2026-09-01T10:00:00Z');
    // the tenant line itself went wrong along with the flow mapping: no tenant can be told from the file
    lost.write('scopes/scopes.yaml', `kind: ScopeSet\ntenent acme\nscopes:\n  ${DATA.replace('}', '')}\n  ${ORDERS}\n`);
    lost.commit('Break scopes.yaml and its tenant line', BOB, '2026-10-01T10:00:00Z');
    lost.write('scopes/scopes.yaml', scopeSet([DATA.replace('high', 'critical'), ORDERS]));
    lost.commit('Repair scopes.yaml', ANA, '2026-10-15T10:00:00Z');
  });
  afterAll(() => lost.remove());

  it('belong to every tenant: history --tenant and the tenant compliance report show them', () => {
    const history = scopeguard(['history', '--scope', 'read.data', '--tenant', 'acme'], lost.dir);
    expect(history.status).toBe(0);
    expect(history.stdout).toMatch(/Break scopes\.yaml and its tenant line\n {4}\(tenant unknown\) {2}note: scopes\/scopes\.yaml does not parse from here/);
    const report = scopeguard(['report', '--out', 'out', '--format', 'md', '--now', '2026-11-01'], lost.dir);
    expect(report.status).toBe(0);
    const md = readFileSync(join(lost.dir, 'out', 'acme', '2026-11-01', 'report.md'), 'utf8');
    expect(md).toContain('| note: scopes/scopes\\.yaml does not parse from here');
    expect(md).toContain('| note: scopes/scopes\\.yaml parses again');
  });
});
