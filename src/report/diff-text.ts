/** `scopeguard diff` as an aligned table for terminals and logs. */
import type { RegistryDiff } from '../diff/types.ts';
import { alignColumns } from './columns.ts';
import { changeLocation, revisionLabel } from './diff-common.ts';
import { escapeTerminal } from './escape.ts';

/** Control characters from YAML (newlines, terminal escapes) must not break rows or drive the terminal. */
// a line break in a description reads as a space in a table row; anything else that acts shows as U+FFFD
const cell = (text: string): string => escapeTerminal(text.replace(/\r\n?|[\n\t]/g, ' '));

export function formatDiffText(diff: RegistryDiff): string {
  const header = `${revisionLabel(diff, 'base')} → ${revisionLabel(diff, 'head')}: ${diff.classification}`;
  if (diff.changes.length === 0) return `${header}\nno semantic changes\n`;
  const rows = diff.changes.map((c) => [c.tenant, c.subject, c.detail, c.classification, changeLocation(c.location)].map(cell));
  const lines = alignColumns(['TENANT', 'SUBJECT', 'CHANGE', 'CLASS', 'LOCATION'], rows);
  const { breaking, widening, narrowing, neutral } = diff.summary;
  return `${header}\n${lines.join('\n')}\n\n${diff.changes.length} changes: ${breaking} breaking, ${widening} widening, ${narrowing} narrowing, ${neutral} neutral\n`;
}
