/**
 * The `usage` mode's input document: per tenant the aggregated usage facts, with every age already computed in days
 * against `now`, so the Rego rules never touch a clock and evaluation is deterministic.
 */
import type { Registry } from '../registry/model.ts';
import type { UsageFacts } from '../usage/facts.ts';
import { tenantsInput, type TenantInput } from './input-registry.ts';

const DAY_MS = 86_400_000;

/** The registry (as in the registry mode) plus `usage.tenants.<name>`: the facts the SG3xx rules judge. */
export interface UsageInput {
  mode: 'usage';
  now: string;
  today: string;
  tenants: Record<string, TenantInput>;
  usage: {
    window: UsageFacts['window'];
    tenants: Record<string, TenantUsageInput>;
  };
}

export type TenantUsageInput = ReturnType<typeof withAges>;

export function buildUsageInput(registry: Registry, factsByTenant: UsageFacts[], now: Date): UsageInput {
  const usageTenants: Record<string, TenantUsageInput> = {};
  for (const facts of factsByTenant) usageTenants[facts.tenant] = withAges(facts, now);
  return {
    mode: 'usage',
    now: now.toISOString(),
    today: now.toISOString().slice(0, 10),
    tenants: tenantsInput(registry, now),
    usage: {
      window: factsByTenant[0]?.window ?? { since: now.toISOString(), until: now.toISOString(), days: 0 },
      tenants: usageTenants,
    },
  };
}

function withAges(facts: UsageFacts, now: Date) {
  const age = (iso: string | undefined): number | null => (iso ? Math.floor((now.getTime() - Date.parse(iso)) / DAY_MS) : null);
  const between = (from: string | undefined, to: string | undefined): number | null =>
    from && to ? Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS) : null;
  const clientFirstSeen = new Map(facts.clients.map((c) => [c.clientId, c.firstSeen]));
  return {
    ...facts,
    clientScopes: facts.clientScopes.map((f) => ({
      ...f,
      daysSinceExercised: age(f.lastExercised),
      daysSinceIssued: age(f.lastIssued),
      /** Days of the client's own history before it first used this scope (first-use rule). */
      historyDaysBeforeFirstUse: between(clientFirstSeen.get(f.clientId), f.firstUse),
      firstUseInWindow: f.firstUse !== undefined && f.firstUse >= facts.window.since,
    })),
    tokens: facts.tokens.map((t) => ({ ...t, daysSinceLastUse: age(t.lastUsed ?? t.lastSeen) })),
    grants: facts.grants.map((g) => ({ ...g, daysSinceLastSeen: age(g.lastSeen) })),
  };
}
