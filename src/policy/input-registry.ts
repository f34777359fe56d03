/**
 * The `registry` mode's input document: the registry as plain JSON, with every date fact precomputed against `now`
 * so the Rego rules never read a clock. Other modes reuse its pieces (`tenantInput`, `scopeInput`, ...).
 *
 * Shape (optional fields are absent, never null):
 * {
 *   "mode": "registry",
 *   "now": "2026-11-25T12:00:00.000Z",          // the evaluation instant
 *   "today": "2026-11-25",                       // its UTC day
 *   "tenants": {
 *     "<tenant>": {
 *       "name": "<tenant>",
 *       "scopes": { "<scope>": { "name", "description"?, "sensitivity": "low|medium|high|critical", "owner"?,
 *                   "status": "active|deprecated|removed", "deprecatedSince"?, "daysDeprecated"?, "replacedBy"?,
 *                   "implies": [direct], "impliesAll": [transitive closure of implies, sorted, without itself] } },
 *       "actions": { "<scope>": [ { "pattern": "GET /v1/data/**", "method": "GET", "path": "/v1/data/**" } ] },
 *       "clients": { "<client>": { "name", "clientId", "owner"?, "type": "confidential|public|machine",
 *                    "description"?, "scopes": [granted scope names], "justification": { "<scope>": "why" } } },
 *       "exceptions": [ { "index": <position in this tenant's list>, "rule", "subject", "reason", "owner"?,
 *                         "expires": "YYYY-MM-DD", "expired": bool, "daysUntilExpiry": int (0 = last day) } ]
 *     }
 *   }
 * }
 * A rule that reports an exception itself sets `exception: <index>` on its finding so it is located at that entry.
 */
import type { Client, Exception, Registry, Scope, Tenant } from '../registry/model.ts';
import { nameRecord } from '../records.ts';
import { impliesClosure } from '../registry/implies.ts';
import { requestSegments } from '../registry/matcher.ts';
import { daysBetween, daysUntilExpiry, isExpired, isoDay } from '../findings/exceptions.ts';

export interface ScopeInput {
  name: string;
  description?: string;
  sensitivity: Scope['sensitivity'];
  owner?: string;
  status: Scope['status'];
  deprecatedSince?: string;
  daysDeprecated?: number;
  replacedBy?: string;
  implies: string[];
  impliesAll: string[];
}

export interface ActionInput {
  pattern: string;
  method: string;
  path: string;
}

export interface ClientInput {
  name: string;
  clientId: string;
  owner?: string;
  type: Client['type'];
  description?: string;
  scopes: string[];
  justification: Record<string, string>;
}

export interface ExceptionInput {
  index: number;
  rule: string;
  subject: string;
  reason: string;
  owner?: string;
  expires: string;
  expired: boolean;
  daysUntilExpiry: number;
}

export interface TenantInput {
  name: string;
  scopes: Record<string, ScopeInput>;
  actions: Record<string, ActionInput[]>;
  clients: Record<string, ClientInput>;
  exceptions: ExceptionInput[];
}

export interface RegistryInput {
  mode: 'registry';
  now: string;
  today: string;
  tenants: Record<string, TenantInput>;
}

export function buildRegistryInput(registry: Registry, now: Date): RegistryInput {
  return { mode: 'registry', now: now.toISOString(), today: isoDay(now), tenants: tenantsInput(registry, now) };
}

export function tenantsInput(registry: Registry, now: Date): Record<string, TenantInput> {
  const tenants: Record<string, TenantInput> = {};
  for (const name of Object.keys(registry.tenants).sort()) tenants[name] = tenantInput(registry.tenants[name]!, now);
  return tenants;
}

export function tenantInput(tenant: Tenant, now: Date): TenantInput {
  const closure = impliesClosure(tenant);
  const scopes = nameRecord<ScopeInput>();
  for (const [name, scope] of Object.entries(tenant.scopes)) scopes[name] = scopeInput(scope, closure.get(name) ?? [], now);
  const actions = nameRecord<ActionInput[]>();
  for (const [name, patterns] of Object.entries(tenant.actions)) {
    // the path as the matcher reads it (doubled and trailing slashes mean nothing), so `//**` and `/**/` are `/**` to
    // the rules too
    actions[name] = patterns.map(({ pattern, method, path }) => ({ pattern, method, path: `/${requestSegments(path).join('/')}` }));
  }
  const clients = nameRecord<ClientInput>();
  for (const [name, client] of Object.entries(tenant.clients)) clients[name] = clientInput(client);
  return { name: tenant.name, scopes, actions, clients, exceptions: tenant.exceptions.map((e, index) => exceptionInput(e, index, now)) };
}

export function scopeInput(scope: Scope, impliesAll: string[], now: Date): ScopeInput {
  const input: ScopeInput = {
    name: scope.name,
    sensitivity: scope.sensitivity,
    status: scope.status,
    implies: [...scope.implies],
    impliesAll,
  };
  if (scope.description !== undefined) input.description = scope.description;
  if (scope.owner !== undefined) input.owner = scope.owner;
  if (scope.deprecatedSince !== undefined) {
    input.deprecatedSince = scope.deprecatedSince;
    // a date still ahead is no deprecation yet: zero days, not a negative count
    input.daysDeprecated = Math.max(0, daysBetween(scope.deprecatedSince, isoDay(now)));
  }
  if (scope.replacedBy !== undefined) input.replacedBy = scope.replacedBy;
  return input;
}

export function clientInput(client: Client): ClientInput {
  const justification = nameRecord<string>();
  for (const grant of client.grants) if (grant.justification !== undefined) justification[grant.scope] = grant.justification;
  const input: ClientInput = {
    name: client.name,
    clientId: client.clientId,
    type: client.type,
    scopes: client.grants.map((grant) => grant.scope),
    justification,
  };
  if (client.owner !== undefined) input.owner = client.owner;
  if (client.description !== undefined) input.description = client.description;
  return input;
}

export function exceptionInput(exception: Exception, index: number, now: Date): ExceptionInput {
  const input: ExceptionInput = {
    index,
    rule: exception.rule,
    subject: exception.subject,
    reason: exception.reason,
    expires: exception.expires,
    expired: isExpired(exception, now),
    daysUntilExpiry: daysUntilExpiry(exception, now),
  };
  if (exception.owner !== undefined) input.owner = exception.owner;
  return input;
}

