/** `scopeguard diff` as an aligned table for terminals and logs. */
import type { RegistryDiff } from '../diff/types.ts';
import { changeLocation, revisionLabel } from './diff-common.ts';

/** Control characters from YAML (newlines, terminal escapes) must not break rows or drive the terminal. */
const cell = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function formatDiffText(diff: RegistryDiff): string {
  const header = `${revisionLabel(diff, 'base')} → ${revisionLabel(diff, 'head')}: ${diff.classification}`;
  if (diff.changes.length === 0) return `${header}\nno semantic changes\n`;
  const rows = [['TENANT', 'SUBJECT', 'CHANGE', 'CLASS', 'LOCATION'], ...diff.changes.map((c) => [c.tenant, c.subject, c.detail, c.classification, changeLocation(c.location)].map(cell))];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  const { breaking, widening, narrowing, neutral } = diff.summary;
  return `${header}\n${lines.join('\n')}\n\n${diff.changes.length} changes: ${breaking} breaking, ${widening} widening, ${narrowing} narrowing, ${neutral} neutral\n`;
}
