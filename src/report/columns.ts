/** Aligned plain-text columns for terminal tables (`diff`, `usage`, `logs query`): one layout rule everywhere. */
import { escapeTerminal } from './escape.ts';

export interface ColumnOptions {
  /** A row of dashes under the header. */
  rule?: boolean;
  /** Cells longer than this are cut with an ellipsis. */
  maxWidth?: number;
}

/**
 * Header and rows as lines, columns two spaces apart, no trailing spaces. Cells hold names from YAML and logs: every
 * control or bidi character in them shows as U+FFFD (a line break or tab too, which would break the row).
 */
export function alignColumns(header: readonly string[], allRows: readonly (readonly string[])[], options: ColumnOptions = {}): string[] {
  const rows = allRows.map((row) => row.map((cell) => escapeTerminal(cell)));
  const limit = options.maxWidth ?? Number.POSITIVE_INFINITY;
  const widths = header.map((h, c) => Math.min(limit, Math.max(h.length, ...rows.map((row) => row[c]?.length ?? 0))));
  const fit = (text: string, c: number): string => (text.length > widths[c]! ? `${text.slice(0, widths[c]! - 1)}…` : text.padEnd(widths[c]!));
  const render = (row: readonly string[]): string => row.map(fit).join('  ').trimEnd();
  return [render(header), ...(options.rule ? [render(widths.map((w) => '-'.repeat(w)))] : []), ...rows.map(render)];
}
