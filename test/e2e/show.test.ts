import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildScenario, ROOT, type Scenario } from '../git/scenario.ts';
import { ANA, scopeguard, TestRepo } from '../git/repo-fixture.ts';

let scenario: Scenario;
beforeAll(() => {
  scenario = buildScenario();
});
afterAll(() => scenario.repo.remove());

describe('scopeguard show --at', () => {
  it('shows a client as it was at a date between commits', () => {
    const result = scopeguard(['show', '--registry', ROOT, '--at', '2026-03-01', '--client', 'reporting-app', '--format', 'json'], scenario.repo.dir);
    expect(result.status).toBe(0);
    const shown = JSON.parse(result.stdout) as { commit: string; registry: Array<{ scopes: string[] }> };
    expect(shown.commit).toBe(scenario.commits.reformat);
    expect(shown.registry[0]?.scopes).toEqual([]);
    const later = JSON.parse(scopeguard(['show', '--registry', ROOT, '--at', '2026-05-20', '--client', 'reporting-app', '--format', 'json'], scenario.repo.dir).stdout) as typeof shown;
    expect(later.commit).toBe(scenario.commits.merge);
    expect(later.registry[0]?.scopes).toEqual(['write.orders', 'read.data']);
  });

  it('shows a scope at a ref with its actions and holders, as YAML and text', () => {
    const yaml = scopeguard(['show', '--registry', ROOT, '--at', scenario.commits.orders, '--scope', 'write.orders', '--format', 'yaml'], scenario.repo.dir);
    expect(yaml.status).toBe(0);
    const doc = parse(yaml.stdout) as { registry: Array<Record<string, unknown>> };
    expect(doc.registry[0]).toMatchObject({ name: 'write.orders', sensitivity: 'medium', actions: ['POST /v1/orders', 'GET /v1/orders/{id}', 'DELETE /v1/orders/{id}'], heldBy: ['billing-service', 'reporting-app'] });
    const text = scopeguard(['show', '--registry', ROOT, '--at', 'main~1', '--tenant', 'acme'], scenario.repo.dir);
    expect(text.stdout.split('\n')[0]).toBe(`# main~1 (${scenario.commits.merge.slice(0, 12)})`);
    expect(text.stdout).toContain('admin.all:\n      description: Administer everything\n      sensitivity: high');
  });

  it('shows the whole registry with every field it held then, justifications and exception reasons included', () => {
    const repo = new TestRepo();
    try {
      const registry = (why: string) => `kind: ScopeSet
tenant: acme
scopes:
  read.data: {description: Read customer data, sensitivity: high, owner: team-data, implies: [read.meta]}
  read.meta: {description: Read record metadata, owner: team-data}
  read.old: {description: Old reads, owner: team-data, status: deprecated, deprecatedSince: 2026-01-15, replacedBy: read.data}
---
kind: ClientSet
tenant: acme
clients:
  billing:
    clientId: "0042"
    type: confidential
    owner: team-billing
    description: Invoicing backend
    scopes: [read.data, read.meta]
    justification: {read.data: ${why}}
---
kind: ExceptionSet
tenant: acme
exceptions:
  - {rule: SG106, subject: client:billing/scope:read.meta, reason: kept until the split, owner: team-billing, expires: 2027-01-31}
`;
      repo.write('scopes/acme.yaml', registry('matches invoices to customers'));
      repo.commit('registry', ANA, '2026-02-01T10:00:00Z');
      repo.write('scopes/acme.yaml', registry('sends invoice e-mails'));
      repo.commit('new reason', ANA, '2026-04-01T10:00:00Z');
      const shown = scopeguard(['show', '--at', '2026-03-01', '--format', 'json'], repo.dir);
      expect(shown.status).toBe(0);
      expect((JSON.parse(shown.stdout) as { registry: unknown }).registry).toEqual({
        acme: {
          scopes: {
            'read.data': { description: 'Read customer data', sensitivity: 'high', status: 'active', owner: 'team-data', implies: ['read.meta'] },
            'read.meta': { description: 'Read record metadata', sensitivity: 'low', status: 'active', owner: 'team-data' },
            'read.old': { description: 'Old reads', sensitivity: 'low', status: 'deprecated', owner: 'team-data', deprecatedSince: '2026-01-15', replacedBy: 'read.data' },
          },
          actions: {},
          clients: {
            billing: {
              clientId: '0042',
              type: 'confidential',
              owner: 'team-billing',
              description: 'Invoicing backend',
              scopes: ['read.data', 'read.meta'],
              justification: { 'read.data': 'matches invoices to customers' },
            },
          },
          exceptions: [{ rule: 'SG106', subject: 'client:billing/scope:read.meta', reason: 'kept until the split', owner: 'team-billing', expires: '2027-01-31' }],
        },
      });
      const client = JSON.parse(scopeguard(['show', '--at', 'HEAD', '--client', 'billing', '--format', 'json'], repo.dir).stdout) as { registry: unknown[] };
      expect(client.registry[0]).toMatchObject({ description: 'Invoicing backend', justification: { 'read.data': 'sends invoice e-mails' } });
    } finally {
      repo.remove();
    }
  });

  it('says clearly when there is nothing to show', () => {
    const before = scopeguard(['show', '--registry', ROOT, '--at', '2025-12-31'], scenario.repo.dir);
    expect(before.status).toBe(2);
    expect(before.stderr).toContain('no commit before 2025-12-31 on the current branch');
    const missing = scopeguard(['show', '--registry', ROOT, '--at', scenario.commits.merge, '--scope', 'read.legacy'], scenario.repo.dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`no scope "read.legacy" at ${scenario.commits.merge}`);
    const clientTypo = scopeguard(['show', '--registry', ROOT, '--at', 'main', '--client', 'billing-servce'], scenario.repo.dir);
    expect(clientTypo.status).toBe(2);
    expect(clientTypo.stderr).toBe('scopeguard: no client "billing-servce" at main\n  hint: did you mean "billing-service"?\n');
    const tenantTypo = scopeguard(['show', '--registry', ROOT, '--at', 'main', '--tenant', 'acm'], scenario.repo.dir);
    expect(tenantTypo.stderr).toBe('scopeguard: no tenant "acm" at main\n  hint: did you mean "acme"?\n');
  });
});

describe('scopeguard show and diff on a terminal, with hostile text in the registry', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = new TestRepo();
    // a right-to-left override would make the description read backwards from here on
    repo.write('scopes/scopes.yaml', 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.data: {description: "Reads \\u202Eatad\\u202C records", owner: team-data}\n');
    repo.commit('Add read.data', ANA, '2026-01-01T10:00:00Z');
    repo.write('scopes/scopes.yaml', 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.data: {description: "Reads \\u202Eatad\\u202C records", owner: team-data}\n  "read.\\u202Eatad": {description: x, owner: team-data}\n');
    repo.commit('Add a look-alike', ANA, '2026-01-02T10:00:00Z');
  });
  afterAll(() => repo.remove());

  it('show --format text replaces bidi controls, which YAML prints as they are', () => {
    const text = scopeguard(['show', '--at', 'HEAD~1', '--scope', 'read.data'], repo.dir);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Reads \uFFFDatad\uFFFD records');
    expect(text.stdout).not.toMatch(/[\u202a-\u202e]/);
    // data formats keep the text as it is
    const raw = scopeguard(['show', '--at', 'HEAD~1', '--scope', 'read.data', '--format', 'json'], repo.dir).stdout;
    // JSON writes them as \u escapes: the same text for any reader, nothing that acts on a terminal showing it
    expect(raw).toContain('"Reads \\u202eatad\\u202c records"');
    expect(raw).not.toMatch(/[\u202a-\u202e]/);
    const json = JSON.parse(raw) as { registry: { description: string }[] };
    expect(json.registry[0]!.description).toBe('Reads \u202Eatad\u202C records');
  });

  it('diff shows the bidi controls of a name as U+FFFD', () => {
    const diff = scopeguard(['diff', '--base', 'HEAD~1', '--head', 'HEAD'], repo.dir);
    expect(diff.stdout).toContain('scope:read.\uFFFDatad  scope added (low)');
    expect(diff.stdout).not.toMatch(/[\u202a-\u202e]/);
  });
});

describe('scopeguard show --tenant at a revision where another tenant’s file was broken', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = new TestRepo();
    repo.write('scopes/acme.yaml', 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.data: {description: Read data, owner: team-data}\n');
    repo.write('scopes/globex.yaml', 'kind: ScopeSet\ntenant: globex\nscopes:\n  g.read: {description: Read g, owner: team-g}\n  g.y: {description: d\n');
    repo.commit('acme fine, globex broken', ANA, '2026-01-01T10:00:00Z');
  });
  afterAll(() => repo.remove());

  it('shows the tenant asked for; the whole registry still says where it is broken', () => {
    const acme = scopeguard(['show', '--at', 'HEAD', '--tenant', 'acme', '--scope', 'read.data', '--format', 'json'], repo.dir);
    expect(acme.stderr).toBe('');
    expect((JSON.parse(acme.stdout) as { registry: { name: string }[] }).registry.map((entry) => entry.name)).toEqual(['read.data']);
    const all = scopeguard(['show', '--at', 'HEAD'], repo.dir);
    expect(all.status).toBe(2);
    expect(all.stderr).toContain('scopes/globex.yaml:');
    const broken = scopeguard(['show', '--at', 'HEAD', '--tenant', 'globex'], repo.dir);
    expect(broken.status).toBe(2);
    expect(scopeguard(['show', '--at', 'HEAD', '--tenant', 'acm'], repo.dir).stderr).toBe('scopeguard: no tenant "acm" at HEAD\n  hint: did you mean "acme"?\n');
  });
});
