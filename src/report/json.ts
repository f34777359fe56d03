/** Machine output: every finding with its location, fingerprint and status, plus the summary. */
import type { Problem } from '../errors.ts';
import type { Formatter, ProblemsFormatter } from './formatter.ts';
import { jsonOutput } from './escape.ts';

/** One problem as JSON: every key always there (hint null when there is none), as consumers index them. */
export function jsonProblem(p: Problem): { file: string; line: number; column: number; code: string; message: string; hint: string | null } {
  return { file: p.file, line: p.line, column: p.column, code: p.code, message: p.message, hint: p.hint ?? null };
}

/** `{"error", "hint", "problems"}`: what stopped the command, in place of the findings. */
export const formatJsonProblems: ProblemsFormatter = (report) =>
  `${jsonOutput({ error: report.error, hint: report.hint ?? null, problems: report.problems.map(jsonProblem) }, 2)}\n`;

export const formatJson: Formatter = (report) => {
  const findings = report.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    tenant: f.tenant,
    subject: f.subject,
    message: f.message,
    remediation: f.remediation ?? null,
    location: f.location ? { file: f.location.file, line: f.location.line, column: f.location.column, ...(f.location.revision ? { revision: f.location.revision } : {}) } : null,
    fingerprint: f.fingerprint,
    status: f.status,
    ...(f.evidence ? { evidence: f.evidence } : {}),
    ...(f.waivedBy ? { waivedBy: f.waivedBy } : {}),
  }));
  return `${jsonOutput({ findings, summary: report.summary }, 2)}\n`;
};
