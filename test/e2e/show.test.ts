import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildScenario, ROOT, type Scenario } from '../git/scenario.ts';
import { scopeguard } from '../git/repo-fixture.ts';

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
    expect(text.stdout).toContain('admin.all:\n      sensitivity: high');
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
