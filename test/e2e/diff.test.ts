import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenario, ROOT, type Scenario } from '../git/scenario.ts';
import { scopeguard, shallowCloneOf } from '../git/repo-fixture.ts';
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
    expect(text.stdout).toMatch(/acme\s+scope:read\.legacy\s+scope removed\s+breaking\s+config\/oauth\/scopes\/tenants\/acme\/scope-definitions\.yaml:16/);
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
