/**
 * SARIF 2.1.0 for code scanning: rule descriptors from the rule METADATA (with helpUri), results with a
 * physical location, partialFingerprints (our stable fingerprint) and suppressions for waived findings.
 */
import type { SourcePosition } from '../registry/model.ts';
import type { Severity } from '../findings/finding.ts';
import { DOCS_URL } from '../policy/bundle.ts';
import type { FormatContext, Formatter, ProblemsFormatter } from './formatter.ts';
import { jsonOutput } from './escape.ts';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning ranks security results by this property (0.1–10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.5' };

/** The log around one run of scopeguard, with its tool descriptor: the same for findings and for problems. */
function sarifLog(context: FormatContext, rules: object[], run: { invocations?: object[]; results: object[] }): string {
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'scopeguard', version: context.version, informationUri: DOCS_URL, rules } }, ...run }],
  };
  return `${jsonOutput(log, 2)}\n`;
}

function physicalLocation(position: SourcePosition): object {
  return { physicalLocation: { artifactLocation: { uri: relativeUri(position.file) }, region: { startLine: position.line, startColumn: position.column } } };
}

/** A relative file path as a URI reference: each segment encoded, so `#` and `?` in a name stay part of the path. */
function relativeUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export const formatSarif: Formatter = (report, context) => {
  const rules = [...report.rules];
  for (const f of report.findings) {
    if (!rules.some((rule) => rule.id === f.ruleId)) {
      rules.push({ id: f.ruleId, title: f.ruleId, description: '', severity: f.severity, remediation: '', mode: 'registry' });
    }
  }
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  // Code scanning ranks alerts by the rule's security-severity, not the result's level: a rule whose severity
  // scopeguard.yaml overrides carries the severity its findings have, the one this run judged by.
  const judged = new Map<string, Set<Severity>>();
  for (const f of report.findings) judged.set(f.ruleId, (judged.get(f.ruleId) ?? new Set<Severity>()).add(f.severity));
  const severityOf = (rule: (typeof rules)[number]): Severity => {
    const seen = judged.get(rule.id);
    return seen?.size === 1 ? [...seen][0]! : rule.severity;
  };
  const descriptors = rules.map((rule) => ({
    id: rule.id,
    name: rule.title,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description || rule.title },
    ...(rule.remediation ? { help: { text: rule.remediation } } : {}),
    ...(rule.docs ? { helpUri: rule.docs } : {}),
    defaultConfiguration: { level: LEVELS[severityOf(rule)] },
    properties: { tags: ['security', 'oauth', rule.mode], 'security-severity': SECURITY_SEVERITY[severityOf(rule)] },
  }));
  const results = report.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId) ?? 0,
    level: LEVELS[f.severity],
    message: { text: f.remediation ? `${f.message}. ${f.remediation}` : f.message },
    // a location at another revision (a removed entry, at base) would point code scanning at an unrelated line
    ...(f.location && !f.location.revision ? { locations: [physicalLocation(f.location)] } : {}),
    partialFingerprints: { 'scopeguardFingerprint/v1': f.fingerprint },
    ...(f.status === 'waived' && f.waivedBy
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.waivedBy.reason} (until ${f.waivedBy.expires})` }] }
      : {}),
    properties: { tenant: f.tenant, subject: f.subject, severity: f.severity, status: f.status },
  }));
  return sarifLog(context, descriptors, { results });
};

/** What each problem code (errors.ts) is, as a rule title in code scanning. */
const PROBLEM_TITLES: Record<string, string> = {
  yaml: 'Malformed YAML',
  'duplicate-key': 'Duplicate key or definition',
  schema: 'Value not allowed by the registry schema',
  'unknown-key': 'Unknown key',
  'unknown-kind': 'Unknown document kind',
  reference: 'Reference to an unknown scope or client',
  limit: 'Input over a safety limit',
  encoding: 'File not in UTF-8',
};

/**
 * A run that could not judge the registry: each problem is a result of the rule `registry/<code>` at its place, so
 * code scanning shows a broken line where it is, and the invocation is marked unsuccessful with the error.
 */
export const formatSarifProblems: ProblemsFormatter = (report, context) => {
  const codes = [...new Set(report.problems.map((p) => p.code))].sort();
  const ruleIndex = new Map(codes.map((code, index) => [code, index]));
  const descriptors = codes.map((code) => ({
    id: `registry/${code}`,
    name: PROBLEM_TITLES[code] ?? code,
    shortDescription: { text: PROBLEM_TITLES[code] ?? `Registry problem: ${code}` },
    helpUri: DOCS_URL,
    defaultConfiguration: { level: 'error' },
  }));
  const invocations = [
    { executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: report.hint ? `${report.error} (${report.hint})` : report.error } }] },
  ];
  const results = report.problems.map((p) => ({
    ruleId: `registry/${p.code}`,
    ruleIndex: ruleIndex.get(p.code) ?? 0,
    level: 'error',
    message: { text: p.hint ? `${p.message} (${p.hint})` : p.message },
    locations: [physicalLocation(p)],
  }));
  return sarifLog(context, descriptors, { invocations, results });
};
