/** Counts of a finding list and the verdict against --fail-on; every output format shows this same summary. */
import { SEVERITIES, meetsThreshold, type FailOn, type Finding, type FindingStatus, type Severity } from './finding.ts';

export const FAIL_ON_CHOICES: readonly FailOn[] = [...SEVERITIES, 'never'];

export interface FindingsSummary {
  total: number;
  bySeverity: Record<Severity, number>;
  byStatus: Record<FindingStatus, number>;
  failOn: FailOn;
  /** True when a finding that is not waived is at or above failOn: the command exits 1. */
  failed: boolean;
}

export function summarize(findings: readonly Finding[], failOn: FailOn): FindingsSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byStatus: Record<FindingStatus, number> = { new: 0, existing: 0, waived: 0 };
  let failed = false;
  for (const finding of findings) {
    bySeverity[finding.severity] += 1;
    byStatus[finding.status] += 1;
    if (finding.status !== 'waived' && meetsThreshold(finding.severity, failOn)) failed = true;
  }
  return { total: findings.length, bySeverity, byStatus, failOn, failed };
}
