/**
 * GitHub Actions workflow commands (as Spectral's github-actions formatter): one annotation per finding that is not
 * waived, severity mapped to error / warning / notice, data and properties escaped so a newline or a comma in a
 * message cannot end the command or forge another one.
 */
import type { Severity } from '../findings/finding.ts';
import type { Formatter, ProblemsFormatter } from './formatter.ts';
import { ruleTitle, summaryLine } from './formatter.ts';

const COMMANDS: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const formatGithub: Formatter = (report) => {
  const lines: string[] = [];
  for (const f of report.findings) {
    if (f.status === 'waived') continue;
    const properties: string[] = [];
    // a location at another revision (a removed entry, at base) is no line of the change under review
    if (f.location && !f.location.revision) {
      properties.push(`file=${escapeProperty(f.location.file)}`, `line=${f.location.line}`, `col=${f.location.column}`);
    }
    properties.push(`title=${escapeProperty(`${f.ruleId} ${ruleTitle(report.rules, f.ruleId)}`)}`);
    const message = `${f.message} [${f.tenant} ${f.subject}]${f.remediation ? `\n${f.remediation}` : ''}`;
    lines.push(`::${COMMANDS[f.severity]} ${properties.join(',')}::${escapeData(message)}`);
  }
  lines.push(summaryLine(report.summary));
  return `${lines.join('\n')}\n`;
};

/** One error annotation per problem, at its place in the file, then the error itself (unplaced). */
export const formatGithubProblems: ProblemsFormatter = (report) => {
  const lines = report.problems.map((p) => {
    const properties = [`file=${escapeProperty(p.file)}`, `line=${p.line}`, `col=${p.column}`, `title=${escapeProperty(`scopeguard: ${p.code}`)}`];
    return `::error ${properties.join(',')}::${escapeData(p.hint ? `${p.message}\n${p.hint}` : p.message)}`;
  });
  lines.push(`::error title=scopeguard::${escapeData(report.hint ? `${report.error}\n${report.hint}` : report.error)}`);
  return `${lines.join('\n')}\n`;
};
