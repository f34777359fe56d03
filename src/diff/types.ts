/**
 * The semantic difference between two registries: what a reviewer needs to know (who gains or loses access,
 * what got riskier), not which YAML lines moved. Rendered by `scopeguard diff`, the PR comment and reports, and
 * judged by the change rules (SG2xx).
 */
import type { SourcePosition } from '../registry/model.ts';

/**
 * - `breaking`: a client or a mapped request loses access (scope removed, grant revoked, client removed)
 * - `widening`: something may now do more (grant added, action map covers more requests, exception added)
 * - `narrowing`: something may now do less without anyone losing a grant (action map covers fewer requests)
 * - `neutral`: meaning unchanged for access (descriptions, owners, patterns rewritten with the same coverage)
 */
export type ChangeClassification = 'breaking' | 'widening' | 'narrowing' | 'neutral';

export const CHANGE_CLASSIFICATIONS: readonly ChangeClassification[] = ['breaking', 'widening', 'narrowing', 'neutral'];

export type ChangeKind =
  | 'scope.added'
  | 'scope.removed'
  | 'scope.deprecated'
  | 'scope.undeprecated'
  | 'scope.sensitivity-raised'
  | 'scope.sensitivity-lowered'
  | 'scope.owner-changed'
  | 'scope.implies-changed'
  | 'scope.description-changed'
  | 'scope.deprecation-date-changed'
  | 'scope.replacement-changed'
  | 'action.added'
  | 'action.removed'
  | 'client.added'
  | 'client.removed'
  | 'client.type-changed'
  | 'client.owner-changed'
  | 'client.id-changed'
  | 'client.description-changed'
  | 'client.scope-granted'
  | 'client.scope-revoked'
  | 'client.justification-changed'
  | 'exception.added'
  | 'exception.removed'
  | 'exception.extended'
  | 'exception.shortened'
  | 'exception.owner-changed'
  | 'exception.reason-changed'
  // history only: a commit left a file that does not parse, or repaired one (subject `file:<path>`)
  | 'file.unreadable'
  | 'file.readable-again';

export interface RegistryChange {
  tenant: string;
  /**
   * `scope:x`, `client:y`, `client:y/scope:x` (grants), `scope:x/action:GET /v1/x` (action patterns),
   * `exception:SG301/client:y/scope:x` (exceptions: rule and the subject they waive).
   */
  subject: string;
  kind: ChangeKind;
  classification: ChangeClassification;
  /** The value before (absent for additions): a sensitivity, an owner, an expiry date, a pattern, a list. */
  before?: unknown;
  /** The value after (absent for removals). */
  after?: unknown;
  /** One line for humans: "sensitivity high → medium", "granted write.orders". */
  detail: string;
  /**
   * Where the change is at head, or at base for removals (an entry, action pattern or exception head no longer has):
   * those carry `revision`, the base commit, when base is one (see SourcePosition.revision).
   */
  location?: SourcePosition;
}

/**
 * A note of history that a file stopped parsing at a commit, or parses again: not a change of any entry, so outputs
 * show it as a note, without a classification.
 */
export function isFileNote(change: { kind: string }): boolean {
  return change.kind === 'file.unreadable' || change.kind === 'file.readable-again';
}

/**
 * Whether a change belongs to a tenant's history: its own changes, and the notes of a file whose tenant could not be
 * read (a file saved in another encoding names none), which may be any tenant's.
 */
export function belongsToTenant(change: { kind: string; tenant: string }, tenant: string): boolean {
  return change.tenant === tenant || (change.tenant === '' && isFileNote(change));
}

export interface RevisionLabel {
  /** As the user gave it: a ref, a date, `worktree`. */
  ref: string;
  /** The commit it resolved to, when it is one. */
  commit?: string;
  /** The registry folder did not exist there yet: compared as an empty registry, so everything counts as added. */
  empty?: boolean;
  /**
   * The registry does not load at `commit` (a broken main, which this change may repair): compared with the registry
   * at this commit instead, the newest before it where it loads.
   */
  loadedAt?: string;
  /**
   * The base had moved on since head left it: `commit` is the fork point (the merge base of base and head), and this
   * is the base's own newest commit. Changes made on the base since are not head's to answer for.
   */
  tip?: string;
}

export interface RegistryDiff {
  base?: RevisionLabel;
  head?: RevisionLabel;
  /**
   * The most serious classification among the changes (`neutral` when there are none), where a narrowed action
   * map counts as `breaking` overall: a request its scope allowed loses access.
   */
  classification: ChangeClassification;
  changes: RegistryChange[];
  summary: Record<ChangeClassification, number>;
}
