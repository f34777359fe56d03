/**
 * What one registry file contributes, read leniently and cached by blob id. History walks thousands of
 * revisions; re-validating the whole registry at each would parse every file thousands of times, while a commit
 * only changes a few blobs. Comparing the fragments of the blobs a commit changed (before vs after) gives that
 * commit's semantic change; cross-file validation is the loader's job at the revisions a user actually loads.
 */
import { parseYamlFile } from '../registry/yaml-source.ts';
import type { ActionPattern, Client, ClientType, Exception, Scope, ScopeStatus, Sensitivity, Tenant } from '../registry/model.ts';
import type { RegistryTenants } from '../diff/diff.ts';

const SENSITIVITIES = new Set(['low', 'medium', 'high', 'critical']);
const STATUSES = new Set(['active', 'deprecated', 'removed']);
const CLIENT_TYPES = new Set(['confidential', 'public', 'machine']);

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : value instanceof Date ? value.toISOString().slice(0, 10) : typeof value === 'number' ? String(value) : undefined);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map(text).filter((v): v is string => v !== undefined) : []);

/**
 * A file version that does not parse (a syntax error, a duplicate key...): what it defines is unknown, so it is
 * compared with nothing; the first problem says why (the loader reports them all at the revisions it loads).
 */
export interface UnreadableFile {
  unreadable: string;
}

export function isUnreadable(fragment: RegistryTenants | UnreadableFile): fragment is UnreadableFile {
  return 'unreadable' in fragment;
}

export function parseFragment(file: string, content: string): RegistryTenants | UnreadableFile {
  const parsed = parseYamlFile(file, content);
  const problem = parsed.problems[0];
  if (problem) return { unreadable: `${problem.message} at line ${problem.line}` };
  const tenants: Record<string, Tenant> = {};
  for (const { value } of parsed.documents) {
    if (!isPlain(value)) continue;
    const tenantName = text(value.tenant);
    if (!tenantName) continue;
    const tenant = (tenants[tenantName] ??= { name: tenantName, scopes: {}, actions: {}, clients: {}, exceptions: [] });
    const location = { file, line: 1, column: 1 };
    switch (value.kind) {
      case 'ScopeSet':
        for (const [name, def] of Object.entries(isPlain(value.scopes) ? value.scopes : {})) {
          if (!isPlain(def)) continue;
          const sensitivity = text(def.sensitivity);
          const status = text(def.status);
          const scope: Scope = {
            name,
            tenant: tenantName,
            sensitivity: (sensitivity && SENSITIVITIES.has(sensitivity) ? sensitivity : 'low') as Sensitivity,
            status: (status && STATUSES.has(status) ? status : 'active') as ScopeStatus,
            implies: texts(def.implies),
            location,
          };
          const description = text(def.description);
          const owner = text(def.owner);
          const deprecatedSince = text(def.deprecatedSince);
          const replacedBy = text(def.replacedBy);
          if (description !== undefined) scope.description = description;
          if (owner !== undefined) scope.owner = owner;
          if (deprecatedSince !== undefined) scope.deprecatedSince = deprecatedSince;
          if (replacedBy !== undefined) scope.replacedBy = replacedBy;
          tenant.scopes[name] = scope;
        }
        break;
      case 'ActionMap':
        for (const [scope, patterns] of Object.entries(isPlain(value.actions) ? value.actions : {})) {
          tenant.actions[scope] = texts(patterns).map((pattern): ActionPattern => {
            const [method = '', path = ''] = pattern.trim().split(/\s+/);
            return { pattern, method: method.toUpperCase(), path, location };
          });
        }
        break;
      case 'ClientSet':
        for (const [name, def] of Object.entries(isPlain(value.clients) ? value.clients : {})) {
          if (!isPlain(def)) continue;
          const type = text(def.type);
          const justification = isPlain(def.justification) ? def.justification : {};
          const client: Client = {
            name,
            tenant: tenantName,
            clientId: text(def.clientId) ?? '',
            type: (type && CLIENT_TYPES.has(type) ? type : 'confidential') as ClientType,
            grants: texts(def.scopes).map((scope) => {
              const why = text(justification[scope]);
              return why === undefined ? { scope, location } : { scope, justification: why, location };
            }),
            location,
          };
          const owner = text(def.owner);
          if (owner !== undefined) client.owner = owner;
          tenant.clients[name] = client;
        }
        break;
      case 'ExceptionSet':
        for (const def of Array.isArray(value.exceptions) ? value.exceptions : []) {
          if (!isPlain(def)) continue;
          const exception: Exception = {
            tenant: tenantName,
            rule: text(def.rule) ?? '',
            subject: text(def.subject) ?? '',
            reason: text(def.reason) ?? '',
            expires: text(def.expires) ?? '',
            location,
          };
          const owner = text(def.owner);
          if (owner !== undefined) exception.owner = owner;
          tenant.exceptions.push(exception);
        }
        break;
      default:
        break;
    }
  }
  return { tenants };
}

/** Several files' fragments as one partial registry. */
export function mergeFragments(fragments: readonly RegistryTenants[]): RegistryTenants {
  const tenants: Record<string, Tenant> = {};
  for (const fragment of fragments) {
    for (const [name, part] of Object.entries(fragment.tenants)) {
      const tenant = (tenants[name] ??= { name, scopes: {}, actions: {}, clients: {}, exceptions: [] });
      Object.assign(tenant.scopes, part.scopes);
      // a scope's actions may be mapped in several files: the lists add up, as the loader reads them
      for (const [scope, patterns] of Object.entries(part.actions)) tenant.actions[scope] = [...(tenant.actions[scope] ?? []), ...patterns];
      Object.assign(tenant.clients, part.clients);
      tenant.exceptions.push(...part.exceptions);
    }
  }
  return { tenants };
}
