/**
 * The `usage` mode's input document: per tenant the aggregated usage facts, with every age already computed in days
 * against `now`, so the Rego rules never touch a clock and evaluation is deterministic.
 */
import type { UsageFacts } from '../usage/facts.ts';

const DAY_MS = 86_400_000;

/**
 * `usage.tenants.<name>`: the facts the SG3xx rules judge. The facts already carry what the rules need from the
 * registry (granted, sensitivity, status, justification, action coverage), so the registry document is not repeated
 * here: with it the Wasm evaluation at 5,000 clients took over a minute instead of half a second (measured in
 * bench/usage.bench.ts), and the registry rules see it in their own mode.
 */
export interface UsageInput {
  mode: 'usage';
  now: string;
  today: string;
  usage: {
    window: UsageFacts['window'];
    tenants: Record<string, TenantUsageInput>;
  };
}

export type TenantUsageInput = ReturnType<typeof withAges>;

export function buildUsageInput(factsByTenant: UsageFacts[], now: Date): UsageInput {
  const usageTenants: Record<string, TenantUsageInput> = {};
  for (const facts of factsByTenant) usageTenants[facts.tenant] = withAges(facts);
  return {
    mode: 'usage',
    now: now.toISOString(),
    today: now.toISOString().slice(0, 10),
    usage: {
      window: factsByTenant[0]?.window ?? { since: now.toISOString(), until: now.toISOString(), days: 0 },
      tenants: usageTenants,
    },
  };
}

/** Ages are days before the window's end: the facts describe the registry's use as of then, whatever `now` is. */
function withAges(facts: UsageFacts) {
  const end = Date.parse(facts.window.until);
  const age = (iso: string | undefined): number | null => (iso ? Math.floor((end - Date.parse(iso)) / DAY_MS) : null);
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

/**
 * The usage input split into documents of at most `maxClients` clients each (with their scopes, tokens and
 * consents; unknown clients ride in the first). Every usage rule judges one client (SG303 with all its tokens or
 * consents, which stay in their client's document), token or consent at a time, so the findings are the same as
 * from one document; but opa-wasm's first evaluation of a large document grows
 * superlinearly with its size (a 12 MB document took 42 s, the same facts in 500-client pieces 0.7 s, measured in
 * bench/usage.bench.ts).
 */
export function buildUsageInputs(factsByTenant: UsageFacts[], now: Date, maxClients = 500): UsageInput[] {
  const inputs: UsageInput[] = [];
  for (const facts of factsByTenant) {
    const known = new Set(facts.clients.map((c) => c.clientId));
    for (let start = 0; start === 0 || start < facts.clients.length; start += maxClients) {
      const clients = facts.clients.slice(start, start + maxClients);
      const ids = new Set(clients.map((c) => c.clientId));
      const first = start === 0;
      const mine = (clientId: string): boolean => ids.has(clientId) || (first && !known.has(clientId));
      inputs.push(
        buildUsageInput(
          [
            {
              ...facts,
              clients,
              clientScopes: facts.clientScopes.filter((f) => ids.has(f.clientId)),
              tokens: facts.tokens.filter((t) => mine(t.clientId)),
              grants: facts.grants.filter((g) => mine(g.clientId)),
              unknownClients: first ? facts.unknownClients : [],
            },
          ],
          now,
        ),
      );
    }
  }
  return inputs;
}
