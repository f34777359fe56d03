/** Markdown for job summaries and PR comments: verdict first, then a table. Everything from YAML is escaped. */
import { escapeMarkdown, markdownCode, markdownLinkTarget } from './escape.ts';
import type { Formatter, ProblemsFormatter } from './formatter.ts';
import { atRevision, summaryLine } from './formatter.ts';

export const formatMarkdown: Formatter = (report) => {
  const { summary } = report;
  const verdict = summary.failed ? '❌ **scopeguard check failed**' : '✅ **scopeguard check passed**';
  const lines = [`${verdict}: ${escapeMarkdown(summaryLine(summary))}`, ''];
  if (report.findings.length === 0) return `${lines.join('\n')}\nNo findings.\n`;
  lines.push('| Severity | Rule | Tenant | Subject | Finding | Location | Status |', '|---|---|---|---|---|---|---|');
  for (const f of report.findings) {
    const docs = report.rules.find((rule) => rule.id === f.ruleId)?.docs;
    const target = docs === undefined ? undefined : markdownLinkTarget(docs);
    const rule = target ? `[${escapeMarkdown(f.ruleId)}](${target})` : escapeMarkdown(f.ruleId);
    const where = f.location ? markdownCode(`${f.location.file}:${f.location.line}${atRevision(f.location)}`) : '';
    const status = f.status === 'waived' && f.waivedBy ? `waived until ${escapeMarkdown(f.waivedBy.expires)}` : f.status;
    lines.push(
      `| ${f.severity} | ${rule} | ${escapeMarkdown(f.tenant)} | ${markdownCode(f.subject)} | ${escapeMarkdown(f.message)} | ${where} | ${status} |`,
    );
  }
  return `${lines.join('\n')}\n`;
};

/** A run that could not judge: the error, then a table of the registry's problems at their places. */
export const formatMarkdownProblems: ProblemsFormatter = (report) => {
  const lines = [`❌ **scopeguard could not run**: ${escapeMarkdown(report.error)}`];
  if (report.hint) lines.push('', `Hint: ${escapeMarkdown(report.hint)}`);
  if (report.problems.length > 0) {
    lines.push('', '| Location | Problem |', '|---|---|');
    for (const p of report.problems) {
      lines.push(`| ${markdownCode(`${p.file}:${p.line}:${p.column}`)} | ${escapeMarkdown(p.message)}${p.hint ? ` — ${escapeMarkdown(p.hint)}` : ''} |`);
    }
  }
  return `${lines.join('\n')}\n`;
};
