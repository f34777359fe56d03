import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScenario, ROOT, type Scenario } from '../git/scenario.ts';
import { ANA, TestRepo, scopeguard } from '../git/repo-fixture.ts';
import { ACTIONS, CLEAN, SCOPES } from './check-support.ts';
import type { Finding } from '../../src/findings/finding.ts';
import { runChangeCheck } from '../../src/check-base.ts';
import { loadBaseSide } from '../../src/git/side.ts';

let scenario: Scenario;
beforeAll(() => {
  scenario = buildScenario();
});
afterAll(() => scenario.repo.remove());

interface CheckJson {
  findings: Finding[];
  summary: { failed: boolean };
}

const check = (args: string[]): { status: number; json: CheckJson; stderr: string } => {
  const result = scopeguard(['check', '--registry', ROOT, '--format', 'json', '--now', '2026-05-10', ...args], scenario.repo.dir);
  return { status: result.status, json: JSON.parse(result.stdout || '{}') as CheckJson, stderr: result.stderr };
};

const rows = (findings: Finding[], rule: string) => findings.filter((f) => f.ruleId === rule).map((f) => `${f.subject} | ${f.message}`);

describe('scopeguard check --base (the pull request run)', () => {
  it('reports every change rule for the PR and fails on new findings', () => {
    const { move, merge } = scenario.commits;
    const { status, json, stderr } = check(['--base', move, '--head', merge]);
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const f = json.findings;
    expect(rows(f, 'SG201')).toEqual(['scope:read.legacy | scope read.legacy is removed while 1 client(s) hold it: legacy-app']);
    expect(rows(f, 'SG202')).toEqual(['scope:read.data | action map of high scope read.data widened: + GET /v2/data/**']);
    expect(rows(f, 'SG203')).toEqual(['client:reporting-app/scope:read.data | client reporting-app gains high scope read.data']);
    expect(rows(f, 'SG204')).toEqual([
      'scope:delete.orders | scope delete.orders is removed without being deprecated first (minimum 30 days)',
      'scope:read.legacy | scope read.legacy is removed after 9 days of deprecation (minimum 30)',
    ]);
    expect(rows(f, 'SG206')).toEqual(['scope:admin.all | sensitivity of scope admin.all lowered from critical to high']);
    expect(rows(f, 'SG207')).toEqual(['exception:SG105/client:reporting-app/scope:read.data | exception added until 2027-12-31, 600 days from today (maximum 180)']);
    // Mallory owns nothing; Ana (team-data) removed team-orders' delete.orders
    const sg205 = f.filter((x) => x.ruleId === 'SG205');
    expect(sg205.map((x) => [x.subject, x.evidence?.email, x.evidence?.commit, x.evidence?.date])).toEqual([
      ['scope:admin.all', 'mallory@example.com', scenario.commits.mallory, '2026-05-05T10:00:00+00:00'],
      ['scope:delete.orders', 'ana@example.com', scenario.commits.reporting, '2026-05-06T10:00:00+00:00'],
    ]);
    expect(sg205[0]?.message).toBe(`Mallory <mallory@example.com> changed scope:admin.all of team-data in ${scenario.commits.mallory.slice(0, 12)} (2026-05-05T10:00:00+00:00): sensitivity critical → high`);
    // a removal is located where the scope was defined at base
    expect(f.find((x) => x.ruleId === 'SG201')?.location).toMatchObject({ file: `${ROOT}/tenants/acme/scope-definitions.yaml`, line: 16, revision: move });
    // an exception the change adds is at head: no base revision on its location
    const added = f.find((x) => x.ruleId === 'SG207')?.location as Record<string, unknown> | undefined;
    expect(added?.file).toMatch(/\.yaml$/);
    expect(added?.revision).toBeUndefined();
    expect(f.filter((x) => x.ruleId.startsWith('SG2')).every((x) => x.status === 'new')).toBe(true);
  });

  it('marks registry findings present at base as existing and fails only on new ones unless --fail-on-existing', () => {
    const { orders, move } = scenario.commits;
    // the range only renames a file: every registry finding was there at base
    const { status, json } = check(['--base', orders, '--head', move, '--fail-on', 'low']);
    expect(json.findings.length).toBeGreaterThan(0);
    expect(json.findings.filter((x) => x.status === 'new')).toEqual([]);
    expect(json.findings.some((x) => x.status === 'existing')).toBe(true);
    expect(status).toBe(0);
    const strict = check(['--base', orders, '--head', move, '--fail-on', 'low', '--fail-on-existing']);
    expect(strict.status).toBe(1);
  });

  it('marks existing findings in the text output and counts new and existing in the summary line', () => {
    // the range only renames a file: every registry finding was there at base
    const { orders, move } = scenario.commits;
    const result = scopeguard(['check', '--registry', ROOT, '--now', '2026-05-10', '--base', orders, '--head', move], scenario.repo.dir);
    const json = check(['--base', orders, '--head', move]).json;
    const existing = json.findings.filter((f) => f.status === 'existing');
    expect(existing.length).toBeGreaterThan(0);
    const marked = result.stdout.split('\n').filter((line) => line.endsWith('(existing)'));
    expect(marked).toHaveLength(existing.length);
    expect(marked.every((line) => !line.includes('SG2'))).toBe(true);
    const created = json.findings.length - existing.length;
    expect(result.stdout).toContain(`, ${created} new, ${existing.length} existing`);
  });

  it('reports an owner changing another team’s client, and not their own scope', () => {
    const { reformat, orders } = scenario.commits;
    const { json } = check(['--base', reformat, '--head', orders]);
    // Bob (team-orders) widened team-orders' write.orders (fine) and granted it to team-data's reporting-app
    expect(json.findings.filter((x) => x.ruleId === 'SG205').map((x) => [x.subject, x.evidence?.author, x.evidence?.owner])).toEqual([
      ['client:reporting-app', 'Bob Orders', 'team-data'],
    ]);
  });

  it('finds nothing new in a formatting-only change', () => {
    const { initial, reformat } = scenario.commits;
    const { status, json } = check(['--base', initial, '--head', reformat, '--fail-on', 'info']);
    expect(json.findings.filter((x) => x.status === 'new')).toEqual([]);
    expect(status).toBe(0);
  });

  it('rejects --head without --base, exit 2', () => {
    const result = scopeguard(['check', '--registry', ROOT, '--head', 'HEAD'], scenario.repo.dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('need --base REF');
  });
});

describe('scopeguard check --base when the base branch moved on after the change branched', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = new TestRepo();
    for (const [path, content] of Object.entries(CLEAN)) repo.write(path, content);
    repo.commit('registry', ANA, '2026-05-01T10:00:00Z');
    repo.git(['switch', '-q', '-c', 'feature']);
    repo.write('scopes/more.yaml', 'kind: ClientSet\ntenant: acme\nclients:\n  web:\n    clientId: 0oa1web\n    owner: team-orders\n    type: confidential\n    scopes: [read.orders]\n');
    repo.commit('add the web client', ANA, '2026-05-02T10:00:00Z');
    repo.git(['switch', '-q', 'main']);
    repo.write('scopes/scopes.yaml', `${SCOPES}  read.extra:\n    description: Read extras\n    owner: team-orders\n`);
    repo.write('scopes/actions.yaml', `${ACTIONS}  read.extra: [GET /v1/extras]\n`);
    repo.commit('add read.extra on main', ANA, '2026-05-03T10:00:00Z');
    repo.git(['switch', '-q', 'feature']);
  });
  afterAll(() => repo.remove());

  it('compares the change with its fork point, so what main added since is not counted as removed by it', () => {
    const run = scopeguard(['check', '--base', 'main', '--format', 'json', '--fail-on', 'low'], repo.dir);
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    expect(report.findings.filter((f) => f.ruleId.startsWith('SG2'))).toEqual([]);
    expect(run.status).toBe(0);
    const tip = repo.git(['rev-parse', 'main']).trim();
    expect(run.stderr).toContain(`scopeguard: main has moved on to ${tip.slice(0, 12)} since this change left it at `);
  });
});

describe('scopeguard check --base with a rule id typo on one side', () => {
  const typo = 'kind: Config\nrules:\n  SG016: {severity: off}\n';
  const fixed = 'kind: Config\nrules:\n  SG106: {severity: off}\n';
  let repo: TestRepo;
  let broken: string;
  let repaired: string;
  beforeAll(() => {
    repo = new TestRepo();
    for (const [path, content] of Object.entries({ ...CLEAN, 'scopes/scopeguard.yaml': typo })) repo.write(path, content);
    broken = repo.commit('a typo in the rule settings', ANA, '2026-05-01T10:00:00Z');
    repo.write('scopes/scopeguard.yaml', fixed);
    repaired = repo.commit('the typo fixed', ANA, '2026-05-02T10:00:00Z');
  });
  afterAll(() => repo.remove());

  it('a typo at base does not block the change that fixes it', () => {
    const plain = scopeguard(['check', '--base', broken, '--head', repaired, '--now', '2026-05-10'], repo.dir);
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
  });

  it('nor when the base revision’s rules judge both sides, as the Action does', async () => {
    const before = process.cwd();
    process.chdir(repo.dir);
    try {
      const baseRules = (await loadBaseSide(broken, 'scopes')).registry.config;
      const result = await runChangeCheck({ registryRoot: 'scopes', base: broken, head: repaired, baseRules, now: new Date('2026-05-10T00:00:00Z') });
      expect(result.summary.failed).toBe(false);
    } finally {
      process.chdir(before);
    }
  });

  it('a typo the change brings is exit 2 at its key', () => {
    const result = scopeguard(['check', '--base', repaired, '--head', broken, '--now', '2026-05-10'], repo.dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('scopes/scopeguard.yaml:3:3  rules: names unknown rule SG016  (did you mean "SG106"?)\nscopeguard: 1 problem in the registry\n');
  });
});

describe('scopeguard diff and check --base on the change that introduces the registry', () => {
  let repo: TestRepo;
  let before: string;
  let adopted: string;
  beforeAll(() => {
    repo = new TestRepo();
    repo.write('README.md', 'an application\n');
    before = repo.commit('before scopeguard', ANA, '2026-05-01T10:00:00Z');
    for (const [path, content] of Object.entries(CLEAN)) repo.write(path, content);
    adopted = repo.commit('add the scope registry', ANA, '2026-05-02T10:00:00Z');
  });
  afterAll(() => repo.remove());

  it('compares with an empty registry: everything is added, and the base is named as having none', () => {
    const diff = scopeguard(['diff', '--base', before, '--head', adopted, '--format', 'json'], repo.dir);
    expect(diff.status).toBe(0);
    const json = JSON.parse(diff.stdout) as { base: { empty?: boolean }; changes: Array<{ kind: string }> };
    expect(json.base.empty).toBe(true);
    expect(json.changes.length).toBeGreaterThan(0);
    expect(json.changes.every((change) => change.kind.endsWith('.added'))).toBe(true);
    const text = scopeguard(['diff', '--base', before, '--head', adopted], repo.dir);
    expect(text.stdout.split('\n')[0]).toBe(`${before} (${before.slice(0, 12)}, no registry yet) → ${adopted} (${adopted.slice(0, 12)}): widening`);
    const check = scopeguard(['check', '--base', before, '--head', adopted, '--now', '2026-05-10'], repo.dir);
    expect(check.stderr).toBe('');
    expect([0, 1]).toContain(check.status);
  });

  it('still stops when head has no registry either (a wrong --registry)', () => {
    const wrong = scopeguard(['diff', '--base', before, '--head', adopted, '--registry', 'scope'], repo.dir);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('no *.yaml or *.yml files under "scope" at');
  });
});
