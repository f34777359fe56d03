/**
 * The one Formatter type for findings and the map of all of them (as Spectral and conftest do): a formatter is a
 * pure function from the findings report to text; `--format` choices come from the map's keys, so adding a format
 * is one file and one entry here.
 */
import { ValidationError, type Problem, type ScopeguardError } from '../errors.ts';
import type { Finding } from '../findings/finding.ts';
import type { SourcePosition } from '../registry/model.ts';
import type { FindingsSummary } from '../findings/summary.ts';
import type { RuleMeta } from '../policy/bundle.ts';
import { formatText, formatTextProblems } from './text.ts';
import { formatJson, formatJsonProblems } from './json.ts';
import { formatMarkdown, formatMarkdownProblems } from './markdown.ts';
import { formatSarif, formatSarifProblems } from './sarif.ts';
import { formatGithub, formatGithubProblems } from './github.ts';
import { counted } from '../plural.ts';

export interface FindingsReport {
  findings: readonly Finding[];
  summary: FindingsSummary;
  /** Metadata of the rules that ran (titles, docs links, SARIF rule descriptors). */
  rules: readonly RuleMeta[];
}

export interface FormatContext {
  /** ANSI colours (text only): on when writing to a terminal and NO_COLOR is unset. */
  color: boolean;
  /** scopeguard's version, for tool descriptors. */
  version: string;
}

export type Formatter = (report: FindingsReport, context: FormatContext) => string;

export const FORMATTERS = {
  text: formatText,
  json: formatJson,
  markdown: formatMarkdown,
  sarif: formatSarif,
  github: formatGithub,
} satisfies Record<string, Formatter>;

export type OutputFormat = keyof typeof FORMATTERS;

export const OUTPUT_FORMATS = Object.keys(FORMATTERS) as OutputFormat[];

/** What stopped a command before it could judge anything: an invalid registry (every problem), a bad revision... */
export interface ProblemsReport {
  error: string;
  hint?: string;
  /** Each with its place; empty when the error is not about the registry's files. */
  problems: readonly Problem[];
}

export type ProblemsFormatter = (report: ProblemsReport, context: FormatContext) => string;

/** What a user error says, as a ProblemsReport: with its registry problems when it is a ValidationError. */
export function problemsReportOf(error: ScopeguardError): ProblemsReport {
  return {
    error: error.message,
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    problems: error instanceof ValidationError ? error.problems : [],
  };
}

/**
 * The formats that are written somewhere (a file, a pipe, a job summary) say so in their own terms, to stdout or
 * --output, so a pipe into jq, a SARIF upload, a workflow's annotations or a summary show why there are no findings;
 * text, which a person reads on the terminal, leaves it to the message on stderr.
 */
export const PROBLEM_FORMATTERS: Partial<Record<string, ProblemsFormatter>> = {
  text: formatTextProblems,
  json: formatJsonProblems,
  // `show --format yaml`: the JSON error document is YAML too
  yaml: formatJsonProblems,
  markdown: formatMarkdownProblems,
  sarif: formatSarifProblems,
  github: formatGithubProblems,
};


/** `file:line:column`, or '' when the finding has no location. */
export function locationText(finding: Finding): string {
  const l = finding.location;
  return l ? `${l.file}:${l.line}:${l.column}${atRevision(l)}` : '';
}

/** ` (at <commit>)` for a location at another revision than the one judged (an entry a change removed), else ''. */
export function atRevision(location: SourcePosition): string {
  return location.revision ? ` (at ${location.revision.slice(0, 12)})` : '';
}

/** The title of a rule, or its id when no metadata describes it. */
export function ruleTitle(rules: readonly RuleMeta[], ruleId: string): string {
  return rules.find((rule) => rule.id === ruleId)?.title ?? ruleId;
}

export function summaryLine(summary: FindingsSummary): string {
  const parts = (Object.entries(summary.bySeverity) as [string, number][]).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
  const existing = summary.byStatus.existing > 0 ? `, ${summary.byStatus.new} new, ${summary.byStatus.existing} existing` : '';
  const waived = `${existing}${summary.byStatus.waived > 0 ? `, ${summary.byStatus.waived} waived` : ''}`;
  const verdict = summary.failOn === 'never' ? 'fail-on never' : `fail-on ${summary.failOn}: ${summary.failed ? 'FAILED' : 'passed'}`;
  const total = counted(summary.total, 'finding');
  return `${total}${parts.length > 0 ? ` (${parts.join(', ')}${waived})` : ''}; ${verdict}`;
}
