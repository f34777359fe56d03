// Formatter details a spawned CLI cannot show: colour on a terminal, escaping of workflow-command properties.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.ts';
import { summarize } from '../../src/findings/summary.ts';
import { FORMATTERS, OUTPUT_FORMATS } from '../../src/report/formatter.ts';
import { escapeData, escapeProperty } from '../../src/report/github.ts';
import { readManifest } from '../../src/policy/bundle.ts';

const finding: Finding = {
  ruleId: 'SG104',
  severity: 'medium',
  tenant: 'acme',
  subject: 'scope:read.reports',
  message: 'scope read.reports has no actions in the action map',
  remediation: 'Add the scope to the ActionMap.',
  location: { file: 'scopes/a,b:c.yaml', line: 3, column: 3 },
  fingerprint: 'f'.repeat(64),
  status: 'new',
};
const report = { findings: [finding], summary: summarize([finding], 'high'), rules: readManifest().rules };

describe('formatters', () => {
  it('the --format choices are the keys of the one formatter map', () => {
    expect(OUTPUT_FORMATS).toEqual(['text', 'json', 'markdown', 'sarif', 'github']);
  });

  it('text is coloured only when the context says so', () => {
    const plain = FORMATTERS.text(report, { color: false, version: '0' });
    const coloured = FORMATTERS.text(report, { color: true, version: '0' });
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('\x1b[33mMEDIUM (1)\x1b[0m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('github escapes data and properties so a value cannot end or forge a command', () => {
    expect(escapeData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    expect(escapeProperty('scopes/a,b:c.yaml')).toBe('scopes/a%2Cb%3Ac.yaml');
    const out = FORMATTERS.github(report, { color: false, version: '0' });
    expect(out.split('\n')[0]).toBe(
      '::warning file=scopes/a%2Cb%3Ac.yaml,line=3,col=3,title=SG104 Scope with no actions in the action map::' +
        'scope read.reports has no actions in the action map [acme scope:read.reports]%0AAdd the scope to the ActionMap.',
    );
  });

  it('json keeps the documented field order and the summary', () => {
    const parsed = JSON.parse(FORMATTERS.json(report, { color: false, version: '0' })) as { findings: Record<string, unknown>[]; summary: unknown };
    expect(Object.keys(parsed.findings[0]!)).toEqual(['ruleId', 'severity', 'tenant', 'subject', 'message', 'remediation', 'location', 'fingerprint', 'status']);
    expect(parsed.summary).toEqual({ total: 1, bySeverity: { critical: 0, high: 0, medium: 1, low: 0, info: 0 }, byStatus: { new: 1, existing: 0, waived: 0 }, failOn: 'high', failed: false });
  });
});
