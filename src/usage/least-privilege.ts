/**
 * Least privilege per client from the usage facts: which granted scopes were used in the window, and a score =
 * used ÷ granted weighted by sensitivity (a critical scope left unused costs eight times a low one). One definition
 * of "used" for the score, `usage`, `rightsize` and the report, the same as rule SG301's.
 */
import type { Sensitivity } from '../registry/model.ts';
import type { ClientScopeFact, UsageFacts } from './facts.ts';

export const SENSITIVITY_WEIGHT: Record<Sensitivity, number> = { low: 1, medium: 2, high: 4, critical: 8 };

export interface ScopeUsageRow {
  scope: string;
  description?: string;
  sensitivity: Sensitivity;
  status: ClientScopeFact['status'];
  issued: number;
  exercised: number;
  /** What counted as use: requests through the action map, or tokens issued (see ClientScopeFact.usedBy). */
  usedBy: ClientScopeFact['usedBy'];
  /** ISO-8601 of the last use by that measure; undefined: never in the window. */
  lastUsed?: string;
  used: boolean;
}

export interface ClientUsageRow {
  tenant: string;
  client: string;
  clientId: string;
  granted: ScopeUsageRow[];
  usedCount: number;
  /** 0..1; 1 when the client holds no scopes. */
  score: number;
}

export function isUsed(fact: ClientScopeFact): boolean {
  return fact.usedBy === 'requests' ? fact.exercised > 0 : fact.issued > 0;
}

export function lastUsed(fact: ClientScopeFact): string | undefined {
  return fact.usedBy === 'requests' ? fact.lastExercised : fact.lastIssued;
}

export function leastPrivilege(facts: UsageFacts, clientFilter?: string): ClientUsageRow[] {
  const byClient = new Map<string, ClientScopeFact[]>();
  for (const fact of facts.clientScopes) {
    if (!fact.granted) continue;
    if (clientFilter && fact.client !== clientFilter && fact.clientId !== clientFilter) continue;
    const list = byClient.get(fact.client) ?? [];
    list.push(fact);
    byClient.set(fact.client, list);
  }
  for (const client of facts.clients) {
    if (clientFilter && client.client !== clientFilter && client.clientId !== clientFilter) continue;
    if (!byClient.has(client.client)) byClient.set(client.client, []);
  }
  const rows: ClientUsageRow[] = [];
  for (const [client, list] of byClient) {
    const granted = list
      .map((fact): ScopeUsageRow => ({
        scope: fact.scope,
        ...(fact.description ? { description: fact.description } : {}),
        sensitivity: fact.sensitivity,
        status: fact.status,
        issued: fact.issued,
        exercised: fact.exercised,
        usedBy: fact.usedBy,
        ...(lastUsed(fact) ? { lastUsed: lastUsed(fact) } : {}),
        used: isUsed(fact),
      }))
      .sort((a, b) => a.scope.localeCompare(b.scope));
    const total = granted.reduce((sum, row) => sum + SENSITIVITY_WEIGHT[row.sensitivity], 0);
    const used = granted.filter((row) => row.used).reduce((sum, row) => sum + SENSITIVITY_WEIGHT[row.sensitivity], 0);
    const clientId = facts.clients.find((c) => c.client === client)?.clientId ?? list[0]?.clientId ?? '';
    rows.push({
      tenant: facts.tenant,
      client,
      clientId,
      granted,
      usedCount: granted.filter((row) => row.used).length,
      score: total === 0 ? 1 : Math.round((used / total) * 1000) / 1000,
    });
  }
  return rows.sort((a, b) => a.score - b.score || a.client.localeCompare(b.client));
}
