/**
 * SARIF 2.1.0 for code scanning: rule descriptors from the rule METADATA (with helpUri), results with a
 * physical location, partialFingerprints (our stable fingerprint) and suppressions for waived findings.
 */
import type { Severity } from '../findings/finding.ts';
import { DOCS_URL } from '../policy/bundle.ts';
import type { Formatter } from './formatter.ts';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning ranks security results by this property (0.1–10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.5' };

export const formatSarif: Formatter = (report, context) => {
  const rules = [...report.rules];
  for (const f of report.findings) {
    if (!rules.some((rule) => rule.id === f.ruleId)) {
      rules.push({ id: f.ruleId, title: f.ruleId, description: '', severity: f.severity, remediation: '', mode: 'registry', docs: DOCS_URL });
    }
  }
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'scopeguard',
            version: context.version,
            informationUri: DOCS_URL,
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.title,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.description || rule.title },
              ...(rule.remediation ? { help: { text: rule.remediation } } : {}),
              helpUri: rule.docs,
              defaultConfiguration: { level: LEVELS[rule.severity] },
              properties: { tags: ['security', 'oauth', rule.mode], 'security-severity': SECURITY_SEVERITY[rule.severity] },
            })),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIndex.get(f.ruleId) ?? 0,
          level: LEVELS[f.severity],
          message: { text: f.remediation ? `${f.message}. ${f.remediation}` : f.message },
          ...(f.location
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: encodeURI(f.location.file) },
                      region: { startLine: f.location.line, startColumn: f.location.column },
                    },
                  },
                ],
              }
            : {}),
          partialFingerprints: { 'scopeguardFingerprint/v1': f.fingerprint },
          ...(f.status === 'waived' && f.waivedBy
            ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.waivedBy.reason} (until ${f.waivedBy.expires})` }] }
            : {}),
          properties: { tenant: f.tenant, subject: f.subject, severity: f.severity, status: f.status },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
