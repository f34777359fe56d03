/**
 * The `usage` mode's input document: per tenant the aggregated usage facts, with every age already computed in days
 * against `now`, so the Rego rules never touch a clock and evaluation is deterministic.
 */
import type { UsageFacts } from '../usage/facts.ts';

const DAY_MS = 86_400_000;

export interface UsageInput {
  now: string;
  window: UsageFacts['window'];
  tenants: Record<string, TenantUsageInput>;
}

export type TenantUsageInput = ReturnType<typeof withAges>;

export function buildUsageInput(factsByTenant: UsageFacts[], now: Date): UsageInput {
  const tenants: Record<string, TenantUsageInput> = {};
  for (const facts of factsByTenant) tenants[facts.tenant] = withAges(facts, now);
  return {
    now: now.toISOString(),
    window: factsByTenant[0]?.window ?? { since: now.toISOString(), until: now.toISOString(), days: 0 },
    tenants,
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
