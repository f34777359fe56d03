/**
 * How a RegistryDiff is written out: one pure function per format, one map, so `--format` choices come from its
 * keys. Text and Markdown are tables of tenant, subject, change, classification and location.
 */
import type { SourcePosition } from '../registry/model.ts';
import type { RegistryDiff } from '../diff/types.ts';
import { escapeMarkdown, markdownCode } from './escape.ts';

export type DiffFormatter = (diff: RegistryDiff) => string;

const where = (location?: SourcePosition): string => (location ? `${location.file}:${location.line}` : '');
const sideLabel = (diff: RegistryDiff, side: 'base' | 'head'): string => {
  const label = diff[side];
  if (!label) return side;
  return label.commit ? `${label.ref} (${label.commit.slice(0, 12)})` : label.ref;
};

export function formatDiffText(diff: RegistryDiff): string {
  const header = `${sideLabel(diff, 'base')} → ${sideLabel(diff, 'head')}: ${diff.classification}`;
  if (diff.changes.length === 0) return `${header}\nno semantic changes\n`;
  const rows = [['TENANT', 'SUBJECT', 'CHANGE', 'CLASS', 'LOCATION'], ...diff.changes.map((c) => [c.tenant, c.subject, c.detail, c.classification, where(c.location)])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  const { breaking, widening, narrowing, neutral } = diff.summary;
  return `${header}\n${lines.join('\n')}\n\n${diff.changes.length} changes: ${breaking} breaking, ${widening} widening, ${narrowing} narrowing, ${neutral} neutral\n`;
}

export function formatDiffMarkdown(diff: RegistryDiff): string {
  const verdict = `**Scope registry change: ${diff.classification}** (${escapeMarkdown(sideLabel(diff, 'base'))} → ${escapeMarkdown(sideLabel(diff, 'head'))})`;
  if (diff.changes.length === 0) return `${verdict}\n\nNo semantic changes.\n`;
  const rows = diff.changes.map(
    (c) => `| ${markdownCode(c.tenant)} | ${markdownCode(c.subject)} | ${escapeMarkdown(c.detail)} | ${c.classification} | ${c.location ? markdownCode(where(c.location)) : ''} |`,
  );
  return `${verdict}\n\n| Tenant | Subject | Change | Classification | Location |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;
}

export function formatDiffJson(diff: RegistryDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

export const DIFF_FORMATTERS = {
  text: formatDiffText,
  json: formatDiffJson,
  markdown: formatDiffMarkdown,
} satisfies Record<string, DiffFormatter>;

export type DiffFormat = keyof typeof DIFF_FORMATTERS;
