// What a user sees when the invocation, the registry or a custom policy is wrong: one clear line, exit 2.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, CLEAN, CLIENTS, lineOf, projectWith, sarifValidator, scopeguardIn, type JsonReport } from './check-support.ts';

const NOW = ['--now', '2026-11-25'];

const CUSTOM_RULE = `# METADATA
# title: Client without owner
# description: Every client needs an owning team.
# custom:
#   id: ACME001
#   severity: high
#   remediation: Set the client's owner.
package scopeguard.registry.rules.ACME001

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, client in tenant.clients
	not client.owner
	finding := {"tenant": tenant_name, "subject": concat("", ["client:", name]), "message": concat(" ", ["client", name, "has no owner"])}
}
`;

const UNOWNED = {
  ...CLEAN,
  'scopes/clients.yaml': `${CLIENTS}  orphan:\n    clientId: 0oa9\n    type: machine\n  legacy:\n    clientId: 0oa8\n    type: machine\n`,
};

describe('scopeguard check: invocation errors', () => {
  it('an unknown --format is exit 2 naming the choices', () => {
    const run = scopeguardIn(projectWith(CLEAN), ['check', '--format', 'xml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('scopeguard: unknown --format "xml"\n  hint: use one of: text, json, markdown, sarif, github\n');
    expect(run.stdout).toBe('');
  });

  it('an unknown --fail-on and a bad --now are exit 2', () => {
    const dir = projectWith(CLEAN);
    expect(scopeguardIn(dir, ['check', '--fail-on', 'severe']).stderr).toContain('unknown --fail-on "severe"');
    expect(scopeguardIn(dir, ['check', '--fail-on', 'severe']).status).toBe(2);
    expect(scopeguardIn(dir, ['check', '--now', 'yesterday']).status).toBe(2);
    // a day that does not exist, or a number, is no date (Date would read them as 2026-12-01 and 2001-12-01)
    for (const now of ['2026-11-31', '12', 'Nov 20']) {
      const run = scopeguardIn(dir, ['check', '--now', now]);
      expect(run.status, now).toBe(2);
      expect(run.stderr).toBe(`scopeguard: --now "${now}" is not a date\n  hint: use YYYY-MM-DD or an ISO-8601 instant\n`);
    }
    // and SCOPEGUARD_NOW sets it, as for the other commands
    expect(scopeguardIn(dir, ['check'], { ...process.env, SCOPEGUARD_NOW: '2026-02-30' }).status).toBe(2);
  });

  it('a missing registry folder is exit 2, and --format json says so as JSON on stdout besides the stderr line', () => {
    const run = scopeguardIn(projectWith({}), ['check', '--format', 'json']);
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: 'registry folder "scopes" does not exist',
      hint: 'pass --registry DIR with the folder holding your scope YAML files (default: scopes)',
      problems: [],
    });
    expect(run.stderr.split('\n')[0]).toBe('scopeguard: registry folder "scopes" does not exist');
  });

  describe('a broken registry in the machine formats: every problem at its place, where the findings would go', () => {
    const clients = `${CLIENTS}  web:\n    clientId: 0oa7\n    type: Public\n    scopes: read.orders, write.orders\n`;
    const dir = projectWith({ ...CLEAN, 'scopes/clients.yaml': clients });
    const typeLine = lineOf(clients, 'type: Public');
    const scopesLine = lineOf(clients, 'scopes: read.orders, write.orders');

    it('json: {error, hint, problems} on stdout, the problems on stderr too, exit 2', () => {
      const run = scopeguardIn(dir, ['check', '--format', 'json', ...NOW]);
      expect(run.status).toBe(2);
      const report = JSON.parse(run.stdout) as { error: string; hint: null; problems: { file: string; line: number; code: string; hint: string | null }[] };
      expect(report.error).toBe('2 problems in the registry');
      expect(report.problems.map((p) => `${p.file}:${p.line} ${p.code}`)).toEqual([`scopes/clients.yaml:${typeLine} schema`, `scopes/clients.yaml:${scopesLine} schema`]);
      expect(report.problems[1]!.hint).toBe('write a list: [read.orders, write.orders], or one "- item" per line');
      expect(run.stderr).toContain(`scopes/clients.yaml:${typeLine}:11  clients.web.type has the invalid value "Public"`);
    });

    it('sarif: valid SARIF 2.1.0 with a result per problem and the run marked unsuccessful, also into --output', () => {
      // a report left by an earlier run must not survive as if it were this one's
      const output = join(dir, 'scopeguard.sarif');
      writeFileSync(output, 'the report of an earlier run');
      const run = scopeguardIn(dir, ['check', '--format', 'sarif', '--output', output, ...NOW]);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      const log = JSON.parse(readFileSync(output, 'utf8')) as {
        runs: { tool: { driver: { rules: { id: string }[] } }; invocations: { executionSuccessful: boolean }[]; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
      };
      const validate = sarifValidator();
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
      const [only] = log.runs;
      expect(only!.invocations[0]!.executionSuccessful).toBe(false);
      expect(only!.tool.driver.rules.map((rule) => rule.id)).toEqual(['registry/schema']);
      expect(only!.results.map((r) => `${r.ruleId} ${r.level} ${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}`)).toEqual([
        `registry/schema error scopes/clients.yaml:${typeLine}`,
        `registry/schema error scopes/clients.yaml:${scopesLine}`,
      ]);
    });

    it('markdown: the error and a table of the problems, escaped, for a job summary', () => {
      const run = scopeguardIn(dir, ['check', '--format', 'markdown', ...NOW]);
      expect(run.status).toBe(2);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('❌ **scopeguard could not run**: 2 problems in the registry');
      expect(lines.slice(2, 4)).toEqual(['| Location | Problem |', '|---|---|']);
      expect(lines[4]).toMatch(new RegExp(`^\\| \`scopes/clients.yaml:${typeLine}:11\` \\| clients\\\\.web\\\\.type has the invalid value &quot;Public&quot; — did you mean`));
      expect(lines).toHaveLength(6);
    });

    it('text: nothing on stdout, the problems on stderr; into --output, the same lines replace an earlier report', () => {
      const run = scopeguardIn(dir, ['check', ...NOW]);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`scopes/clients.yaml:${typeLine}:11  clients.web.type has the invalid value "Public"`);
      const output = join(dir, 'report.txt');
      writeFileSync(output, 'the report of an earlier run');
      const intoFile = scopeguardIn(dir, ['check', '--output', output, ...NOW]);
      expect(intoFile.status).toBe(2);
      expect(readFileSync(output, 'utf8')).toBe(intoFile.stderr);
    });

    it('github: an error annotation per problem at its line, then the error', () => {
      const run = scopeguardIn(dir, ['check', '--format', 'github', ...NOW]);
      expect(run.status).toBe(2);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toBe(
        `::error file=scopes/clients.yaml,line=${typeLine},col=11,title=scopeguard%3A schema::clients.web.type has the invalid value "Public"%0Adid you mean "public"? one of: confidential, public, machine`,
      );
      expect(lines[1]).toMatch(new RegExp(`^::error file=scopes/clients.yaml,line=${scopesLine},col=\\d+,title=scopeguard%3A schema::clients.web.scopes must be a list`));
      expect(lines[2]).toBe('::error title=scopeguard::2 problems in the registry');
    });
  });

  it('an exception naming an unknown rule is exit 2 at the exception, with a suggestion', () => {
    const exceptions = 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - rule: SG1O6\n    subject: client:shop/scope:read.orders\n    reason: typo\n    expires: 2027-01-01\n';
    const run = scopeguardIn(projectWith({ ...CLEAN, 'scopes/exceptions.yaml': exceptions }), ['check', '--format', 'sarif', ...NOW]);
    expect(run.status).toBe(2);
    // the SARIF log says the run failed, and why
    const log = JSON.parse(run.stdout) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string } }[] }[]; results: unknown[] }[] };
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications[0]!.message.text).toBe('1 problem in the registry');
    // and code scanning shows it at the exception, as a schema problem would be
    const line = lineOf(exceptions, '- rule');
    expect(log.runs[0]!.results).toEqual([
      expect.objectContaining({ ruleId: 'registry/reference', message: { text: 'exception names unknown rule SG1O6 (did you mean "SG106"?)' } }),
    ]);
    expect(JSON.stringify(log.runs[0]!.results)).toContain(`"startLine":${line},"startColumn":5`);
    expect(run.stderr).toBe(`scopes/exceptions.yaml:${line}:5  exception names unknown rule SG1O6  (did you mean "SG106"?)\nscopeguard: 1 problem in the registry\n`);
    const github = scopeguardIn(projectWith({ ...CLEAN, 'scopes/exceptions.yaml': exceptions }), ['check', '--format', 'github', ...NOW]);
    expect(github.stdout.split('\n')[0]).toBe(`::error file=scopes/exceptions.yaml,line=${line},col=5,title=scopeguard%3A reference::exception names unknown rule SG1O6%0Adid you mean "SG106"?`);
  });
  it('a rules: setting for an unknown rule in scopeguard.yaml is exit 2 at its key, with a suggestion', () => {
    const config = 'kind: Config\nrules:\n  SG106: {severity: low}\n  SG016: {severity: off}\n';
    const run = scopeguardIn(projectWith({ ...CLEAN, 'scopes/scopeguard.yaml': config }), ['check', ...NOW]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`scopes/scopeguard.yaml:${lineOf(config, 'SG016')}:3  rules: names unknown rule SG016  (did you mean "SG106"?)\nscopeguard: 1 problem in the registry\n`);
  });

  it('a rules: setting for a usage or change rule is fine in a registry check (every rule is known)', () => {
    const config = 'kind: Config\nrules:\n  SG301: {severity: info}\n  SG205: {severity: off}\n';
    const run = scopeguardIn(projectWith({ ...CLEAN, 'scopes/scopeguard.yaml': config }), ['check', ...NOW]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('scopeguard check: rule settings', () => {
  it('a setting a built-in rule does not have is exit 2 at the rule, with the closest setting', () => {
    const typo = scopeguardIn(projectWith({ ...CLEAN, 'scopes/scopeguard.yaml': 'kind: Config\nrules:\n  SG103: {severty: off}\n' }), ['check', ...NOW]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe('scopes/scopeguard.yaml:3:3  rules: SG103 has no setting "severty"  (did you mean "severity"?)\nscopeguard: 1 problem in the registry\n');
    const option = scopeguardIn(projectWith({ ...CLEAN, 'scopes/scopeguard.yaml': 'kind: Config\nrules:\n  SG107: {maxHolder: 0}\n' }), ['check', ...NOW]);
    expect(option.stderr).toBe('scopes/scopeguard.yaml:3:3  rules: SG107 has no setting "maxHolder"  (did you mean "maxHolders"?)\nscopeguard: 1 problem in the registry\n');
    const unlike = scopeguardIn(projectWith({ ...CLEAN, 'scopes/scopeguard.yaml': 'kind: Config\nrules:\n  SG103: {enabled: false}\n' }), ['check', ...NOW]);
    expect(unlike.stderr).toBe('scopes/scopeguard.yaml:3:3  rules: SG103 has no setting "enabled"  (SG103 takes severity; write {severity: off} to switch it off)\nscopeguard: 1 problem in the registry\n');
    // the settings a rule has are fine
    const fine = scopeguardIn(projectWith({ ...CLEAN, 'scopes/scopeguard.yaml': 'kind: Config\nrules:\n  SG107: {maxHolders: 5, severity: low}\n' }), ['check', ...NOW]);
    expect(fine.stderr).toBe('');
    expect(fine.status).toBe(0);
  });
});

describe('scopeguard check: custom policies', () => {
  it('a custom rule folder is compiled with opa and its findings, severity and exceptions work', () => {
    const dir = projectWith({
      ...UNOWNED,
      'policies/custom/acme001.rego': CUSTOM_RULE,
      'scopes/exceptions.yaml': 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - rule: ACME001\n    subject: client:legacy\n    reason: retired in December\n    expires: 2027-01-01\n',
    });
    const run = scopeguardIn(dir, ['check', '--format', 'json', '--policy', 'policies/custom', ...NOW]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.subject, f.location?.file, f.status])).toEqual([
      ['ACME001', 'high', 'client:legacy', 'scopes/clients.yaml', 'waived'],
      ['ACME001', 'high', 'client:orphan', 'scopes/clients.yaml', 'new'],
    ]);
    expect(report.findings[0]!.remediation).toBe("Set the client's owner.");
    expect(run.status).toBe(1);
  });

  it('a custom rule links to the documentation its METADATA names, and to none when it names none', () => {
    const linked = CUSTOM_RULE.replace('# custom:', '# related_resources:\n#   - ref: https://wiki.example.com/rules/acme001_(owners)\n# custom:');
    const unlinked = CUSTOM_RULE.replace(/ACME001/g, 'ACME003').replace('has no owner', 'is unowned');
    const dir = projectWith({ ...UNOWNED, 'policies/custom/acme001.rego': linked, 'policies/custom/acme003.rego': unlinked });
    const markdown = scopeguardIn(dir, ['check', '--format', 'markdown', '--policy', 'policies/custom', ...NOW]);
    expect(markdown.stderr).toBe('');
    expect(markdown.stdout).toContain('| high | [ACME001](https://wiki.example.com/rules/acme001%5F%28owners%29) |');
    expect(markdown.stdout).toContain('| high | ACME003 |');
    expect(markdown.stdout).not.toContain('github.com/scopeguard/scopeguard#acme');
    const sarif = JSON.parse(scopeguardIn(dir, ['check', '--format', 'sarif', '--policy', 'policies/custom', ...NOW]).stdout) as {
      runs: { tool: { driver: { rules: { id: string; helpUri?: string }[] } } }[];
    };
    expect(sarifValidator()(sarif)).toBe(true);
    const helpUris = Object.fromEntries(sarif.runs[0]!.tool.driver.rules.map((rule) => [rule.id, rule.helpUri]));
    expect([helpUris.ACME001, helpUris.ACME003, helpUris.SG101]).toEqual([
      'https://wiki.example.com/rules/acme001_(owners)',
      undefined,
      'https://github.com/scopeguard/scopeguard#sg101',
    ]);
  });

  it('a custom rule that reports one subject for two reasons without a key keeps both findings, each with its own fingerprint', () => {
    const twoReasons = CUSTOM_RULE.replace(
      'finding := {"tenant": tenant_name, "subject": concat("", ["client:", name]), "message": concat(" ", ["client", name, "has no owner"])}',
      'some message in ["has no owner", "has no reviewer"]\n\tfinding := {"tenant": tenant_name, "subject": concat("", ["client:", name]), "message": concat(" ", ["client", name, message])}',
    );
    expect(twoReasons).toContain('has no reviewer');
    const dir = projectWith({ ...UNOWNED, 'policies/custom/acme001.rego': twoReasons });
    const run = scopeguardIn(dir, ['check', '--format', 'json', '--policy', 'policies/custom', ...NOW]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as JsonReport;
    const orphan = report.findings.filter((f) => f.subject === 'client:orphan');
    expect(orphan.map((f) => f.message).sort()).toEqual(['client orphan has no owner', 'client orphan has no reviewer']);
    expect(new Set(orphan.map((f) => f.fingerprint)).size).toBe(2);
    // and the same run again gives the same fingerprints
    const again = JSON.parse(scopeguardIn(dir, ['check', '--format', 'json', '--policy', 'policies/custom', ...NOW]).stdout) as JsonReport;
    expect(again.findings.map((f) => f.fingerprint)).toEqual(report.findings.map((f) => f.fingerprint));
  });

  it('a custom rule without METADATA is a rule of its package name: rules: and exceptions may name it, and a built-in id is refused', () => {
    const bare = CUSTOM_RULE.replace(/^# .*\n/gm, '').replace('ACME001', 'ACME002');
    const config = 'kind: Config\nrules:\n  ACME002: {severity: low}\n';
    const dir = projectWith({ ...UNOWNED, 'policies/custom/acme002.rego': bare, 'scopes/scopeguard.yaml': config });
    const run = scopeguardIn(dir, ['check', '--format', 'json', '--policy', 'policies/custom', ...NOW]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.subject])).toEqual([
      ['ACME002', 'low', 'client:legacy'],
      ['ACME002', 'low', 'client:orphan'],
    ]);
    const clash = projectWith({ ...UNOWNED, 'policies/custom/sg101.rego': bare.replace('ACME002', 'SG101') });
    const refused = scopeguardIn(clash, ['check', '--policy', 'policies/custom', ...NOW]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('custom rule SG101 has the id of a built-in rule');
  });

  it('a custom rule takes any setting unless its METADATA lists its options', () => {
    const free = projectWith({ ...UNOWNED, 'rego/acme001.rego': CUSTOM_RULE, 'scopes/scopeguard.yaml': 'kind: Config\npolicies: [rego]\nrules:\n  ACME001: {team: platform}\n' });
    expect(scopeguardIn(free, ['check', ...NOW]).stderr).toBe('');
    const declared = CUSTOM_RULE.replace('#   severity: high', '#   severity: high\n#   options: [team]');
    const strict = projectWith({ ...UNOWNED, 'rego/acme001.rego': declared, 'scopes/scopeguard.yaml': 'kind: Config\npolicies: [rego]\nrules:\n  ACME001: {teem: platform}\n' });
    const run = scopeguardIn(strict, ['check', ...NOW]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('rules: ACME001 has no setting "teem"  (did you mean "team"?)');
  });

  it('custom policy folders can come from scopeguard.yaml', () => {
    const dir = projectWith({ ...UNOWNED, 'rego/acme001.rego': CUSTOM_RULE, 'scopes/scopeguard.yaml': 'kind: Config\npolicies: [rego]\n' });
    const report = JSON.parse(scopeguardIn(dir, ['check', '--format', 'json', ...NOW]).stdout) as JsonReport;
    expect(report.findings.map((f) => f.ruleId)).toEqual(['ACME001', 'ACME001']);
  });

  it('broken Rego is exit 2 quoting opa’s file:line message', () => {
    const dir = projectWith({ ...CLEAN, 'policies/custom/broken.rego': 'package scopeguard.registry.rules.BAD1\n\nfindings contains f if {\n  f := \n}\n' });
    const run = scopeguardIn(dir, ['check', '--policy', 'policies/custom']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^scopeguard: policy does not compile: policies\/custom\/broken\.rego:5: rego_parse_error: unexpected } token\n  hint: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a custom rule that fails while it runs is exit 2 naming the built-in or the place, not an unexpected error', () => {
    const clock = 'package scopeguard.registry.rules.CLOCK1\n\nfindings contains {"tenant": "acme", "subject": "scope:read.data", "message": sprintf("%v", [x])} if {\n\tx := time.now_ns()\n}\n';
    const noClock = scopeguardIn(projectWith({ ...CLEAN, 'p/clock.rego': clock }), ['check', '--policy', 'p', ...NOW]);
    expect(noClock.status).toBe(2);
    expect(noClock.stderr).toMatch(/^scopeguard: a custom policy calls time\.now_ns \(p\/clock\.rego\), which policies compiled to Wasm do not have\n  hint: /);
    const conflict = 'package scopeguard.registry.rules.TWICE1\n\nv := x if {\n\tsome x in ["a", "b"]\n}\n\nfindings contains {"tenant": "acme", "subject": "scope:read.data", "message": v} if true\n';
    const twoValues = scopeguardIn(projectWith({ ...CLEAN, 'p/twice.rego': conflict }), ['check', '--policy', 'p', ...NOW]);
    expect(twoValues.status).toBe(2);
    expect(twoValues.stderr).toBe('scopeguard: a custom policy failed while it ran: p/twice.rego:3:1: var assignment conflict\n  hint: fix the Rego at the place the message names\n');
  });

  it('a custom rule returning a malformed finding is exit 2 naming the rule', () => {
    const rego = 'package scopeguard.registry.rules.BAD2\n\nfindings contains {"tenant": "acme", "subject": "scope:x"} if true\n';
    const run = scopeguardIn(projectWith({ ...CLEAN, 'p/bad2.rego': rego }), ['check', '--policy', 'p']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('scopeguard: policy rule BAD2 returned a malformed finding (`message` must be a non-empty string)');
  });

  it('without the opa CLI, custom policies are exit 2 saying how to install it', () => {
    const dir = projectWith({ ...UNOWNED, 'policies/custom/acme001.rego': CUSTOM_RULE });
    const run = scopeguardIn(dir, ['check', '--policy', 'policies/custom'], { ...process.env, SCOPEGUARD_OPA: '/nonexistent/opa', PATH: '/usr/bin:/bin' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('scopeguard: custom policies need the opa CLI');
    // the hint must work for an installed package too, where npm run opa:install is not a script
    expect(run.stderr).toContain('put OPA v1 on PATH or name it in SCOPEGUARD_OPA');
  });

  it('a missing policy folder is exit 2', () => {
    const run = scopeguardIn(projectWith(CLEAN), ['check', '--policy', 'nowhere']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^scopeguard: policy folder "\S*nowhere" does not exist/);
  });
});

describe('scopeguard check: where the output goes', () => {
  it('--output naming a folder, or a path through a file, is exit 2 naming the path, not an unexpected error', () => {
    const dir = projectWith({ ...CLEAN, 'out/taken': 'a file', 'out/folder/keep': '' });
    const intoFolder = scopeguardIn(dir, ['check', '--output', 'out/folder', ...NOW]);
    expect(intoFolder.status).toBe(2);
    expect(intoFolder.stderr).toMatch(/^scopeguard: cannot write out\/folder: it is a folder, not a file\n  hint: /);
    const throughFile = scopeguardIn(dir, ['check', '--output', 'out/taken/report.json', ...NOW]);
    expect(throughFile.status).toBe(2);
    expect(throughFile.stderr).toMatch(/^scopeguard: cannot create the folder out\/taken: a file is in the way of a folder on that path\n/);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk is exit 2 naming the file, not an unexpected error', () => {
    // /dev/full opens, then refuses every write with ENOSPC, as a full disk does
    const run = scopeguardIn(projectWith(CLEAN), ['check', '--format', 'markdown', '--output', '/dev/full', ...NOW]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^scopeguard: cannot write \/dev\/full: no space left on the disk\n  hint: /);
  });

  it('a reader that stops early (check | head) ends the run quietly, with the verdict as exit code', async () => {
    // the example registry fails at high; its report goes into a pipe whose reader is already gone
    const child = spawn(process.execPath, [BIN, 'check', '--format', 'json', ...NOW], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    expect(stderr).toBe('');
    expect(status).toBe(1);
  });
});
