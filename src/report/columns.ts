/** Aligned plain-text columns for terminal tables (`diff`, `usage`, `logs query`): one layout rule everywhere. */

export interface ColumnOptions {
  /** A row of dashes under the header. */
  rule?: boolean;
  /** Cells longer than this are cut with an ellipsis. */
  maxWidth?: number;
}

/** Header and rows as lines, columns two spaces apart, no trailing spaces. Cells must already be terminal-safe. */
export function alignColumns(header: readonly string[], rows: readonly (readonly string[])[], options: ColumnOptions = {}): string[] {
  const limit = options.maxWidth ?? Number.POSITIVE_INFINITY;
  const widths = header.map((h, c) => Math.min(limit, Math.max(h.length, ...rows.map((row) => row[c]?.length ?? 0))));
  const fit = (text: string, c: number): string => (text.length > widths[c]! ? `${text.slice(0, widths[c]! - 1)}…` : text.padEnd(widths[c]!));
  const render = (row: readonly string[]): string => row.map(fit).join('  ').trimEnd();
  return [render(header), ...(options.rule ? [render(widths.map((w) => '-'.repeat(w)))] : []), ...rows.map(render)];
}
