import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load.ts';
import { collectUsageFacts } from '../../src/usage/analyze.ts';
import type { UsageFacts } from '../../src/usage/facts.ts';
import { SCENARIO_NOW } from '../fixtures/scenario/generate.ts';
import { scenarioWorkspace, type ScenarioWorkspace } from './helpers.ts';
import { join } from 'node:path';

describe('usage facts over a real DuckDB store', () => {
  let ws: ScenarioWorkspace;
  let facts: UsageFacts;
  beforeAll(async () => {
    ws = await scenarioWorkspace();
    const registry = await loadRegistry(join(ws.dir, 'scopes'));
    [facts] = (await collectUsageFacts(registry, { dbPath: ws.dbPath }, new Date(SCENARIO_NOW))) as [UsageFacts];
  }, 120_000);

  it('counts issued and exercised per client and scope, with last use', () => {
    const over = facts.clientScopes.find((f) => f.client === 'over-scoped-app' && f.scope === 'admin.users')!;
    expect(over.granted).toBe(true);
    expect(over.issued).toBe(90);
    expect(over.exercised).toBe(0);
    expect(over.lastExercised).toBeUndefined();
    const used = facts.clientScopes.find((f) => f.client === 'over-scoped-app' && f.scope === 'read.orders')!;
    expect(used.exercised).toBeGreaterThan(300);
    expect(used.lastExercised! > '2026-11-24').toBe(true);
    expect(used.exerciseSamples).toHaveLength(5);
  });

  it('finds tokens used with scopes no longer granted and after revocation', () => {
    const rotated = facts.tokens.find((t) => t.tokenId === 'tok-rotated-302')!;
    expect(rotated.scopesNotGranted).toEqual(['write.orders']);
    expect(rotated.ungrantedUse!.sampleEventIds.length).toBeGreaterThan(0);
    const revoked = facts.tokens.find((t) => t.tokenId === 'tok-revoked-302')!;
    expect(revoked.useAfterRevoke!.count).toBe(12); // days 40-45, two requests a day after the revocation
  });

  it('reports requests outside the action map, unknown clients, denials and provider grants', () => {
    const wanderer = facts.clients.find((c) => c.client === 'wanderer-app')!;
    expect(wanderer.unmatched.count).toBe(60);
    expect(wanderer.unmatched.endpoints).toEqual(expect.arrayContaining(['DELETE /v1/admin/users/42', 'GET /internal/debug/vars']));
    expect(facts.unknownClients.map((u) => u.clientId)).toEqual(['0oaSHADOW306']);
    expect(facts.clients.find((c) => c.client === 'denied-app')!.denials.peakCount).toBe(25);
    expect(facts.clients.find((c) => c.client === 'drifted-app')!.observedGrants!.scopes).toEqual(['read.orders', 'write.orders']);
  });

  it('computes a trailing daily baseline and the peak day', () => {
    const spiky = facts.clientScopes.find((f) => f.client === 'spiky-app' && f.scope === 'read.reports')!;
    expect(spiky.peak!.count).toBeGreaterThanOrEqual(300);
    expect(spiky.peak!.baseline).toBeGreaterThanOrEqual(18);
    expect(spiky.peak!.baseline).toBeLessThanOrEqual(20);
  });
});
