/** Human output: findings grouped by severity, most severe first; colour only when the context allows it. */
import type { Problem } from '../errors.ts';
import { SEVERITIES, type Severity } from '../findings/finding.ts';
import type { Formatter, ProblemsFormatter } from './formatter.ts';
import { locationText, summaryLine } from './formatter.ts';
import { escapeTerminal } from './escape.ts';

const COLOURS: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

export const formatText: Formatter = (report, context) => {
  const paint = (code: string, text: string): string => (context.color ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(paint(COLOURS[severity], `${severity.toUpperCase()} (${group.length})`));
    for (const finding of group) {
      // messages and waiver reasons carry YAML and log text: it must not drive the terminal
      const f = { ...finding, subject: escapeTerminal(finding.subject), message: escapeTerminal(finding.message), tenant: escapeTerminal(finding.tenant) };
      const where = escapeTerminal(locationText(f));
      // against a base revision, what the change did not introduce is marked so reviewers read the new first
      const existing = f.status === 'existing' ? `  ${paint(DIM, '(existing)')}` : '';
      lines.push(`  ${f.ruleId}  ${f.tenant}  ${f.subject}${where ? `  ${paint(DIM, where)}` : ''}${existing}`);
      lines.push(`    ${f.message}`);
      if (f.status === 'waived' && f.waivedBy) lines.push(`    waived until ${f.waivedBy.expires}: ${escapeTerminal(f.waivedBy.reason)}`);
      else if (f.remediation) lines.push(`    ${paint(DIM, `fix: ${escapeTerminal(f.remediation)}`)}`);
    }
    lines.push('');
  }
  if (report.findings.length === 0) lines.push('no findings');
  lines.push(summaryLine(report.summary));
  return `${lines.join('\n')}\n`;
};

/**
 * One registry problem as `file:line:column  message  (hint)`, the line `validate` prints and `check` writes to
 * stderr. Messages quote names from YAML: a newline in one must not start a forged `file:line:col` line that a
 * CI problem matcher would pick up, nor an escape sequence drive the terminal.
 */
export function formatProblemLine(p: Problem): string {
  return escapeTerminal(`${p.file}:${p.line}:${p.column}  ${p.message}${p.hint ? `  (${p.hint})` : ''}`);
}

/** The error as stderr shows it (cli/main.ts): each registry problem at its place, then the error and its hint. */
export const formatTextProblems: ProblemsFormatter = (report) => {
  const lines = report.problems.map(formatProblemLine);
  lines.push(escapeTerminal(`scopeguard: ${report.error}`), ...(report.hint ? [escapeTerminal(`  hint: ${report.hint}`)] : []));
  return `${lines.join('\n')}\n`;
};

