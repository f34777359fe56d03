/** What `implies` means across the tool: transitive, so a scope grants everything down its chain of implied scopes. */
import type { Tenant } from './model.ts';

/** Scope → every scope it implies directly or through a chain (cycles tolerated), sorted, without itself. */
export function impliesClosure(tenant: Tenant): Map<string, string[]> {
  const closure = new Map<string, string[]>();
  for (const start of Object.keys(tenant.scopes)) {
    const seen = new Set<string>();
    const stack = [...(tenant.scopes[start]?.implies ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === start || seen.has(next)) continue;
      seen.add(next);
      stack.push(...(tenant.scopes[next]?.implies ?? []));
    }
    closure.set(start, [...seen].sort());
  }
  return closure;
}
