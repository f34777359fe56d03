/**
 * GitHub Actions workflow commands (as Spectral's github-actions formatter): one annotation per finding that is not
 * waived, severity mapped to error / warning / notice, data and properties escaped so a newline or a comma in a
 * message cannot end the command or forge another one. The runner prints annotations in the job log and GitHub shows
 * them beside the diff, so text from YAML is neutralised first (escape.ts): no ANSI escape recolours the log, no
 * bidirectional override makes a name read as another, and a newline in a name does not add a line of its own.
 */
import type { Severity } from '../findings/finding.ts';
import type { Formatter, ProblemsFormatter } from './formatter.ts';
import { ruleTitle, summaryLine } from './formatter.ts';
import { neutralise } from './escape.ts';

const COMMANDS: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

/**
 * Workflow-command data as GitHub specifies it (%, CR, LF as %25, %0D, %0A), after the characters that act (controls,
 * bidirectional overrides) became U+FFFD; line breaks are the command's own to encode.
 */
export function escapeData(text: string): string {
  return neutralise(text, { keepLineBreaks: true }).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
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
    // one line per field: a line break inside one (from YAML) shows as U+FFFD, like on a terminal
    const message = `${neutralise(f.message)} [${neutralise(f.tenant)} ${neutralise(f.subject)}]${f.remediation ? `\n${neutralise(f.remediation)}` : ''}`;
    lines.push(`::${COMMANDS[f.severity]} ${properties.join(',')}::${escapeData(message)}`);
  }
  lines.push(summaryLine(report.summary));
  return `${lines.join('\n')}\n`;
};

/** One error annotation per problem, at its place in the file, then the error itself (unplaced). */
export const formatGithubProblems: ProblemsFormatter = (report) => {
  const lines = report.problems.map((p) => {
    const properties = [`file=${escapeProperty(p.file)}`, `line=${p.line}`, `col=${p.column}`, `title=${escapeProperty(`scopeguard: ${p.code}`)}`];
    return `::error ${properties.join(',')}::${escapeData(p.hint ? `${neutralise(p.message)}\n${neutralise(p.hint)}` : neutralise(p.message))}`;
  });
  const error = neutralise(report.error);
  lines.push(`::error title=scopeguard::${escapeData(report.hint ? `${error}\n${neutralise(report.hint)}` : error)}`);
  return `${lines.join('\n')}\n`;
};
