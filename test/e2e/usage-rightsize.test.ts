/** `scopeguard rightsize` on the scenario: the proposal as a semantic diff, and --write as a minimal, valid YAML edit. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NOW } from '../fixtures/scenario/generate.ts';
import { scenarioWorkspace, scopeguard, type ScenarioWorkspace } from '../usage/helpers.ts';

describe('rightsize', () => {
  let ws: ScenarioWorkspace;
  let clientsFile: string;
  const rightsize = (extra: string[] = []) => scopeguard(['rightsize', '--registry', 'scopes', '--db', 'audit.duckdb', '--now', SCENARIO_NOW, ...extra], ws.dir);

  beforeAll(async () => {
    ws = await scenarioWorkspace();
    clientsFile = join(ws.dir, 'scopes', 'scenario', 'clients.yaml');
  }, 180_000);

  it('proposes removing unexercised scopes and keeps waived ones, without touching files', () => {
    const before = readFileSync(clientsFile, 'utf8');
    const result = rightsize();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('rightsize: 1 scope to remove from 1 client (not used in the 90-day window)');
    expect(result.stdout).toMatch(/client over-scoped-app {2}scopes\/scenario\/clients\.yaml:\d+:\d+\n {2}- admin\.users {2}\(critical; never exercised, issued 90 times\)/);
    expect(result.stdout).toContain('scenario waived-app read.reports: exception until');
    expect(readFileSync(clientsFile, 'utf8')).toBe(before);
  });

  it('--client narrows the plan; an unknown one is exit 2 with the closest name, never "nothing to remove"', () => {
    const one = rightsize(['--client', 'over-scoped-app']);
    expect(one.status).toBe(0);
    expect(one.stdout).toContain('rightsize: 1 scope to remove from 1 client');
    const typo = rightsize(['--client', 'over-scoped-ap', '--write']);
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe('scopeguard: unknown client "over-scoped-ap"\n  hint: did you mean "over-scoped-app"?\n');
  });

  it('--write removes exactly the grant line from a block list, keeping comments, and the registry validates', () => {
    const before = readFileSync(clientsFile, 'utf8');
    const result = rightsize(['--write']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('wrote scopes/scenario/clients.yaml; the registry still validates');
    const after = readFileSync(clientsFile, 'utf8');
    expect(after).toBe(before.replace('      - admin.users  # requested by over-scoped-app\n', ''));
    expect(after).toContain('# Clients of the scenario tenant');
    expect(scopeguard(['validate', '--registry', 'scopes'], ws.dir).status).toBe(0);
    // the finding it answered is gone
    const check = JSON.parse(scopeguard(['check', '--usage', '--registry', 'scopes', '--db', 'audit.duckdb', '--now', SCENARIO_NOW, '--format', 'json'], ws.dir).stdout) as { findings: { ruleId: string; subject: string }[] };
    expect(check.findings.some((f) => f.ruleId === 'SG301' && f.subject === 'client:over-scoped-app/scope:admin.users')).toBe(false);
  });

  it('edits flow lists in place and drops the justification of a removed grant (with --include-justified)', () => {
    const original = readFileSync(clientsFile, 'utf8');
    const flow = original.replace(
      /( {2}waived-app:\n(?: {4}.*\n)*? {4})scopes: \[read\.orders, read\.reports\]\n/,
      '$1scopes: [read.orders, "read.reports"]  # keep this comment\n    justification:\n      read.reports: quarterly job\n',
    );
    expect(flow).not.toBe(original);
    writeFileSync(clientsFile, flow);
    rmSync(join(ws.dir, 'scopes', 'scenario', 'exceptions.yaml'));
    const kept = rightsize(['--client', 'waived-app']);
    // its one unused grant is justified: nothing to remove, and the summary does not claim everything was used
    expect(kept.stdout).toContain('rightsize: nothing to remove (1 grant unused in the 90-day window, each waived or justified)');
    expect(kept.stdout).toContain('scenario waived-app read.reports: justified: quarterly job');
    const result = rightsize(['--client', 'waived-app', '--include-justified', '--write']);
    expect(result.status).toBe(0);
    expect(readFileSync(clientsFile, 'utf8')).toBe(flow.replace('scopes: [read.orders, "read.reports"]  # keep this comment\n    justification:\n      read.reports: quarterly job\n', 'scopes: [read.orders]  # keep this comment\n'));
    expect(scopeguard(['validate', '--registry', 'scopes'], ws.dir).status).toBe(0);
  });
});
