/**
 * Formatters for the least-privilege usage table (`scopeguard usage`), one typed map like the findings formatters.
 * Pure functions of the rows; untrusted names pass through the escape module for Markdown.
 */
import type { ClientUsageRow } from '../usage/least-privilege.ts';
import { escapeMarkdown, markdownCode } from './escape.ts';
import { alignColumns } from './columns.ts';

export interface UsageReport {
  window: { since: string; until: string; days: number };
  clients: readonly ClientUsageRow[];
}

export type UsageFormatter = (report: UsageReport) => string;

export const USAGE_FORMATTERS = {
  table: formatUsageTable,
  json: (report: UsageReport) => `${JSON.stringify(report, null, 2)}\n`,
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

function formatUsageTable(report: UsageReport): string {
  const lines = [`usage ${day(report.window.since)} .. ${day(report.window.until)} (${report.window.days} days)`];
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
  const lines = [
    `### Scope usage ${day(report.window.since)} to ${day(report.window.until)} (${report.window.days} days)`,
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
