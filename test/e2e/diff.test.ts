import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenario, ROOT, type Scenario } from '../git/scenario.ts';
import { ANA, TestRepo, scopeguard, shallowCloneOf } from '../git/repo-fixture.ts';
import type { RegistryDiff } from '../../src/diff/types.ts';

let scenario: Scenario;
let shallow: string;

beforeAll(() => {
  scenario = buildScenario();
  shallow = shallowCloneOf(scenario.repo.dir);
});
afterAll(() => {
  scenario.repo.remove();
  rmSync(shallow, { recursive: true, force: true });
});

const diffJson = (args: string[], cwd = scenario.repo.dir): RegistryDiff => {
  const result = scopeguard(['diff', '--registry', ROOT, '--format', 'json', ...args], cwd);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as RegistryDiff;
};

describe('scopeguard diff', () => {
  it('finds no change in a formatting-only commit', () => {
    const { initial, reformat } = scenario.commits;
    const diff = diffJson(['--base', initial, '--head', reformat]);
    expect(diff.changes).toEqual([]);
    expect(diff.classification).toBe('neutral');
    const text = scopeguard(['diff', '--registry', ROOT, '--base', initial, '--head', reformat], scenario.repo.dir);
    expect(text.stdout).toContain('no semantic changes');
  });

  it('follows a renamed file: moving the scope definitions changes nothing', () => {
    const { orders, move } = scenario.commits;
    expect(diffJson(['--base', orders, '--head', move]).changes).toEqual([]);
  });

  it('classifies action patterns by coverage and grants, with dates as revisions', () => {
    // 2026-02-11 is between "Reformat clients" and "Orders: delete endpoint"; 2026-04-11 after the move
    const diff = diffJson(['--base', '2026-02-11', '--head', '2026-04-11']);
    expect(diff.base).toEqual({ ref: '2026-02-11', commit: scenario.commits.reformat });
    expect(diff.head).toEqual({ ref: '2026-04-11', commit: scenario.commits.move });
    expect(diff.changes.map((c) => [c.subject, c.kind, c.classification])).toEqual([
      ['scope:write.orders/action:GET /v1/orders/{id}', 'action.added', 'neutral'],
      ['scope:write.orders/action:DELETE /v1/orders/{id}', 'action.added', 'widening'],
      ['scope:write.orders/action:GET /v1/orders/*', 'action.removed', 'neutral'],
      ['client:reporting-app/scope:write.orders', 'client.scope-granted', 'widening'],
    ]);
    expect(diff.classification).toBe('widening');
    expect(diff.changes[3]?.location).toMatchObject({ file: `${ROOT}/acme/clients.yaml`, line: 19 });
  });

  it('shows the pull request as a breaking change table in text and markdown', () => {
    const { move, merge } = scenario.commits;
    const text = scopeguard(['diff', '--registry', ROOT, '--base', move, '--head', merge], scenario.repo.dir);
    expect(text.status).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`${move} (${move.slice(0, 12)}) → ${merge} (${merge.slice(0, 12)}): breaking`);
    expect(lines[1]).toMatch(/^TENANT\s+SUBJECT\s+CHANGE\s+CLASS\s+LOCATION$/);
    // where the removed scope was, at base
    expect(text.stdout).toMatch(/acme\s+scope:read\.legacy\s+scope removed\s+breaking\s+config\/oauth\/scopes\/tenants\/acme\/scope-definitions\.yaml:16 \(at [0-9a-f]{12}\)/);
    expect(text.stdout).toContain(`scope-definitions.yaml:16 (at ${move.slice(0, 12)})`);
    expect(text.stdout).toMatch(/acme\s+scope:admin\.all\s+sensitivity critical → high\s+neutral/);
    expect(text.stdout).toMatch(/client:legacy-app\/scope:read\.legacy\s+revoked read\.legacy\s+breaking/);
    expect(text.stdout).toMatch(/exception:SG105\/client:reporting-app\/scope:read\.data\s+exception for SG105 .* until 2027-12-31\s+widening/);
    const markdown = scopeguard(['diff', '--registry', ROOT, '--base', move, '--head', merge, '--format', 'markdown'], scenario.repo.dir);
    expect(markdown.stdout.split('\n')[0]).toMatch(/^\*\*Scope registry change: breaking\*\*/);
    expect(markdown.stdout).toContain('| `acme` | `client:reporting-app/scope:read.data` | granted read\\.data | widening |');
    expect(markdown.stdout).toContain('actions widened: \\+ GET /v2/data/\\*\\*');
  });

  it('compares with the work tree by default, from a sub-folder with the registry given relative to it', () => {
    scenario.repo.write(`${ROOT}/acme/clients.yaml`, scenario.repo.git(['show', `HEAD:${ROOT}/acme/clients.yaml`]).replace('type: machine', 'type: public'));
    try {
      const diff = diffJson(['--base', 'HEAD', '--registry', 'oauth/scopes'], join(scenario.repo.dir, 'config'));
      expect(diff.head).toEqual({ ref: 'worktree' });
      expect(diff.changes.map((c) => [c.subject, c.detail, c.location?.file])).toEqual([['client:reporting-app', 'type machine → public', 'oauth/scopes/acme/clients.yaml']]);
    } finally {
      scenario.repo.git(['checkout', '--', `${ROOT}/acme/clients.yaml`]);
    }
  });

  it('asks for more history in a shallow clone, exit 2', () => {
    const result = scopeguard(['diff', '--registry', ROOT, '--base', scenario.commits.initial, '--head', 'HEAD'], shallow);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('not in this shallow clone');
    expect(result.stderr).toContain('fetch more history: actions/checkout with fetch-depth: 0');
    const byDate = scopeguard(['diff', '--registry', ROOT, '--base', '2026-03-01'], shallow);
    expect(byDate.status).toBe(2);
    expect(byDate.stderr).toContain('fetch-depth: 0');
  });

  it('names an unknown ref and a bad format clearly, exit 2, no stack trace', () => {
    const unknown = scopeguard(['diff', '--registry', ROOT, '--base', 'no-such-branch'], scenario.repo.dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('scopeguard: unknown revision "no-such-branch"\n  hint: give a branch, tag, commit or a date such as 2026-06-01\n');
    const json = scopeguard(['diff', '--registry', ROOT, '--base', 'no-such-branch', '--format', 'json'], scenario.repo.dir);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: 'unknown revision "no-such-branch"', hint: 'give a branch, tag, commit or a date such as 2026-06-01', problems: [] });
    const typo = scopeguard(['diff', '--registry', ROOT, '--base', 'mian'], scenario.repo.dir);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe('scopeguard: unknown revision "mian"\n  hint: did you mean "main"?\n');
    const format = scopeguard(['diff', '--registry', ROOT, '--base', 'HEAD', '--format', 'xml'], scenario.repo.dir);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('unknown --format "xml"');
    const both = scopeguard(['diff', '--registry', ROOT, '--base', 'HEAD', '--head', 'HEAD', '--worktree'], scenario.repo.dir);
    expect(both.status).toBe(2);
  });
});

// old.scope is on line 9 of a.yaml at base; the change removes it, so read.data moves up onto line 9 at head
const SCOPE_FILE = `kind: ScopeSet
tenant: acme
scopes:
  read.orders:
    description: Read orders
    owner: team-orders
  write.orders:
    {description: Write orders, owner: team-orders, sensitivity: medium}
  old.scope:
    description: Old
    owner: team-data
  read.data:
    description: Read data
    owner: team-data
`;
const ORDER_ACTIONS = `kind: ActionMap
tenant: acme
actions:
  read.orders: [GET /v1/orders/**]
  write.orders: [POST /v1/orders]
  old.scope: [GET /v0/old/**]
`;
// an ActionMap fragment in a file of its own, which the change deletes
const DATA_ACTIONS = `kind: ActionMap
tenant: acme
actions:
  read.data: [GET /v1/data/**]
`;

describe('scopeguard diff: where a removed entry was is at base, and says so', () => {
  let repo: TestRepo;
  const commits: Record<'initial' | 'broken' | 'repaired' | 'removal', string> = { initial: '', broken: '', repaired: '', removal: '' };
  beforeAll(() => {
    repo = new TestRepo();
    repo.write('scopes/acme/a.yaml', SCOPE_FILE);
    repo.write('scopes/acme/b.yaml', ORDER_ACTIONS);
    repo.write('scopes/acme/d.yaml', DATA_ACTIONS);
    commits.initial = repo.commit('registry', ANA, '2026-05-01T10:00:00Z');
    repo.write('scopes/acme/broken.yaml', 'kind: ScopeSet\ntenant: acme\nscopes: [\n');
    commits.broken = repo.commit('break the registry', ANA, '2026-05-02T10:00:00Z');
    repo.git(['rm', '-q', 'scopes/acme/broken.yaml']);
    commits.repaired = repo.commit('repair it', ANA, '2026-05-03T10:00:00Z');
    repo.write('scopes/acme/a.yaml', SCOPE_FILE.replace('  old.scope:\n    description: Old\n    owner: team-data\n', '').replace('Read data', 'Read customer data'));
    repo.write('scopes/acme/b.yaml', ORDER_ACTIONS.replace('  old.scope: [GET /v0/old/**]\n', ''));
    repo.git(['rm', '-q', 'scopes/acme/d.yaml']);
    commits.removal = repo.commit('retire old.scope, unmap read.data', ANA, '2026-05-04T10:00:00Z');
  });
  afterAll(() => repo.remove());

  const run = (args: string[]) => {
    const result = scopeguard(['diff', ...args], repo.dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  };
  const locations = (args: string[]) =>
    (JSON.parse(run([...args, '--format', 'json'])) as RegistryDiff).changes.map((c) => `${c.subject} | ${c.location?.file}:${c.location?.line} | ${c.location?.revision ?? 'head'}`);

  it('marks a removed scope and the actions of a deleted file with the base commit, in JSON, text and Markdown', () => {
    const { repaired: base } = commits;
    // at head, line 9 of a.yaml holds another scope, and d.yaml is gone
    expect(repo.git(['show', 'HEAD:scopes/acme/a.yaml']).split('\n')[8]).toBe('  read.data:');
    expect(repo.git(['ls-tree', '--name-only', 'HEAD', 'scopes/acme/']).split('\n')).not.toContain('scopes/acme/d.yaml');
    expect(locations(['--base', 'HEAD~1', '--head', 'HEAD'])).toEqual([
      `scope:old.scope | scopes/acme/a.yaml:9 | ${base}`,
      'scope:read.data | scopes/acme/a.yaml:9 | head',
      `scope:old.scope/action:GET /v0/old/** | scopes/acme/b.yaml:6 | ${base}`,
      `scope:read.data/action:GET /v1/data/** | scopes/acme/d.yaml:4 | ${base}`,
    ]);

    const text = run(['--base', 'HEAD~1', '--head', 'HEAD']);
    const short = base.slice(0, 12);
    expect(text).toMatch(new RegExp(`scope:old\\.scope\\s+scope removed\\s+breaking\\s+scopes/acme/a\\.yaml:9 \\(at ${short}\\)\\n`));
    expect(text).toMatch(new RegExp(`actions narrowed: - GET /v1/data/\\*\\*\\s+narrowing\\s+scopes/acme/d\\.yaml:4 \\(at ${short}\\)\\n`));
    expect(text).toMatch(/description changed\s+neutral\s+scopes\/acme\/a\.yaml:9\n/);

    const markdown = run(['--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown']);
    expect(markdown).toContain(`| \`acme\` | \`scope:old.scope\` | scope removed | breaking | \`scopes/acme/a.yaml:9 (at ${short})\` |`);
    expect(markdown).toContain(`| narrowing | \`scopes/acme/d.yaml:4 (at ${short})\` |`);
    expect(markdown).toContain('| description changed | neutral | `scopes/acme/a.yaml:9` |');
  });

  it('marks them the same against the work tree (the default head)', () => {
    expect(locations(['--base', 'HEAD~1']).filter((l) => !l.endsWith('| head'))).toEqual([
      `scope:old.scope | scopes/acme/a.yaml:9 | ${commits.repaired}`,
      `scope:old.scope/action:GET /v0/old/** | scopes/acme/b.yaml:6 | ${commits.repaired}`,
      `scope:read.data/action:GET /v1/data/** | scopes/acme/d.yaml:4 | ${commits.repaired}`,
    ]);
  });

  it('names the commit the base was read at when the base does not load', () => {
    const diff = JSON.parse(run(['--base', commits.broken, '--head', commits.removal, '--format', 'json'])) as RegistryDiff;
    expect(diff.base?.loadedAt).toBe(commits.initial);
    expect(diff.changes.find((c) => c.kind === 'scope.removed')?.location?.revision).toBe(commits.initial);
    expect(run(['--base', commits.broken, '--head', commits.removal])).toContain(`scopes/acme/a.yaml:9 (at ${commits.initial.slice(0, 12)})`);
  });

  it('marks nothing when the base is the work tree: its lines are no commit\'s', () => {
    repo.write('scopes/acme/a.yaml', `${SCOPE_FILE.replace('  old.scope:\n    description: Old\n    owner: team-data\n', '').replace('Read data', 'Read customer data')}  extra.scope: {description: Only here, owner: team-data}\n`);
    try {
      const diff = JSON.parse(run(['--base', 'worktree', '--head', 'HEAD', '--format', 'json'])) as RegistryDiff;
      expect(diff.changes.map((c) => [c.kind, c.location?.file, c.location?.revision])).toEqual([['scope.removed', 'scopes/acme/a.yaml', undefined]]);
      expect(run(['--base', 'worktree', '--head', 'HEAD'])).not.toContain('(at ');
    } finally {
      repo.git(['checkout', '--', 'scopes/acme/a.yaml']);
    }
  });
});
