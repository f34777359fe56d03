// The engine in process: input document, the real compiled Wasm, findings finalization.
import { describe, expect, it } from 'vitest';
import { loadRegistry, loadRegistryFromSources } from '../../src/registry/load.ts';
import { evaluateRegistry } from '../../src/check.ts';
import { buildRegistryInput } from '../../src/policy/input-registry.ts';
import { loadPolicyEngine, validateResult, type RawFinding } from '../../src/policy/engine.ts';
import { finalizeFindings, fingerprintOf } from '../../src/findings/finalize.ts';
import { summarize } from '../../src/findings/summary.ts';

const NOW = new Date('2026-11-25T10:00:00Z');

const SCOPES = `kind: ScopeSet
tenant: acme
scopes:
  write.orders: {description: Write, owner: team, implies: [read.orders]}
  read.orders: {description: Read, owner: team, implies: [list.orders]}
  list.orders: {description: List, owner: team}
  read.legacy: {description: Old, owner: team, status: deprecated, deprecatedSince: 2026-11-01}
`;
const ACTIONS = `kind: ActionMap
tenant: acme
actions:
  write.orders: [POST /v1/orders]
  read.orders: [GET /v1/orders/**]
  list.orders: [GET /v1/orders]
  read.legacy: [GET /v0/orders]
`;
const CLIENTS = `kind: ClientSet
tenant: acme
clients:
  worker:
    clientId: w1
    type: machine
    scopes: [write.orders, list.orders, read.legacy]
`;
const EXCEPTIONS = (expires: string) => `kind: ExceptionSet
tenant: acme
exceptions:
  - rule: SG106
    subject: client:worker/scope:list.orders
    reason: cleanup pending
    expires: ${expires}
`;

function registry(extra: Record<string, string> = {}) {
  const files = { 'scopes/s.yaml': SCOPES, 'scopes/a.yaml': ACTIONS, 'scopes/c.yaml': CLIENTS, ...extra };
  return loadRegistryFromSources('scopes', Object.entries(files).map(([path, content]) => ({ path, content })));
}

async function check(reg: ReturnType<typeof registry>, now = NOW) {
  const engine = await loadPolicyEngine();
  const raw = engine.evaluate('registry', buildRegistryInput(reg, now), reg.config);
  return finalizeFindings(raw, { registry: reg, rulesMeta: engine.rules, now });
}

describe('registry input', () => {
  it('carries the implies closure and day counts computed in TypeScript', () => {
    const input = buildRegistryInput(registry({ 'scopes/e.yaml': EXCEPTIONS('2026-11-24') }), NOW);
    const acme = input.tenants.acme!;
    expect(input.today).toBe('2026-11-25');
    expect(acme.scopes['write.orders']!.impliesAll).toEqual(['list.orders', 'read.orders']);
    expect(acme.scopes['read.legacy']!.daysDeprecated).toBe(24);
    expect(acme.clients.worker!.scopes).toEqual(['write.orders', 'list.orders', 'read.legacy']);
    expect(acme.exceptions[0]).toMatchObject({ index: 0, expired: true, daysUntilExpiry: -1 });
  });

  it('counts a deprecation dated in the future as zero days, and reads action paths as the matcher does', () => {
    const ahead = registry({ 'scopes/s.yaml': SCOPES.replace('deprecatedSince: 2026-11-01', 'deprecatedSince: 2099-01-01'), 'scopes/a.yaml': ACTIONS.replace('[GET /v0/orders]', '["GET //v0//orders/"]') });
    const acme = buildRegistryInput(ahead, NOW).tenants.acme!;
    expect(acme.scopes['read.legacy']!.daysDeprecated).toBe(0);
    expect(acme.actions['read.legacy']).toEqual([{ pattern: 'GET //v0//orders/', method: 'GET', path: '/v0/orders' }]);
  });

  it('an exception waives through its expires day and stops the day after', () => {
    const onLastDay = buildRegistryInput(registry({ 'scopes/e.yaml': EXCEPTIONS('2026-11-25') }), NOW);
    expect(onLastDay.tenants.acme!.exceptions[0]).toMatchObject({ expired: false, daysUntilExpiry: 0 });
  });
});

describe('engine and findings', () => {
  it('evaluates the compiled rules once loaded and finalizes severity, location and fingerprint', async () => {
    const findings = await check(registry());
    expect(findings.map((f) => [f.ruleId, f.severity, f.subject])).toEqual([
      ['SG102', 'high', 'client:worker/scope:read.legacy'],
      ['SG106', 'low', 'client:worker/scope:list.orders'],
    ]);
    const sg106 = findings[1]!;
    expect(sg106.location).toEqual({ file: 'scopes/c.yaml', line: 7, column: 28 });
    expect(sg106.fingerprint).toBe(fingerprintOf({ ruleId: 'SG106', tenant: 'acme', subject: sg106.subject, key: 'write.orders' }));
    expect(await loadPolicyEngine()).toBe(await loadPolicyEngine());
  });

  it('a current exception waives; an expired one does not, and SG108 points at the exception entry', async () => {
    const waived = await check(registry({ 'scopes/e.yaml': EXCEPTIONS('2026-12-31') }));
    expect(waived.find((f) => f.ruleId === 'SG106')).toMatchObject({ status: 'waived', waivedBy: { reason: 'cleanup pending', expires: '2026-12-31' } });
    expect(summarize(waived, 'low').failed).toBe(true); // SG102 is still there
    expect(summarize(waived.filter((f) => f.ruleId !== 'SG102'), 'low').failed).toBe(false);

    const expired = await check(registry({ 'scopes/e.yaml': EXCEPTIONS('2026-11-01') }));
    expect(expired.find((f) => f.ruleId === 'SG106')!.status).toBe('new');
    expect(expired.find((f) => f.ruleId === 'SG108')!.location).toEqual({ file: 'scopes/e.yaml', line: 4, column: 5 });
  });

  it('config rules override severity or switch a rule off', async () => {
    const config = 'kind: Config\nrules:\n  SG102: {severity: "off"}\n  SG106: {severity: critical}\n';
    const findings = await check(registry({ 'scopes/scopeguard.yaml': config }));
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['SG106', 'critical']]);
  });

  it('an exception naming an unknown rule is an InputError at its entry', async () => {
    const bad = EXCEPTIONS('2026-12-31').replace('rule: SG106', 'rule: SG999');
    await expect(check(registry({ 'scopes/e.yaml': bad }))).rejects.toMatchObject({
      problems: [{ file: 'scopes/e.yaml', line: 4, column: 5, code: 'reference', message: 'exception names unknown rule SG999' }],
    });
  });
});

describe('validateResult (the contract at the policy boundary)', () => {
  it('accepts well-formed findings and takes the rule id from the package', () => {
    expect(validateResult([{ rule: 'X1', finding: { tenant: 't', subject: 'scope:s', message: 'm', key: 'k', evidence: { n: 1 } } }])).toEqual([
      { ruleId: 'X1', tenant: 't', subject: 'scope:s', message: 'm', key: 'k', evidence: { n: 1 } },
    ]);
  });

  it.each([
    [{ rule: 'X2', finding: 'oops' }, 'policy rule X2 returned a malformed finding (a string is not an object)'],
    [{ rule: 'X3', finding: { tenant: 't', subject: 's' } }, 'policy rule X3 returned a malformed finding (`message` must be a non-empty string)'],
    [{ rule: 'X4', finding: { tenant: 't', subject: 's', message: 'm', evidence: [1] } }, 'policy rule X4 returned a malformed finding (`evidence` must be an object)'],
    [{ rule: 'ACME9', finding: { ruleId: 'SG101', tenant: 't', subject: 's', message: 'm' } }, "policy rule ACME9 returned a malformed finding (`ruleId` may only repeat the rule's own id, ACME9)"],
  ])('rejects %j naming the rule', (wrapped, message) => {
    expect(() => validateResult([wrapped])).toThrow(message);
  });
});

describe('registry evaluation one tenant at a time', () => {
  // Without custom rules runCheck evaluates each tenant's document alone (it reuses the Wasm heap). That is only
  // sound while every built-in registry rule judges a tenant on its own: a rule that compared tenants would find
  // something different here, and this test would fail.
  it('finds exactly what evaluating the whole multi-tenant example registry finds', async () => {
    const registry = await loadRegistry('scopes');
    expect(Object.keys(registry.tenants).length).toBeGreaterThan(1);
    const engine = await loadPolicyEngine();
    const input = buildRegistryInput(registry, NOW);
    const key = (finding: RawFinding): string => JSON.stringify([finding.ruleId, finding.tenant, finding.subject, finding.key, finding.message]);
    const whole = evaluateRegistry(engine, input, registry, true).map(key).sort();
    const split = evaluateRegistry(engine, input, registry, false).map(key).sort();
    expect(whole.length).toBeGreaterThan(3);
    expect(split).toEqual(whole);
  });
});
