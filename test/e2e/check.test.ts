// scopeguard check end to end: YAML on disk → loader → compiled Wasm → findings → the CLI's output and exit code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, CLEAN, CLIENTS, SCOPES, lineOf, projectWith, scopeguardIn, type JsonReport } from './check-support.ts';

const NOW = ['--now', '2026-11-25'];

function checkJson(dir: string, ...args: string[]): { status: number | null; report: JsonReport; stderr: string } {
  const run = scopeguardIn(dir, ['check', '--format', 'json', ...NOW, ...args]);
  return { status: run.status, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

interface RuleCase {
  rule: string;
  files: Record<string, string>;
  subject: string;
  tenant?: string;
  /** File and the text on the line the finding must point at. */
  at: [string, string];
  severity: string;
  message: string;
}

const HIGH_SCOPES = `${SCOPES}  read.data:
    description: Read customer data
    owner: team-data
    sensitivity: high
`;
const HIGH_ACTIONS = `${ACTIONS}  read.data: [GET /v1/data/**]
`;

const cases: RuleCase[] = [
  {
    rule: 'SG101',
    files: { ...CLEAN, 'scopes/scopes.yaml': `${SCOPES}  sync.inventory:\n    description: Sync stock levels\n`, 'scopes/actions.yaml': `${ACTIONS}  sync.inventory: [POST /v1/stock]\n` },
    subject: 'scope:sync.inventory',
    at: ['scopes/scopes.yaml', 'sync.inventory:'],
    severity: 'medium',
    message: 'scope sync.inventory has no owner',
  },
  {
    rule: 'SG102',
    files: {
      ...CLEAN,
      'scopes/scopes.yaml': `${SCOPES}  read.legacy:\n    description: Old read\n    owner: team-orders\n    status: deprecated\n    replacedBy: read.orders\n`,
      'scopes/actions.yaml': `${ACTIONS}  read.legacy: [GET /v0/orders/**]\n`,
      'scopes/clients.yaml': `${CLIENTS}      - read.legacy\n`,
    },
    subject: 'client:shop/scope:read.legacy',
    at: ['scopes/clients.yaml', '- read.legacy'],
    severity: 'high',
    message: 'client shop holds deprecated scope read.legacy (replaced by read.orders)',
  },
  {
    rule: 'SG103',
    files: {
      'scopes/scopes.yaml': HIGH_SCOPES,
      'scopes/actions.yaml': HIGH_ACTIONS,
      'scopes/clients.yaml': `${CLIENTS}  spa:\n    clientId: 0oa2spa\n    owner: team-web\n    type: public\n    scopes: [read.data]\n    justification:\n      read.data: shows the customer their own data\n`,
    },
    subject: 'client:spa/scope:read.data',
    at: ['scopes/clients.yaml', 'scopes: [read.data]'],
    severity: 'high',
    message: 'public client spa holds high scope read.data',
  },
  {
    rule: 'SG104',
    files: { ...CLEAN, 'scopes/scopes.yaml': `${SCOPES}  read.reports:\n    description: Read reports\n    owner: team-data\n` },
    subject: 'scope:read.reports',
    at: ['scopes/scopes.yaml', 'read.reports:'],
    severity: 'medium',
    message: 'scope read.reports has no actions in the action map',
  },
  {
    rule: 'SG105',
    files: {
      'scopes/scopes.yaml': HIGH_SCOPES,
      'scopes/actions.yaml': HIGH_ACTIONS,
      'scopes/clients.yaml': `${CLIENTS}      - read.data\n`,
    },
    subject: 'client:shop/scope:read.data',
    at: ['scopes/clients.yaml', '- read.data'],
    severity: 'medium',
    message: 'client shop holds high scope read.data without a justification',
  },
  {
    rule: 'SG106',
    files: { ...CLEAN, 'scopes/clients.yaml': `${CLIENTS}      - write.orders\n` },
    subject: 'client:shop/scope:read.orders',
    at: ['scopes/clients.yaml', '- read.orders'],
    severity: 'low',
    message: 'client shop holds read.orders, which write.orders already implies',
  },
  {
    rule: 'SG107',
    files: {
      ...CLEAN,
      'scopes/scopes.yaml': `${SCOPES}  orders.all:\n    description: Everything about orders\n    owner: team-orders\n`,
      'scopes/actions.yaml': `${ACTIONS}  orders.all: ['* /v1/orders/**']\n`,
      'scopes/clients.yaml': `${CLIENTS}      - orders.all\n${['a', 'b', 'c']
        .map((n) => `  svc-${n}:\n    clientId: 0oa-${n}\n    owner: team-orders\n    type: machine\n    scopes: [orders.all]\n`)
        .join('')}`,
    },
    subject: 'scope:orders.all',
    at: ['scopes/scopes.yaml', 'orders.all:'],
    severity: 'high',
    message: 'broad scope orders.all is held by 4 clients (more than 3)',
  },
  {
    rule: 'SG108',
    files: {
      ...CLEAN,
      'scopes/exceptions.yaml': 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - rule: SG106\n    subject: client:shop/scope:read.orders\n    reason: migration\n    expires: 2026-11-24\n',
      'scopes/clients.yaml': `${CLIENTS}      - write.orders\n`,
    },
    subject: 'client:shop/scope:read.orders',
    at: ['scopes/exceptions.yaml', '- rule: SG106'],
    severity: 'medium',
    message: 'exception for SG106 on client:shop/scope:read.orders expired on 2026-11-24 (1 days ago) and no longer waives it',
  },
  {
    rule: 'SG109',
    files: {
      ...CLEAN,
      'scopes/scopes.yaml': SCOPES.replace('    owner: team-orders\n  write.orders:', '    owner: team-orders\n    implies: [write.orders]\n  write.orders:'),
    },
    subject: 'scope:read.orders',
    at: ['scopes/scopes.yaml', 'read.orders:'],
    severity: 'medium',
    message: 'scope read.orders implies itself through write.orders',
  },
  {
    rule: 'SG110',
    files: {
      ...CLEAN,
      'scopes/scopes.yaml': `${SCOPES}  read.legacy:\n    description: Old reads\n    owner: team-orders\n    status: deprecated\n    replacedBy: read.v2\n  read.v2:\n    description: Second reads\n    owner: team-orders\n    status: removed\n`,
      'scopes/actions.yaml': `${ACTIONS}  read.legacy: [GET /v0/orders]\n  read.v2: [GET /v2/orders]\n`,
    },
    subject: 'scope:read.legacy',
    at: ['scopes/scopes.yaml', 'read.legacy:'],
    severity: 'medium',
    message: 'scope read.legacy is replaced by read.v2, which is removed too',
  },
];

describe('scopeguard check: each built-in rule from YAML on disk to the CLI output', () => {
  it('reports nothing and exits 0 on a clean registry', () => {
    const dir = projectWith(CLEAN);
    const run = scopeguardIn(dir, ['check', ...NOW]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('no findings\n0 findings; fail-on high: passed\n');
    expect(run.status).toBe(0);
  });

  it.each(cases)('$rule: $subject', (c) => {
    const dir = projectWith(c.files);
    const { status, report, stderr } = checkJson(dir);
    expect(stderr).toBe('');
    const found = report.findings.filter((f) => f.ruleId === c.rule);
    expect(found).toHaveLength(1);
    const finding = found[0]!;
    const [file, text] = c.at;
    expect(finding).toMatchObject({
      tenant: c.tenant ?? 'acme',
      subject: c.subject,
      severity: c.severity,
      message: c.message,
      status: 'new',
      location: { file, line: lineOf(readFileSync(join(dir, file), 'utf8'), text) },
    });
    expect(finding.remediation).toBeTruthy();
    expect(finding.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const failing = report.findings.some((f) => f.severity === 'high' || f.severity === 'critical');
    expect(status).toBe(failing ? 1 : 0);
    expect(report.summary.failed).toBe(failing);
  });

  it('SG108: the finding the expired exception covered is reported again, not waived', () => {
    const sg108 = cases.find((c) => c.rule === 'SG108')!;
    const { report } = checkJson(projectWith(sg108.files));
    expect(report.findings.find((f) => f.ruleId === 'SG106')?.status).toBe('new');
  });
});

describe('scopeguard check: the example registry', () => {
  it('finds exactly the problems scopes/README.md says are planted', () => {
    const planted = [...readFileSync('scopes/README.md', 'utf8').matchAll(/^\| (SG\d{3}) \| (\w+) \| `([^`]+)` \|/gm)].map(
      ([, rule, tenant, subject]) => `${rule} ${tenant} ${subject}`,
    );
    expect(planted.length).toBeGreaterThanOrEqual(8);
    const { status, report } = checkJson(process.cwd(), '--registry', 'scopes');
    expect(report.findings.map((f) => `${f.ruleId} ${f.tenant} ${f.subject}`).sort()).toEqual(planted.sort());
    expect(status).toBe(1);
  });

  it('--tenant judges and counts only that tenant, and a misspelt tenant is exit 2', () => {
    const planted = [...readFileSync('scopes/README.md', 'utf8').matchAll(/^\| (SG\d{3}) \| (\w+) \| `([^`]+)` \|/gm)].filter(([, , tenant]) => tenant === 'globex');
    const { report } = checkJson(process.cwd(), '--registry', 'scopes', '--tenant', 'globex');
    expect(report.findings.map((f) => `${f.ruleId} ${f.tenant} ${f.subject}`).sort()).toEqual(planted.map(([, rule, tenant, subject]) => `${rule} ${tenant} ${subject}`).sort());
    expect(report.summary.total).toBe(planted.length);
    const typo = scopeguardIn(process.cwd(), ['check', '--tenant', 'glbex']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe('scopeguard: unknown tenant "glbex"\n  hint: did you mean "globex"? tenants in the registry: acme, globex\n');
    // a client of another tenant is named as such, not an empty table
    const elsewhere = scopeguardIn(process.cwd(), ['usage', '--client', 'admin-portal', '--tenant', 'globex']);
    expect(elsewhere.status).toBe(2);
    expect(elsewhere.stderr).toBe('scopeguard: client "admin-portal" is not in tenant globex\n  hint: it is a client of acme: pass --tenant acme, or no --tenant\n');
  });
});

describe('scopeguard check: exceptions, config and fail-on', () => {
  const redundant = { ...CLEAN, 'scopes/clients.yaml': `${CLIENTS}      - write.orders\n` };

  it('a current exception waives the finding (status waived) and it no longer fails the run', () => {
    const dir = projectWith({
      ...redundant,
      'scopes/exceptions.yaml': 'kind: ExceptionSet\ntenant: acme\nexceptions:\n  - rule: SG106\n    subject: client:shop/scope:read.orders\n    reason: migration until year end\n    owner: team-orders\n    expires: 2026-11-25\n',
    });
    const { status, report } = checkJson(dir, '--fail-on', 'low');
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ ruleId: 'SG106', status: 'waived', waivedBy: { reason: 'migration until year end', expires: '2026-11-25' } });
    expect(report.summary.byStatus.waived).toBe(1);
    expect(status).toBe(0);
  });

  it('--fail-on decides the exit code; the config failOn is the default', () => {
    const dir = projectWith(redundant);
    expect(checkJson(dir).status).toBe(0);
    expect(checkJson(dir, '--fail-on', 'low').status).toBe(1);
    expect(checkJson(dir, '--fail-on', 'never').status).toBe(0);
    const strict = projectWith({ ...redundant, 'scopes/scopeguard.yaml': 'kind: Config\nfailOn: info\n' });
    expect(checkJson(strict).status).toBe(1);
    expect(checkJson(strict).report.summary.failOn).toBe('info');
  });

  it('config rules: overrides a severity and turns a rule off', () => {
    const files = {
      ...redundant,
      'scopes/scopes.yaml': `${SCOPES}  read.reports:\n    description: Read reports\n`,
      'scopes/scopeguard.yaml': 'kind: Config\nrules:\n  SG106: {severity: critical}\n  SG104: {severity: "off"}\n',
    };
    const { status, report } = checkJson(projectWith(files));
    expect(report.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['SG106', 'critical'],
      ['SG101', 'medium'],
    ]);
    expect(status).toBe(1);
  });

  it('thresholds from scopeguard.yaml reach the policy as data', () => {
    const files = {
      ...CLEAN,
      'scopes/scopes.yaml': `${SCOPES}  admin:\n    description: Everything\n    owner: team-platform\n`,
      'scopes/actions.yaml': `${ACTIONS}  admin: ['* /**']\n`,
      'scopes/clients.yaml': `${CLIENTS}      - admin\n`,
    };
    expect(checkJson(projectWith(files)).report.findings.filter((f) => f.ruleId === 'SG107')).toHaveLength(0);
    const tight = { ...files, 'scopes/scopeguard.yaml': 'kind: Config\nthresholds: {maxHoldersOfBroadScope: 0}\n' };
    expect(checkJson(projectWith(tight)).report.findings.filter((f) => f.ruleId === 'SG107').map((f) => f.subject)).toEqual(['scope:admin']);
  });

  it('SG107: an action covering every path is broad however its slashes are written (//**, /**/)', () => {
    for (const pattern of ['GET //**', '* /**/']) {
      const files = {
        ...CLEAN,
        'scopes/scopes.yaml': `${SCOPES}  gateway:\n    description: The whole API\n    owner: team-orders\n`,
        'scopes/actions.yaml': `${ACTIONS}  gateway: ['${pattern}']\n`,
        'scopes/clients.yaml': `${CLIENTS}  web:\n    clientId: 0oa-web\n    owner: team-orders\n    type: public\n    scopes: [gateway]\n`,
      };
      const broad = checkJson(projectWith(files)).report.findings.filter((f) => f.ruleId === 'SG107');
      expect(broad.map((f) => [f.subject, f.message]), pattern).toEqual([['client:web/scope:gateway', 'public client web holds broad scope gateway']]);
    }
  });

  it('fingerprints do not change when the YAML moves lines', () => {
    const before = checkJson(projectWith(redundant)).report.findings[0]!;
    const moved = { ...redundant, 'scopes/clients.yaml': `# a comment\n\n${redundant['scopes/clients.yaml']}` };
    const after = checkJson(projectWith(moved)).report.findings[0]!;
    expect(after.location!.line).toBe(before.location!.line + 2);
    expect(after.fingerprint).toBe(before.fingerprint);
  });
});

describe('scopeguard check: output formats', () => {
  const files = {
    ...CLEAN,
    'scopes/scopes.yaml': `${SCOPES}  read.data:\n    description: Read customer data\n    owner: team-data\n    sensitivity: high\n`,
    'scopes/actions.yaml': `${ACTIONS}  read.data: [GET /v1/data/**]\n`,
    'scopes/clients.yaml': `${CLIENTS}  app_<b>web</b>:\n    clientId: 0oa2\n    owner: team-web\n    type: public\n    scopes: [read.data]\n    justification: {read.data: profile page}\n`,
  };

  it('text groups by severity, without colour when not on a terminal', () => {
    const run = scopeguardIn(projectWith(files), ['check', ...NOW]);
    expect(run.stdout).toContain('HIGH (1)\n  SG103  acme  client:app_<b>web</b>/scope:read.data  scopes/clients.yaml:');
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('1 finding (1 high); fail-on high: FAILED');
    expect(run.status).toBe(1);
  });

  it('markdown escapes everything that came from YAML', () => {
    const run = scopeguardIn(projectWith(files), ['check', '--format', 'markdown', ...NOW]);
    expect(run.stdout).toMatch(/^❌ \*\*scopeguard check failed\*\*/);
    expect(run.stdout).toContain('[SG103](https://github.com/scopeguard/scopeguard#sg103)');
    // names are inert inside code spans; free text is escaped
    expect(run.stdout).toContain('| `client:app_<b>web</b>/scope:read.data` |');
    expect(run.stdout).toContain('| public client app\\_&lt;b&gt;web&lt;/b&gt; holds high scope read\\.data |');
    expect(run.stdout.replace(/`[^`]*`/g, '')).not.toContain('<b>');
  });

  it('github writes workflow commands with file, line, col and title', () => {
    const dir = projectWith(files);
    const run = scopeguardIn(dir, ['check', '--format', 'github', ...NOW]);
    const line = lineOf(files['scopes/clients.yaml'], 'scopes: [read.data]');
    expect(run.stdout).toMatch(
      new RegExp(`^::error file=scopes/clients.yaml,line=${line},col=\\d+,title=SG103 Public client holds a high or critical scope::public client app_<b>web</b> holds high scope read\\.data \\[acme client:app`, 'm'),
    );
    expect(run.stdout).toContain('%0AMove the operation');
  });

  it('--output writes the report to a file and nothing to stdout', () => {
    const dir = projectWith(files);
    const run = scopeguardIn(dir, ['check', '--format', 'json', '--output', 'out/report.json', ...NOW]);
    expect(run.stdout).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as JsonReport;
    expect(report.findings.map((f) => f.ruleId)).toEqual(['SG103']);
    expect(run.status).toBe(1);
  });
});
