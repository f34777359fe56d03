/** The one result type of every evaluation mode; every output format formats only this (plus diffs and usage tables). */
import type { Severity, SourcePosition } from '../registry/model.ts';

export type { Severity };
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type FailOn = Severity | 'never';

export type FindingStatus = 'new' | 'existing' | 'waived';

export interface Finding {
  /** SG1xx registry, SG2xx change, SG3xx usage, anything else from custom policies. */
  ruleId: string;
  severity: Severity;
  tenant: string;
  /** `scope:x`, `client:y`, `client:y/scope:x`, `token:t` */
  subject: string;
  message: string;
  remediation?: string;
  location?: SourcePosition;
  /** Counts, dates, sample event ids, commits: whatever lets a reviewer verify the finding. */
  evidence?: Record<string, unknown>;
  /** Stable across runs and edits: rule + tenant + subject + discriminating key, never a line number. */
  fingerprint: string;
  status: FindingStatus;
  /** Set when status is `waived`: the exception that waived it. */
  waivedBy?: { reason: string; expires: string; owner?: string };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

/** True when `severity` is at or above the `failOn` threshold. */
export function meetsThreshold(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && severityRank(severity) >= severityRank(failOn);
}
