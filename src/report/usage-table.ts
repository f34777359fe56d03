/**
 * Formatters for the least-privilege usage table (`scopeguard usage`), one typed map like the findings formatters.
 * Pure functions of the rows; untrusted names pass through the escape module for Markdown.
 */
import type { ClientUsageRow } from '../usage/least-privilege.ts';
import { escapeMarkdown, markdownCode, jsonOutput } from './escape.ts';
import { alignColumns } from './columns.ts';
import { counted } from '../plural.ts';

export interface UsageReport {
  window: { since: string; until: string; days: number };
  clients: readonly ClientUsageRow[];
}

export type UsageFormatter = (report: UsageReport) => string;

export const USAGE_FORMATTERS = {
  table: formatUsageTable,
  json: (report: UsageReport) => `${jsonOutput(report, 2)}\n`,
  markdown: formatUsageMarkdown,
} satisfies Record<string, UsageFormatter>;

export type UsageFormat = keyof typeof USAGE_FORMATTERS;
export const USAGE_FORMATS = Object.keys(USAGE_FORMATTERS) as UsageFormat[];


export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

export function day(iso: string | undefined): string {
  return iso ? iso.slice(0, 10) : 'never';
}

const DAY_MS = 86_400_000;

/**
 * A usage window as a reader takes it: its first and last day, and its length. The window ends before `until`
 * (`--until 2026-11-19` stops at the start of that day), so the last day shown is the one before an `until` at
 * midnight; a window of part of a day is counted in hours.
 */
export function windowSpan(window: UsageReport['window']): { first: string; last: string; length: string } {
  const since = Date.parse(window.since);
  const until = Date.parse(window.until);
  const span = until - since;
  const length = span % DAY_MS === 0 ? counted(span / DAY_MS, 'day') : counted(Math.max(1, Math.round(span / 3_600_000)), 'hour');
  return { first: day(window.since), last: day(new Date(Math.max(since, until - 1)).toISOString()), length };
}

function formatUsageTable(report: UsageReport): string {
  const span = windowSpan(report.window);
  const lines = [`usage ${span.first} .. ${span.last} (${span.length})`];
  if (report.clients.length === 0) return `${lines[0]}\nno clients\n`;
  const header = ['tenant', 'client', 'scope', 'sensitivity', 'issued', 'exercised', 'last used', 'score'];
  const rows: string[][] = [];
  for (const client of report.clients) {
    if (client.granted.length === 0) rows.push([client.tenant, client.client, '(none)', '', '', '', '', percent(client.score)]);
    client.granted.forEach((scope, index) => {
      rows.push([
        index === 0 ? client.tenant : '',
        index === 0 ? client.client : '',
        scope.used ? scope.scope : `${scope.scope} (unused)`,
        scope.sensitivity,
        String(scope.issued),
        // judged by tokens issued (no mapped actions, or no request logs): requests are not the measure
        scope.usedBy === 'requests' ? String(scope.exercised) : '-',
        day(scope.lastUsed),
        index === 0 ? percent(client.score) : '',
      ]);
    });
  }
  lines.push(...alignColumns(header, rows, { rule: true }));
  return `${lines.join('\n')}\n`;
}

function formatUsageMarkdown(report: UsageReport): string {
  const span = windowSpan(report.window);
  const lines = [
    `### Scope usage ${span.first} to ${span.last} (${span.length})`,
    '',
    '| tenant | client | least privilege | granted | used | unused scopes |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const c of report.clients) {
    const unused = c.granted.filter((s) => !s.used).map((s) => markdownCode(s.scope)).join(', ') || '—';
    lines.push(`| ${escapeMarkdown(c.tenant)} | ${escapeMarkdown(c.client)} | ${percent(c.score)} | ${c.granted.length} | ${c.usedCount} | ${unused} |`);
  }
  return `${lines.join('\n')}\n`;
}
