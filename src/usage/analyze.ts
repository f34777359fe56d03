/**
 * Input stage of the usage mode: open the audit store, compute the usage facts of each tenant over a window, close.
 * Shared by `check --usage`, `usage`, `rightsize` and `report`, so every command judges the same facts.
 */
import { existsSync } from 'node:fs';
import { InputError, UsageError } from '../errors.ts';
import { compileActionMatcher } from '../registry/matcher.ts';
import type { Registry, Tenant } from '../registry/model.ts';
import { didYouMean } from '../registry/suggest.ts';
import { Store } from '../store/store.ts';
import { parseUserDate } from '../logs/time.ts';
import { computeUsageFacts, type UsageFacts, type UsageWindow } from './facts.ts';

const DAY_MS = 86_400_000;

export interface UsageOptions {
  /** Audit store (default: the config's `store`). */
  dbPath?: string;
  /** Only these tenants (default: every tenant of the registry). */
  tenants?: string[];
  /** Window length in days ending at `until` (default: the registry's thresholds.unusedScopeDays). */
  windowDays?: number;
  since?: Date;
  /** Exclusive end of the window (default: now). */
  until?: Date;
}

export function storePath(registry: Registry, dbPath?: string): string {
  return dbPath ?? registry.config.store;
}

/**
 * The window use is judged over. Its length is thresholds.unusedScopeDays unless the command sets another: one window,
 * so SG301, `usage`, `rightsize` and the report agree on what was used.
 */
export function resolveWindow(options: UsageOptions, now: Date, defaultDays: number): UsageWindow {
  const until = options.until ?? now;
  const since = options.since ?? new Date(until.getTime() - (options.windowDays ?? defaultDays) * DAY_MS);
  if (since.getTime() >= until.getTime()) throw new UsageError(`the usage window is empty: --since ${since.toISOString()} is not before --until ${until.toISOString()}`);
  return { since, until };
}

/**
 * `--client` must name a registry client or its provider client id, in one of the `--tenant`s when any are given:
 * a typo is exit 2 with the closest name, and a client of another tenant says which one, not an empty table.
 */
export function assertRegistryClient(registry: Registry, client: string, tenantNames: readonly string[] = []): void {
  const named = (t: Tenant): boolean => Object.values(t.clients).some((c) => c.name === client || c.clientId === client);
  const all = Object.values(registry.tenants);
  const tenants = tenantNames.length > 0 ? all.filter((t) => tenantNames.includes(t.name)) : all;
  if (tenants.some(named)) return;
  const elsewhere = all.filter(named).map((t) => t.name);
  if (elsewhere.length > 0) {
    throw new UsageError(`client "${client}" is not in tenant ${tenantNames.join(', ')}`, `it is a client of ${elsewhere.join(', ')}: pass --tenant ${elsewhere[0]}, or no --tenant`);
  }
  const names = tenants.flatMap((t) => Object.keys(t.clients));
  throw new UsageError(`unknown client "${client}"`, didYouMean(client, names) ?? 'give a client name from the registry or its provider client id');
}

/** `--tenant` names must be the registry's: a typo is exit 2 with the closest name, not an empty report. */
export function assertRegistryTenants(registry: Registry, names: readonly string[]): void {
  const known = Object.keys(registry.tenants).sort();
  for (const name of names) {
    if (registry.tenants[name]) continue;
    const listed = `tenants in the registry: ${known.join(', ') || '(none)'}`;
    const suggestion = didYouMean(name, known);
    throw new UsageError(`unknown tenant "${name}"`, suggestion ? `${suggestion} ${listed}` : listed);
  }
}

export async function collectUsageFacts(registry: Registry, options: UsageOptions, now: Date): Promise<UsageFacts[]> {
  const path = storePath(registry, options.dbPath);
  if (!existsSync(path)) {
    throw new InputError(`no audit store at ${path}`, 'import logs first: scopeguard logs import FILE --tenant T (or pass --db PATH)');
  }
  const tenants = options.tenants?.length ? options.tenants : Object.keys(registry.tenants).sort();
  assertRegistryTenants(registry, tenants);
  const window = resolveWindow(options, now, registry.config.thresholds.unusedScopeDays);
  const store = await Store.open(path);
  try {
    // DuckDB-specific tuning (not part of the portable queries): large aggregations may spill instead of failing
    await store.connection.run('SET preserve_insertion_order = false');
    // the store caps DuckDB's memory for flat imports; the analysis joins and aggregates more at once
    await store.connection.run(`SET memory_limit = '${(process.env.SCOPEGUARD_USAGE_MEMORY ?? '1GB').replace(/[^0-9A-Za-z.]/g, '')}'`);
    const facts: UsageFacts[] = [];
    for (const name of tenants) {
      const tenant = registry.tenants[name]!;
      facts.push(await computeUsageFacts(store.connection, { tenant, matcher: compileActionMatcher(tenant), window, spikeFactor: registry.config.thresholds.spikeFactor }));
    }
    return facts;
  } finally {
    store.close();
  }
}

/** `90d`, `12w`, `90` → days. */
export function parseWindowDays(text: string): number {
  const match = /^(\d+)\s*([dw]?)$/i.exec(text.trim());
  if (!match || Number(match[1]) <= 0) throw new UsageError(`--window "${text}" is not a duration`, 'write it as days, e.g. 90d or 12w');
  return Number(match[1]) * (match[2]?.toLowerCase() === 'w' ? 7 : 1);
}

/** `YYYY-MM-DD` or a full ISO-8601 instant → Date; a clear error otherwise. */
export function parseInstant(flag: string, text: string): Date {
  const iso = parseUserDate(text);
  if (iso === undefined) throw new UsageError(`${flag} "${text}" is not a date`, 'use YYYY-MM-DD or an ISO-8601 time');
  return new Date(iso);
}
