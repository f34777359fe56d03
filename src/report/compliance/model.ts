/**
 * The compliance report's data: everything the Markdown, JSON, HTML and SARIF renderings show, computed once.
 * report.json is this model as stored, and the next report reads it back for the trend, so its shape is a contract:
 * extend it, rename nothing.
 */
import type { Finding, Severity } from '../../findings/finding.ts';
import type { FindingsSummary } from '../../findings/summary.ts';
import type { ClientUsageRow } from '../../usage/least-privilege.ts';
import type { HistoryEntry } from '../../git/history.ts';
import { counted } from '../../plural.ts';
import { windowSpan } from '../usage-table.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface TrendEntry {
  ruleId: string;
  severity: Severity;
  subject: string;
  message: string;
  fingerprint: string;
}

/** A commit in the report's "registry changes" section: the same entry `scopeguard history` shows. */
export type RegistryChangeEntry = HistoryEntry;

export interface HistoryPoint {
  date: string;
  open: number;
  bySeverity: Record<Severity, number>;
}

export interface ComplianceReport {
  schemaVersion: number;
  tool: { name: 'scopeguard'; version: string };
  tenant: string;
  /** YYYY-MM-DD: the report's folder. */
  date: string;
  generatedAt: string;
  verdict: 'pass' | 'fail';
  failOn: FindingsSummary['failOn'];
  /** Counts of open (not waived) findings. */
  counts: { open: number; waived: number; bySeverity: Record<Severity, number> };
  usage: { available: true; window: { since: string; until: string; days: number }; events: number } | { available: false; reason: string };
  /** Against the previous report: findings new, fixed (gone), newly waived (open then, waived now), still open. */
  trend: { previous?: string; new: TrendEntry[]; fixed: TrendEntry[]; waived: TrendEntry[]; stillOpen: number };
  registryChanges: { available: true; since: string; commits: RegistryChangeEntry[] } | { available: false; reason: string };
  history: HistoryPoint[];
  leastPrivilege: ClientUsageRow[];
  /** Every finding of the tenant (open and waived), sorted as the check sorts them. */
  findings: Finding[];
}

/**
 * The report's sentence about the usage window, shared by the Markdown and HTML reports; `escape` is the format's
 * escaping for the one untrusted part, the reason usage was not analysed (dates and counts are the tool's own).
 */
export function usageSentence(usage: ComplianceReport['usage'], escape: (text: string) => string): string {
  if (!usage.available) return `Usage not analysed: ${escape(usage.reason)}.`;
  const span = windowSpan(usage.window);
  return `Usage window ${span.first} to ${span.last} (${span.length}, ${counted(usage.events, 'event')}).`;
}
