/**
 * Semantic diff of two registries, tenant by tenant. Entries are compared by meaning (normalised values, sets
 * instead of lists, action patterns by coverage), so reordering keys, comments or quoting change nothing.
 */
import type { ActionPattern, Client, Exception, Registry, Scope, Sensitivity, SourcePosition, Tenant } from '../registry/model.ts';
import { coveragePattern, setCovers, type CoveragePattern } from './coverage.ts';
import {
  CHANGE_CLASSIFICATIONS,
  type ChangeClassification,
  type RegistryChange,
  type RegistryDiff,
  type RevisionLabel,
} from './types.ts';

const SENSITIVITY_ORDER: readonly Sensitivity[] = ['low', 'medium', 'high', 'critical'];

/** Only the tenants matter to a diff, so partial registries (history fragments) can be compared too. */
export type RegistryTenants = Pick<Registry, 'tenants'>;

export interface DiffOptions {
  base?: RevisionLabel;
  head?: RevisionLabel;
}

export function diffRegistries(base: RegistryTenants, head: RegistryTenants, options: DiffOptions = {}): RegistryDiff {
  const changes: RegistryChange[] = [];
  const atBase = baseLocator(options.base);
  const tenantNames = sortedUnion(Object.keys(base.tenants), Object.keys(head.tenants));
  for (const tenant of tenantNames) {
    const before = base.tenants[tenant] ?? emptyTenant(tenant);
    const after = head.tenants[tenant] ?? emptyTenant(tenant);
    changes.push(...diffScopes(tenant, before, after, atBase));
    changes.push(...diffActions(tenant, before, after, atBase));
    changes.push(...diffClients(tenant, before, after, atBase));
    changes.push(...diffExceptions(tenant, before, after, atBase));
  }
  return summarise(changes, options);
}

/** Marks a location read at base (an entry the change removed), so no output takes that line for head's. */
type BaseLocator = (location: SourcePosition) => SourcePosition;

/**
 * The commit base's registry was read at, as `check --base` marks its findings: the one it loaded at when the
 * base does not load, else the base commit. A base without a commit (the work tree) leaves locations as they are.
 */
function baseLocator(label: RevisionLabel | undefined): BaseLocator {
  const revision = label?.loadedAt ?? label?.commit;
  return (location) => (revision ? { ...location, revision } : location);
}

export function summarise(changes: RegistryChange[], options: DiffOptions = {}): RegistryDiff {
  const summary: Record<ChangeClassification, number> = { breaking: 0, widening: 0, narrowing: 0, neutral: 0 };
  for (const change of changes) summary[change.classification]++;
  // overall, a narrowed action map is breaking: a request the scope allowed is no longer mapped to it
  const losesAccess = changes.some((c) => c.kind === 'action.removed' && c.classification === 'narrowing');
  const classification = losesAccess ? 'breaking' : (CHANGE_CLASSIFICATIONS.find((c) => summary[c] > 0) ?? 'neutral');
  return {
    ...(options.base ? { base: options.base } : {}),
    ...(options.head ? { head: options.head } : {}),
    classification,
    changes,
    summary,
  };
}

function emptyTenant(name: string): Tenant {
  return { name, scopes: {}, actions: {}, clients: {}, exceptions: [] };
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}

function diffScopes(tenant: string, before: Tenant, after: Tenant, atBase: BaseLocator): RegistryChange[] {
  const changes: RegistryChange[] = [];
  for (const name of sortedUnion(Object.keys(before.scopes), Object.keys(after.scopes))) {
    const old = before.scopes[name];
    const now = after.scopes[name];
    const subject = `scope:${name}`;
    const change = (fields: Omit<RegistryChange, 'tenant' | 'subject' | 'location'>, location?: SourcePosition): void => {
      changes.push({ tenant, subject, ...fields, ...(location ?? now?.location ? { location: location ?? now?.location } : {}) });
    };
    if (!old && now) {
      change({ kind: 'scope.added', classification: 'neutral', after: scopeSummary(now), detail: `scope added (${now.sensitivity})` });
      continue;
    }
    if (old && !now) {
      change({ kind: 'scope.removed', classification: 'breaking', before: scopeSummary(old), detail: 'scope removed' }, atBase(old.location));
      continue;
    }
    if (!old || !now) continue;
    if (old.status !== now.status) {
      if (now.status === 'removed') {
        change({ kind: 'scope.removed', classification: 'breaking', before: old.status, after: now.status, detail: `status ${old.status} → removed` });
      } else if (now.status === 'deprecated') {
        change({ kind: 'scope.deprecated', classification: 'neutral', before: old.status, after: now.status, detail: `deprecated${now.replacedBy ? ` (replaced by ${now.replacedBy})` : ''}` });
      } else {
        change({ kind: 'scope.undeprecated', classification: 'neutral', before: old.status, after: now.status, detail: `status ${old.status} → ${now.status}` });
      }
    }
    if (old.sensitivity !== now.sensitivity) {
      const raised = SENSITIVITY_ORDER.indexOf(now.sensitivity) > SENSITIVITY_ORDER.indexOf(old.sensitivity);
      change({
        kind: raised ? 'scope.sensitivity-raised' : 'scope.sensitivity-lowered',
        classification: 'neutral',
        before: old.sensitivity,
        after: now.sensitivity,
        detail: `sensitivity ${old.sensitivity} → ${now.sensitivity}`,
      });
    }
    if ((old.owner ?? '') !== (now.owner ?? '')) {
      change({ kind: 'scope.owner-changed', classification: 'neutral', before: old.owner, after: now.owner, detail: `owner ${old.owner ?? '(none)'} → ${now.owner ?? '(none)'}` });
    }
    const gained = now.implies.filter((s) => !old.implies.includes(s)).sort();
    const lost = old.implies.filter((s) => !now.implies.includes(s)).sort();
    if (gained.length > 0 || lost.length > 0) {
      change({
        kind: 'scope.implies-changed',
        classification: lost.length > 0 ? 'breaking' : 'widening',
        before: [...old.implies].sort(),
        after: [...now.implies].sort(),
        detail: `implies ${[...gained.map((s) => `+ ${s}`), ...lost.map((s) => `- ${s}`)].join(', ')}`,
      });
    }
    if ((old.description ?? '') !== (now.description ?? '')) {
      change({ kind: 'scope.description-changed', classification: 'neutral', before: old.description, after: now.description, detail: 'description changed' });
    }
    // with the status unchanged (a status change says both): a back-dated deprecation shortens the wait SG204 asks for
    if (old.status === now.status && (old.deprecatedSince ?? '') !== (now.deprecatedSince ?? '')) {
      change({ kind: 'scope.deprecation-date-changed', classification: 'neutral', before: old.deprecatedSince, after: now.deprecatedSince, detail: `deprecated since ${old.deprecatedSince ?? '(none)'} → ${now.deprecatedSince ?? '(none)'}` });
    }
    if (old.status === now.status && (old.replacedBy ?? '') !== (now.replacedBy ?? '')) {
      change({ kind: 'scope.replacement-changed', classification: 'neutral', before: old.replacedBy, after: now.replacedBy, detail: `replaced by ${old.replacedBy ?? '(none)'} → ${now.replacedBy ?? '(none)'}` });
    }
  }
  return changes;
}

function scopeSummary(scope: Scope): Record<string, unknown> {
  return {
    sensitivity: scope.sensitivity,
    status: scope.status,
    ...(scope.owner ? { owner: scope.owner } : {}),
    ...(scope.deprecatedSince ? { deprecatedSince: scope.deprecatedSince } : {}),
  };
}

function parsedPatterns(patterns: readonly ActionPattern[]): CoveragePattern[] {
  return patterns.map((p) => coveragePattern(p.pattern)).filter((p): p is CoveragePattern => p !== undefined);
}

/** Normalised text so `get  /v1/x` and `GET /v1/x` are one pattern. */
function patternKey(pattern: ActionPattern): string {
  return `${pattern.method.toUpperCase()} ${pattern.path}`;
}

function diffActions(tenant: string, before: Tenant, after: Tenant, atBase: BaseLocator): RegistryChange[] {
  const changes: RegistryChange[] = [];
  for (const scope of sortedUnion(Object.keys(before.actions), Object.keys(after.actions))) {
    const old = before.actions[scope] ?? [];
    const now = after.actions[scope] ?? [];
    const oldKeys = new Set(old.map(patternKey));
    const nowKeys = new Set(now.map(patternKey));
    const added = now.filter((p) => !oldKeys.has(patternKey(p)));
    const removed = old.filter((p) => !nowKeys.has(patternKey(p)));
    if (added.length === 0 && removed.length === 0) continue;
    const oldCoverage = parsedPatterns(old);
    const nowCoverage = parsedPatterns(now);
    for (const pattern of added) {
      const parsed = coveragePattern(pattern.pattern);
      const widening = parsed === undefined || !setCovers(oldCoverage, parsed);
      changes.push({
        tenant,
        subject: `scope:${scope}/action:${patternKey(pattern)}`,
        kind: 'action.added',
        classification: widening ? 'widening' : 'neutral',
        after: patternKey(pattern),
        detail: `actions ${widening ? 'widened' : 'rewritten'}: + ${patternKey(pattern)}`,
        location: pattern.location,
      });
    }
    for (const pattern of removed) {
      const parsed = coveragePattern(pattern.pattern);
      const narrowing = parsed === undefined || !setCovers(nowCoverage, parsed);
      changes.push({
        tenant,
        subject: `scope:${scope}/action:${patternKey(pattern)}`,
        kind: 'action.removed',
        classification: narrowing ? 'narrowing' : 'neutral',
        before: patternKey(pattern),
        detail: `actions ${narrowing ? 'narrowed' : 'rewritten'}: - ${patternKey(pattern)}`,
        // where the pattern was: its file may be gone at head, and its line hold something else
        location: atBase(pattern.location),
      });
    }
  }
  return changes;
}

function diffClients(tenant: string, before: Tenant, after: Tenant, atBase: BaseLocator): RegistryChange[] {
  const changes: RegistryChange[] = [];
  for (const name of sortedUnion(Object.keys(before.clients), Object.keys(after.clients))) {
    const old = before.clients[name];
    const now = after.clients[name];
    const subject = `client:${name}`;
    if (!old && now) {
      changes.push({ tenant, subject, kind: 'client.added', classification: 'widening', after: clientSummary(now), detail: `client added with ${grantList(now)}`, location: now.location });
      continue;
    }
    if (old && !now) {
      changes.push({ tenant, subject, kind: 'client.removed', classification: 'breaking', before: clientSummary(old), detail: 'client removed', location: atBase(old.location) });
      continue;
    }
    if (!old || !now) continue;
    if (old.type !== now.type) {
      changes.push({ tenant, subject, kind: 'client.type-changed', classification: 'neutral', before: old.type, after: now.type, detail: `type ${old.type} → ${now.type}`, location: now.location });
    }
    if ((old.owner ?? '') !== (now.owner ?? '')) {
      changes.push({ tenant, subject, kind: 'client.owner-changed', classification: 'neutral', before: old.owner, after: now.owner, detail: `owner ${old.owner ?? '(none)'} → ${now.owner ?? '(none)'}`, location: now.location });
    }
    // another provider app now holds every grant of the entry
    if (old.clientId !== now.clientId) {
      changes.push({ tenant, subject, kind: 'client.id-changed', classification: 'widening', before: old.clientId, after: now.clientId, detail: `client id ${old.clientId} → ${now.clientId}`, location: now.location });
    }
    if ((old.description ?? '') !== (now.description ?? '')) {
      changes.push({ tenant, subject, kind: 'client.description-changed', classification: 'neutral', before: old.description, after: now.description, detail: 'description changed', location: now.location });
    }
    const oldScopes = new Set(old.grants.map((g) => g.scope));
    const nowScopes = new Set(now.grants.map((g) => g.scope));
    for (const grant of [...now.grants].sort((a, b) => a.scope.localeCompare(b.scope))) {
      if (oldScopes.has(grant.scope)) continue;
      changes.push({ tenant, subject: `${subject}/scope:${grant.scope}`, kind: 'client.scope-granted', classification: 'widening', after: grant.scope, detail: `granted ${grant.scope}`, location: grant.location });
    }
    for (const grant of [...old.grants].sort((a, b) => a.scope.localeCompare(b.scope))) {
      if (nowScopes.has(grant.scope)) continue;
      changes.push({ tenant, subject: `${subject}/scope:${grant.scope}`, kind: 'client.scope-revoked', classification: 'breaking', before: grant.scope, detail: `revoked ${grant.scope}`, location: now.location });
    }
    // the recorded reason for a grant both sides hold
    const oldJustification = new Map(old.grants.map((g) => [g.scope, g.justification]));
    for (const grant of [...now.grants].sort((a, b) => a.scope.localeCompare(b.scope))) {
      if (!oldScopes.has(grant.scope) || (oldJustification.get(grant.scope) ?? '') === (grant.justification ?? '')) continue;
      const was = oldJustification.get(grant.scope);
      const detail = grant.justification === undefined ? `justification of ${grant.scope} removed` : was === undefined ? `justification of ${grant.scope} added` : `justification of ${grant.scope} changed`;
      changes.push({ tenant, subject: `${subject}/scope:${grant.scope}`, kind: 'client.justification-changed', classification: 'neutral', before: was, after: grant.justification, detail, location: grant.location });
    }
  }
  return changes;
}

function clientSummary(client: Client): Record<string, unknown> {
  return { type: client.type, ...(client.owner ? { owner: client.owner } : {}), scopes: client.grants.map((g) => g.scope).sort() };
}

function grantList(client: Client): string {
  return client.grants.length === 0 ? 'no scopes' : client.grants.map((g) => g.scope).sort().join(', ');
}

function exceptionKey(exception: Exception): string {
  return `${exception.rule}/${exception.subject}`;
}

function diffExceptions(tenant: string, before: Tenant, after: Tenant, atBase: BaseLocator): RegistryChange[] {
  const changes: RegistryChange[] = [];
  const oldByKey = new Map(before.exceptions.map((e) => [exceptionKey(e), e]));
  const nowByKey = new Map(after.exceptions.map((e) => [exceptionKey(e), e]));
  for (const key of sortedUnion(oldByKey.keys(), nowByKey.keys())) {
    const old = oldByKey.get(key);
    const now = nowByKey.get(key);
    const subject = `exception:${key}`;
    if (!old && now) {
      changes.push({ tenant, subject, kind: 'exception.added', classification: 'widening', after: now.expires, detail: `exception for ${now.rule} on ${now.subject} until ${now.expires}`, location: now.location });
    } else if (old && !now) {
      changes.push({ tenant, subject, kind: 'exception.removed', classification: 'narrowing', before: old.expires, detail: `exception for ${old.rule} on ${old.subject} removed`, location: atBase(old.location) });
    } else if (old && now) {
      if (old.expires !== now.expires) {
        const extended = now.expires > old.expires;
        changes.push({
          tenant,
          subject,
          kind: extended ? 'exception.extended' : 'exception.shortened',
          classification: extended ? 'widening' : 'narrowing',
          before: old.expires,
          after: now.expires,
          detail: `exception expiry ${old.expires} → ${now.expires}`,
          location: now.location,
        });
      }
      if ((old.owner ?? '') !== (now.owner ?? '')) {
        changes.push({ tenant, subject, kind: 'exception.owner-changed', classification: 'neutral', before: old.owner, after: now.owner, detail: `exception owner ${old.owner ?? '(none)'} → ${now.owner ?? '(none)'}`, location: now.location });
      }
      if (old.reason !== now.reason) {
        changes.push({ tenant, subject, kind: 'exception.reason-changed', classification: 'neutral', before: old.reason, after: now.reason, detail: 'exception reason changed', location: now.location });
      }
    }
  }
  return changes;
}
