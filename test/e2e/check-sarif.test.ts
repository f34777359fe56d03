// The SARIF output validated against the official SARIF 2.1.0 JSON schema (test/fixtures/sarif/README.md).
import { describe, expect, it } from 'vitest';
import { CLEAN, CLIENTS, SCOPES, projectWith, sarifValidator, scopeguardIn } from './check-support.ts';

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; helpUri: string; shortDescription: { text: string } }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      partialFingerprints: Record<string, string>;
      locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
      suppressions?: unknown[];
    }[];
  }[];
}

describe('scopeguard check --format sarif', () => {
  const run = scopeguardIn(process.cwd(), ['check', '--format', 'sarif', '--now', '2026-11-25']);
  const log = JSON.parse(run.stdout) as SarifLog;

  it('is valid SARIF 2.1.0', () => {
    const validate = sarifValidator();
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(run.status).toBe(1);
  });

  it('a waived finding is a valid result with an accepted external suppression', () => {
    const dir = projectWith({
      ...CLEAN,
      'scopes/clients.yaml': `${CLIENTS}      - write.orders\n`,
      'scopes/exceptions.yaml': 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - rule: SG106\n    subject: client:shop/scope:read.orders\n    reason: migration\n    expires: 2027-01-01\n',
    });
    const waived = JSON.parse(scopeguardIn(dir, ['check', '--format', 'sarif', '--now', '2026-11-25']).stdout) as SarifLog;
    expect(sarifValidator()(waived)).toBe(true);
    expect(waived.runs[0]!.results[0]!.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'migration (until 2027-01-01)' }]);
  });

  it('the validator rejects a broken log (the test can fail)', () => {
    const validate = sarifValidator();
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ruleId: 'SG101', level: 'fatal', message: { text: 'x' } }] }] })).toBe(false);
  });

  it('carries rule metadata with helpUri, partial fingerprints and physical locations', () => {
    const [sarifRun] = log.runs;
    const rules = sarifRun!.tool.driver.rules;
    expect(rules.find((r) => r.id === 'SG103')).toMatchObject({
      helpUri: 'https://github.com/scopeguard/scopeguard#sg103',
      shortDescription: { text: 'Public client holds a high or critical scope' },
    });
    expect(sarifRun!.results).toHaveLength(8);
    for (const result of sarifRun!.results) {
      expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.partialFingerprints['scopeguardFingerprint/v1']).toMatch(/^[0-9a-f]{64}$/);
      const location = result.locations![0]!.physicalLocation;
      expect(location.artifactLocation.uri).toMatch(/^scopes\/(acme|globex)\/[\w.]+\.yaml$/);
      expect(location.region.startLine).toBeGreaterThan(0);
    }
    expect(sarifRun!.results.find((r) => r.ruleId === 'SG103')!.level).toBe('error');
  });

  it('a file name with # or ? or a space is one path in the uri, not a fragment or a query', () => {
    const dir = projectWith({ ...CLEAN, 'scopes/scopes.yaml': SCOPES.replace('sensitivity: medium', 'sensitivity: high'), 'scopes/clients.yaml': '', 'scopes/team #2?.yaml': `${CLIENTS}  web:\n    clientId: 0oa-web\n    type: public\n    scopes: [write.orders]\n` });
    const located = JSON.parse(scopeguardIn(dir, ['check', '--format', 'sarif', '--now', '2026-11-25']).stdout) as SarifLog;
    const uris = new Set(located.runs[0]!.results.flatMap((r) => r.locations ?? []).map((l) => l.physicalLocation.artifactLocation.uri));
    expect(uris).toContain('scopes/team%20%232%3F.yaml');
    for (const uri of uris) expect(decodeURIComponent(new URL(uri, 'file:///repo/').pathname.slice('/repo/'.length))).toMatch(/^scopes\/[^#?]+\.yaml$|^scopes\/team #2\?\.yaml$/);
  });

  it('a rule whose severity scopeguard.yaml overrides carries that severity in its descriptor, which code scanning ranks by', () => {
    const dir = projectWith({ ...CLEAN, 'scopes/scopes.yaml': SCOPES.replace('sensitivity: medium', 'sensitivity: high'), 'scopes/clients.yaml': `${CLIENTS}  web:\n    clientId: 0oa-web\n    owner: team-orders\n    type: public\n    scopes: [write.orders]\n`, 'scopes/scopeguard.yaml': 'kind: Config\nrules:\n  SG103: {severity: info}\n' });
    const overridden = JSON.parse(scopeguardIn(dir, ['check', '--format', 'sarif', '--now', '2026-11-25']).stdout) as {
      runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string }; properties: Record<string, unknown> }[] } }; results: { ruleId: string; level: string }[] }[];
    };
    const [only] = overridden.runs;
    const rule = only!.tool.driver.rules.find((r) => r.id === 'SG103');
    expect(only!.results.filter((r) => r.ruleId === 'SG103').map((r) => r.level)).toEqual(['note']);
    expect(rule?.defaultConfiguration.level).toBe('note');
    expect(rule?.properties['security-severity']).toBe('0.5');
  });
});

