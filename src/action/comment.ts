/**
 * The pull-request comment and the job summary, rendered from one review result. Pure: no I/O, no environment.
 * Everything that came from YAML, git or the PR goes through src/report/escape.ts.
 */
import type { Finding, FailOn, Severity } from '../findings/finding.ts';
import { SEVERITIES } from '../findings/finding.ts';
import { sortFindings } from '../findings/finalize.ts';
import { escapeMarkdown, markdownCode } from '../report/escape.ts';
import type { ReviewResult, ScopeChange } from './review.ts';
import type { Problem } from '../errors.ts';
import { counted } from '../plural.ts';

/** GitHub rejects issue comments longer than this many characters. */
export const COMMENT_LIMIT: SizeLimit = { max: 65_536, sizeOf: (text) => text.length };
/** GitHub's job summary limit is 1 MiB per step, counted in bytes (one character of CJK text is three); stay below it. */
export const SUMMARY_LIMIT: SizeLimit = { max: 1_000_000, sizeOf: (text) => Buffer.byteLength(text, 'utf8') };

/** How large a text may be, in the unit the limit is counted in. */
export interface SizeLimit {
  max: number;
  sizeOf: (text: string) => number;
}

export interface RenderContext {
  /** The registry root as given in the `registry` input; part of the hidden marker. */
  registry: string;
  /** e.g. https://github.com */
  serverUrl: string;
  /** owner/name */
  repository: string;
  baseSha: string;
  headSha: string;
  /** Registry file paths are relative to the workspace; links need them relative to the repository root. */
  repoPath: (file: string) => string;
}

export type Verdict = 'pass' | 'fail';

export function stickyMarker(registry: string): string {
  // the marker is matched literally; keep it free of `--` so it cannot end the HTML comment early
  return `<!-- scopeguard:${registry.replace(/-{2,}/g, '-').replace(/>/g, '')} -->`;
}

export function verdictOf(result: ReviewResult): Verdict {
  return result.failed ? 'fail' : 'pass';
}

export function newFindings(result: ReviewResult): Finding[] {
  return sortFindings(result.findings.filter((f) => f.status === 'new'));
}

export function existingFindings(result: ReviewResult): Finding[] {
  return sortFindings(result.findings.filter((f) => f.status === 'existing'));
}

function countBySeverity(findings: Finding[]): string {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return SEVERITIES.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
}

function failOnText(failOn: FailOn): string {
  return `fail-on \`${failOn}\``;
}

export function verdictLine(result: ReviewResult): string {
  const fresh = newFindings(result);
  const counts = fresh.length === 0 ? 'no new findings' : `${counted(fresh.length, 'new finding')}: ${countBySeverity(fresh)}`;
  return verdictOf(result) === 'fail'
    ? `### ❌ scopeguard: fail — ${counts} (${failOnText(result.failOn)})`
    : `### ✅ scopeguard: pass — ${counts} (${failOnText(result.failOn)})`;
}

/** A Markdown table whose rows can be cut at a row boundary; what was cut is said under the table. */
interface Table {
  heading: string;
  header: string[];
  rows: string[][];
  /** Wrap the table in a folded <details> block with this summary. */
  folded?: string;
}

function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function renderTable(table: Table, shown: number, where: string): string {
  const lines = [tableRow(table.header), tableRow(table.header.map(() => '---')), ...table.rows.slice(0, shown).map(tableRow)];
  const cut = table.rows.length - shown;
  if (cut > 0) lines.push('', `_${cut} more — see ${where}._`);
  const body = lines.join('\n');
  if (table.folded) return `<details><summary>${table.folded}</summary>\n\n${table.heading}\n\n${body}\n\n</details>`;
  return `${table.heading}\n\n${body}`;
}

function severityCell(severity: Severity): string {
  const icon: Record<Severity, string> = { critical: '🔴', high: '🟠', medium: '🟡', low: '🔵', info: '⚪' };
  return `${icon[severity]} ${severity}`;
}

function classificationCell(classification: ScopeChange['classification']): string {
  const icon: Record<ScopeChange['classification'], string> = { breaking: '💥', widening: '⬆️', narrowing: '⬇️', neutral: '➖' };
  return `${icon[classification]} ${classification}`;
}

/** Link to the line at the head commit; every part of the URL that came from the repository is percent-encoded. */
export function blobLink(context: RenderContext, file: string, line: number | undefined, revision = context.headSha): string {
  const path = context.repoPath(file).split('/').map(encodeURIComponent).join('/');
  const url = `${context.serverUrl}/${context.repository.split('/').map(encodeURIComponent).join('/')}/blob/${encodeURIComponent(revision)}/${path}${line ? `#L${line}` : ''}`;
  return `[${escapeMarkdown(line ? `${file}:${line}` : file)}](${url})`;
}

function findingRow(f: Finding, context: RenderContext, withLink: boolean): string[] {
  // a removed entry is located at base: linked there, not at whatever head has on that line
  const location = f.location ? (withLink ? blobLink(context, f.location.file, f.location.line, f.location.revision) : escapeMarkdown(`${f.location.file}:${f.location.line}`)) : '';
  return [severityCell(f.severity), markdownCode(f.ruleId), `${escapeMarkdown(f.tenant)} ${markdownCode(f.subject)}`, escapeMarkdown(f.message), location];
}

function changeRow(c: ScopeChange): string[] {
  const change = escapeMarkdown(c.detail || c.kind);
  return [escapeMarkdown(c.tenant), markdownCode(c.subject), change, classificationCell(c.classification)];
}

export interface RenderOptions {
  limit: SizeLimit;
  /** Where the cut rows can be read: "the job summary" for the comment. */
  overflowWhere: string;
  /** The comment's short form when nothing new was found: verdict, scope diff, footer. */
  allClear?: boolean;
}

/** The sticky comment (with its hidden marker) or, with a larger limit, the job summary. */
export function renderReview(result: ReviewResult, context: RenderContext, options: RenderOptions): string {
  const fresh = newFindings(result);
  const existing = existingFindings(result);
  const waived = result.findings.filter((f) => f.status === 'waived').length;

  const head: string[] = [stickyMarker(context.registry), verdictLine(result)];
  if (result.ruleChanges.length > 0) {
    head.push(
      `> [!WARNING]\n> This pull request changes the rules that judge it. They were applied from the **base** revision and take effect after merge:\n` +
        result.ruleChanges.map((file) => `> - ${escapeMarkdown(file)}`).join('\n'),
    );
  }
  if (result.notices.length > 0) head.push(result.notices.map((n) => `> ${escapeMarkdown(n)}`).join('\n>\n'));

  const tables: Table[] = [];
  if (!options.allClear && fresh.length > 0) {
    tables.push({
      heading: `#### New findings (${fresh.length})`,
      header: ['Severity', 'Rule', 'Subject', 'Message', 'Location'],
      rows: fresh.map((f) => findingRow(f, context, true)),
    });
  }
  if (result.changes.length > 0) {
    tables.push({
      heading: `#### Scope changes (${result.changes.length})`,
      header: ['Tenant', 'Subject', 'Change', 'Classification'],
      rows: result.changes.map(changeRow),
    });
  } else {
    head.push('_No semantic changes to the scope registry._');
  }
  if (!options.allClear && existing.length > 0) {
    tables.push({
      heading: `#### Pre-existing findings (${existing.length})`,
      header: ['Severity', 'Rule', 'Subject', 'Message', 'Location'],
      rows: existing.map((f) => findingRow(f, context, true)),
      folded: `Pre-existing findings (${existing.length}), not introduced by this pull request`,
    });
  }

  const footerParts = [
    `base \`${context.baseSha.slice(0, 12)}\``,
    `head \`${context.headSha.slice(0, 12)}\``,
    `policy bundle ${markdownCode(result.policyVersion, { table: false })}`,
  ];
  if (waived > 0) footerParts.push(`${waived} waived`);
  if (options.allClear && existing.length > 0) footerParts.push(`${counted(existing.length, 'pre-existing finding')} in the job summary`);
  const footer = `<sub>scopeguard · ${footerParts.join(' · ')}</sub>`;

  const shown = fitRows(tables, options.limit.sizeOf(head.join('\n\n')) + options.limit.sizeOf(footer), options);
  const body = [...head, ...tables.map((t, i) => renderTable(t, shown[i] ?? 0, options.overflowWhere)), footer];
  return body.join('\n\n') + '\n';
}

/**
 * How many rows of each table fit within the limit, filling tables in order (new findings first, pre-existing last).
 * Budgets from row lengths, so thousands of rows cost one pass, then a check on the real rendering as a safety net.
 */
function fitRows(tables: Table[], fixedSize: number, options: RenderOptions): number[] {
  const { max, sizeOf } = options.limit;
  const render = (shown: number[]): number =>
    fixedSize + tables.reduce((sum, t, i) => sum + sizeOf(renderTable(t, shown[i] ?? 0, options.overflowWhere)) + 2, 0) + 4;
  const all = tables.map((t) => t.rows.length);
  if (render(all) <= max) return all;

  const overflowNote = 80 + sizeOf(options.overflowWhere);
  let budget = max - fixedSize - tables.reduce((sum, t) => sum + sizeOf(renderTable(t, 0, options.overflowWhere)) + overflowNote, 0) - 16;
  const shown = tables.map(() => 0);
  for (const [i, table] of tables.entries()) {
    for (const row of table.rows) {
      const length = sizeOf(tableRow(row)) + 1;
      if (length > budget) break;
      budget -= length;
      shown[i] = (shown[i] ?? 0) + 1;
    }
    if ((shown[i] ?? 0) < table.rows.length) break;
  }
  // a single enormous cell could still overflow: drop rows from the last table that shows any until it fits
  while (render(shown) > max) {
    const last = shown.findLastIndex((n) => n > 0);
    if (last < 0) break;
    shown[last] = (shown[last] ?? 1) - 1;
  }
  return shown;
}

/** The comment when the registry (at head, or at base) does not load: what is wrong and where, so the author can fix it. */
export function renderInvalid(problems: readonly Problem[], message: string, context: RenderContext, options: RenderOptions): string {
  const head = [
    stickyMarker(context.registry),
    '### ❌ scopeguard: fail — the registry does not load',
    escapeMarkdown(message),
  ];
  const tables: Table[] =
    problems.length === 0
      ? []
      : [
          {
            heading: `#### Problems (${problems.length})`,
            header: ['Location', 'Problem'],
            rows: problems.map((p) => [
              blobLink(context, p.file, p.line),
              `${escapeMarkdown(p.message)}${p.hint ? ` — ${escapeMarkdown(p.hint)}` : ''}`,
            ]),
          },
        ];
  const footer = `<sub>scopeguard · base \`${context.baseSha.slice(0, 12)}\` · head \`${context.headSha.slice(0, 12)}\`</sub>`;
  const shown = fitRows(tables, options.limit.sizeOf(head.join('\n\n')) + options.limit.sizeOf(footer), options);
  return [...head, ...tables.map((t, i) => renderTable(t, shown[i] ?? 0, options.overflowWhere)), footer].join('\n\n') + '\n';
}
