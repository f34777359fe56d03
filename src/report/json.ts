/** Machine output: every finding with its location, fingerprint and status, plus the summary. */
import type { Formatter } from './formatter.ts';

export const formatJson: Formatter = (report) => {
  const findings = report.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    tenant: f.tenant,
    subject: f.subject,
    message: f.message,
    remediation: f.remediation ?? null,
    location: f.location ? { file: f.location.file, line: f.location.line, column: f.location.column } : null,
    fingerprint: f.fingerprint,
    status: f.status,
    ...(f.evidence ? { evidence: f.evidence } : {}),
    ...(f.waivedBy ? { waivedBy: f.waivedBy } : {}),
  }));
  return `${JSON.stringify({ findings, summary: report.summary }, null, 2)}\n`;
};
