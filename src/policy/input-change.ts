/**
 * The `change` mode's input document: base and head registries (in the registry mode's shape), their semantic
 * diff, the commits between them with what each touched and whose it was, and the pull request when known. Every
 * date fact (days until an exception expires, how long a scope was deprecated) is computed here, against `now`.
 *
 * Shape (optional fields are absent, never null):
 * {
 *   "mode": "change", "now", "today",
 *   "base": { "ref", "commit"?, "tenants": {...as in registry mode} },
 *   "head": { "ref", "commit"?, "tenants": {...} },
 *   "diff": { "classification", "changes": [ { "tenant", "subject", "kind", "classification", "detail",
 *             "before"?, "after"?, "scope"?, "client"?, "daysUntilExpiry"? (exception changes, head expiry) } ] },
 *   "commits": [ { "commit", "author", "email" (lower-cased), "login"? (from a GitHub noreply email), "date",
 *                  "subject", "pr"?, "touched": [ { "tenant", "subject", "kind", "detail", "entry": "scope|client|exception",
 *                  "name", "owners": [owner names before and after the change] } ] } ],
 *   "pr"?: { "number"?, "author"?, "title"? }
 * }
 */
import type { RegistryTenants } from '../diff/diff.ts';
import { isFileNote, type RegistryChange, type RegistryDiff, type RevisionLabel } from '../diff/types.ts';
import { daysBetween, isoDay } from '../findings/exceptions.ts';
import type { Registry } from '../registry/model.ts';
import { tenantsInput, type TenantInput } from './input-registry.ts';

export interface CommitRecord {
  commit: string;
  author: string;
  email: string;
  date: string;
  subject: string;
  pr?: number;
  /** What the commit changed (compared with its parent). */
  changes: RegistryChange[];
  /** The entries as they were before and after the commit, where its changed files held them. */
  before: RegistryTenants;
  after: RegistryTenants;
}

export interface PullRequestInfo {
  number?: number;
  author?: string;
  title?: string;
}

export interface ChangeInputChange extends RegistryChange {
  scope?: string;
  client?: string;
  daysUntilExpiry?: number;
}

export interface TouchedEntry {
  tenant: string;
  subject: string;
  kind: string;
  detail: string;
  entry: 'scope' | 'client' | 'exception';
  name: string;
  owners: string[];
}

export interface ChangeInput {
  mode: 'change';
  now: string;
  today: string;
  base: RevisionLabel & { tenants: Record<string, TenantInput> };
  head: RevisionLabel & { tenants: Record<string, TenantInput> };
  diff: { classification: RegistryDiff['classification']; changes: ChangeInputChange[] };
  commits: Array<Omit<CommitRecord, 'changes' | 'before' | 'after'> & { login?: string; touched: TouchedEntry[] }>;
  pr?: PullRequestInfo;
}

export interface ChangeInputSources {
  base: Registry;
  head: Registry;
  baseLabel: RevisionLabel;
  headLabel: RevisionLabel;
  diff: RegistryDiff;
  commits: readonly CommitRecord[];
  pr?: PullRequestInfo;
  now: Date;
}

const SCOPE_SUBJECT = /^scope:([^/]+)/;
const CLIENT_SUBJECT = /^client:([^/]+)(?:\/scope:(.+))?$/;
const EXCEPTION_SUBJECT = /^exception:([^/]+)\/(.+)$/;
const NOREPLY = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/;

export function buildChangeInput(sources: ChangeInputSources): ChangeInput {
  const today = isoDay(sources.now);
  const changes = sources.diff.changes.map((change): ChangeInputChange => {
    const enriched: ChangeInputChange = { ...change };
    const scope = SCOPE_SUBJECT.exec(change.subject);
    const client = CLIENT_SUBJECT.exec(change.subject);
    if (scope) enriched.scope = scope[1]!;
    if (client) {
      enriched.client = client[1]!;
      if (client[2] !== undefined) enriched.scope = client[2];
    }
    if (change.kind.startsWith('exception.') && typeof change.after === 'string' && change.after !== '') {
      enriched.daysUntilExpiry = daysBetween(today, change.after);
    }
    return enriched;
  });
  const input: ChangeInput = {
    mode: 'change',
    now: sources.now.toISOString(),
    today,
    base: { ...sources.baseLabel, tenants: tenantsInput(sources.base, sources.now) },
    head: { ...sources.headLabel, tenants: tenantsInput(sources.head, sources.now) },
    diff: { classification: sources.diff.classification, changes },
    commits: sources.commits.map((commit) => {
      const email = commit.email.toLowerCase();
      const login = NOREPLY.exec(email)?.[1];
      return {
        commit: commit.commit,
        author: commit.author,
        email,
        ...(login ? { login } : {}),
        date: commit.date,
        subject: commit.subject,
        ...(commit.pr !== undefined ? { pr: commit.pr } : {}),
        // a note that a file stopped or started parsing touches no entry; the changes it defers are in a later commit
        touched: commit.changes.filter((change) => !isFileNote(change)).map((change) => touchedEntry(change, [commit.after, commit.before, sources.head, sources.base])),
      };
    }),
  };
  if (sources.pr) input.pr = sources.pr;
  return input;
}

/**
 * Whose entry a change touched: the owner before and after the commit (an ownership transfer needs the old owner's
 * consent), looked up in the commit's own files first, then at head and base (an action-map edit does not carry
 * the scope's owner in its file).
 */
function touchedEntry(change: RegistryChange, views: readonly RegistryTenants[]): TouchedEntry {
  const base = { tenant: change.tenant, subject: change.subject, kind: change.kind, detail: change.detail };
  const owners = new Set<string>();
  const add = (owner: unknown): void => {
    if (typeof owner === 'string' && owner !== '') owners.add(owner);
  };
  if (change.kind === 'scope.owner-changed' || change.kind === 'client.owner-changed' || change.kind === 'exception.owner-changed') {
    add(change.before);
    add(change.after);
  }
  const exception = EXCEPTION_SUBJECT.exec(change.subject);
  if (exception) {
    for (const view of views) {
      for (const e of view.tenants[change.tenant]?.exceptions ?? []) if (`${e.rule}/${e.subject}` === `${exception[1]}/${exception[2]}`) add(e.owner);
      if (owners.size > 0) break;
    }
    return { ...base, entry: 'exception', name: `${exception[1]}/${exception[2]}`, owners: [...owners].sort() };
  }
  const client = CLIENT_SUBJECT.exec(change.subject);
  if (client) {
    const name = client[1]!;
    for (const view of views) {
      add(view.tenants[change.tenant]?.clients[name]?.owner);
      if (owners.size > 0) break;
    }
    return { ...base, entry: 'client', name, owners: [...owners].sort() };
  }
  const name = SCOPE_SUBJECT.exec(change.subject)?.[1] ?? change.subject;
  for (const view of views) {
    add(view.tenants[change.tenant]?.scopes[name]?.owner);
    if (owners.size > 0) break;
  }
  return { ...base, entry: 'scope', name, owners: [...owners].sort() };
}
