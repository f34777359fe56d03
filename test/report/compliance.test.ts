/**
 * `scopeguard report` through the real bin on the labeled scenario: golden Markdown/JSON/index, byte-for-byte
 * determinism, the trend against the previous stored report, SARIF, and registry changes from a real git repo.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceReport } from '../../src/report/compliance/model.ts';
import { scenarioWorkspace, scopeguard, type ScenarioWorkspace } from '../usage/helpers.ts';

const GOLDEN = resolve('test/golden/compliance');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`golden file ${name} was missing and has been written; run again`);
  }
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 to accept)`).toBe(readFileSync(file, 'utf8'));
}

describe('compliance report', () => {
  let ws: ScenarioWorkspace;
  const report = (out: string, now: string, extra: string[] = []) =>
    scopeguard(['report', '--db', 'audit.duckdb', '--out', out, '--now', now, ...extra], ws.dir);
  const read = (out: string, file: string) => readFileSync(join(ws.dir, out, file), 'utf8');

  beforeAll(async () => {
    ws = await scenarioWorkspace();
    for (const out of ['reports', 'again']) {
      expect(report(out, '2026-11-01').status).toBe(0);
      const second = report(out, '2026-11-25');
      expect(second.status).toBe(0);
      expect(second.stdout).toBe(`scenario: FAIL, 14 open, 1 waived → ${out}/scenario/2026-11-25/\nindex: ${out}/index.md\n`);
    }
  }, 240_000);

  it('matches the golden Markdown, JSON and index', () => {
    golden('report.md', read('reports', 'scenario/2026-11-25/report.md'));
    golden('report.json', read('reports', 'scenario/2026-11-25/report.json'));
    golden('index.md', read('reports', 'index.md'));
  });

  it('is deterministic: the same inputs give the same bytes in every format', () => {
    for (const format of ['md', 'json', 'html', 'sarif']) {
      for (const date of ['2026-11-01', '2026-11-25']) {
        expect(read('again', `scenario/${date}/report.${format}`), `${date} ${format}`).toBe(read('reports', `scenario/${date}/report.${format}`));
      }
    }
  });

  it('shows the trend against the previous stored report', () => {
    const r = JSON.parse(read('reports', 'scenario/2026-11-25/report.json')) as ComplianceReport;
    expect(r.trend.previous).toBe('2026-11-01');
    expect(r.trend.new.map((t) => `${t.ruleId} ${t.subject}`).sort()).toEqual([
      'SG307 client:curious-app/scope:read.data',
      'SG307 client:spiky-app/scope:read.reports',
      'SG308 client:denied-app',
    ]);
    // before its first use on day 80, read.data was an unused grant of curious-app
    expect(r.trend.fixed.map((t) => `${t.ruleId} ${t.subject}`)).toEqual(['SG301 client:curious-app/scope:read.data']);
    expect(r.trend.stillOpen).toBe(11);
    expect(r.history.map((h) => [h.date, h.open])).toEqual([['2026-11-01', 12], ['2026-11-25', 14]]);
    expect(r.registryChanges).toEqual({ available: false, reason: 'not a git repository' });
    expect(r.findings.find((f) => f.status === 'waived')!.waivedBy!.expires).toBe('2027-01-24');
    const md = read('reports', 'scenario/2026-11-25/report.md');
    expect(md).toContain('Against the report of 2026-11-01: 3 new, 1 fixed, 0 newly waived, 11 still open.');
    expect(md).toContain('Not available: not a git repository.');
  });

  it('writes SARIF 2.1.0 with the tenant findings', () => {
    const sarif = JSON.parse(read('reports', 'scenario/2026-11-25/report.sarif')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toHaveLength(15);
  });

  it('lists registry changes since the previous report with their authors from git', () => {
    const git = (args: string[], env: Record<string, string> = {}) => execFileSync('git', args, { cwd: ws.dir, env: { ...process.env, ...env }, encoding: 'utf8' });
    git(['init', '-q']);
    git(['add', 'scopes']);
    const at = (date: string, name: string, email: string) => ({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email });
    git(['commit', '-q', '-m', 'Initial registry'], at('2026-10-20T10:00:00Z', 'Ana Admin', 'ana@example.com'));
    const clients = join(ws.dir, 'scopes', 'scenario', 'clients.yaml');
    writeFileSync(clients, readFileSync(clients, 'utf8').replace('    scopes: [read.orders]\n  revoked-app:', '    scopes: [read.orders, read.reports]\n  revoked-app:'));
    git(['commit', '-q', '-am', 'Grant read.reports to rotated-app'], at('2026-11-10T09:30:00Z', "Eve O'Hara & co", 'eve@example.com'));
    // the previous report (2026-11-01) bounds the changes listed: the initial commit is older
    expect(report('with-git', '2026-11-01', ['--format', 'json']).status).toBe(0);
    expect(report('with-git', '2026-11-25', ['--format', 'json,md']).status).toBe(0);
    const r = JSON.parse(read('with-git', 'scenario/2026-11-25/report.json')) as ComplianceReport;
    expect(r.registryChanges.available).toBe(true);
    if (!r.registryChanges.available) return;
    expect(r.registryChanges.commits.map((c) => [c.author, c.subject])).toEqual([["Eve O'Hara & co", 'Grant read.reports to rotated-app']]);
    expect(r.registryChanges.commits[0]!.changes[0]).toMatchObject({ kind: 'client.scope-granted', subject: 'client:rotated-app/scope:read.reports' });
    expect(read('with-git', 'scenario/2026-11-25/report.md')).toContain("Eve O&#39;Hara &amp; co");
  });

  it('notes a commit that broke a registry file and the one that repaired it, instead of listing its entries removed and re-added', () => {
    const git = (args: string[], date: string) =>
      execFileSync('git', args, { cwd: ws.dir, env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_AUTHOR_NAME: 'Bob', GIT_AUTHOR_EMAIL: 'bob@example.com', GIT_COMMITTER_NAME: 'Bob', GIT_COMMITTER_EMAIL: 'bob@example.com' }, encoding: 'utf8' });
    const clients = join(ws.dir, 'scopes', 'scenario', 'clients.yaml');
    const good = readFileSync(clients, 'utf8');
    writeFileSync(clients, good.replace('clients:\n', 'clients:\nclients:\n'));
    git(['commit', '-q', '-am', 'Break clients.yaml'], '2026-11-12T09:00:00Z');
    writeFileSync(clients, good);
    git(['commit', '-q', '-am', 'Repair clients.yaml'], '2026-11-13T09:00:00Z');
    expect(report('with-broken', '2026-11-01', ['--format', 'json']).status).toBe(0);
    expect(report('with-broken', '2026-11-25', ['--format', 'json,md']).status).toBe(0);
    const r = JSON.parse(read('with-broken', 'scenario/2026-11-25/report.json')) as ComplianceReport;
    if (!r.registryChanges.available) throw new Error(r.registryChanges.reason);
    expect(r.registryChanges.commits.map((c) => [c.subject, c.changes.map((change) => change.kind)])).toEqual([
      ['Repair clients.yaml', ['file.readable-again']],
      ['Break clients.yaml', ['file.unreadable']],
      ['Grant read.reports to rotated-app', ['client.scope-granted']],
    ]);
    const md = read('with-broken', 'scenario/2026-11-25/report.md');
    expect(md).toContain('| note: scopes/scenario/clients\\.yaml does not parse from here');
    expect(md).not.toContain('client removed');
  });

  it('rejects an unknown format', () => {
    const bad = report('x', '2026-11-25', ['--format', 'md,pdf']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown --format "pdf"');
  });

  it('a file where the reports folder should be is exit 2 naming the path, not an unexpected error', () => {
    writeFileSync(join(ws.dir, 'taken'), 'a file');
    const blocked = report('taken', '2026-11-25');
    expect(blocked.status).toBe(2);
    expect(blocked.stderr).toBe(
      'scopeguard: cannot create the folder taken/scenario/2026-11-25: a file is in the way of a folder on that path\n' +
        '  hint: check the paths given to --output, --out, --parquet or --db, and the folders on their way\n',
    );
    expect(readFileSync(join(ws.dir, 'taken'), 'utf8')).toBe('a file');
  });

  it('counts a finding an exception now waives as newly waived, not as fixed', () => {
    cpSync(join(ws.dir, 'reports'), join(ws.dir, 'waive'), { recursive: true });
    const exception = join(ws.dir, 'scopes', 'scenario', 'waive-denials.yaml');
    writeFileSync(
      exception,
      'kind: ExceptionSet\ntenant: scenario\nexceptions:\n  - {rule: SG308, subject: "client:denied-app", reason: load test, owner: team-a, expires: 2026-12-31}\n',
    );
    try {
      expect(report('waive', '2026-11-26', ['--format', 'md']).status).toBe(0);
      const r = JSON.parse(read('waive', 'scenario/2026-11-26/report.json')) as ComplianceReport;
      expect(r.trend.waived.map((t) => `${t.ruleId} ${t.subject}`)).toEqual(['SG308 client:denied-app']);
      expect(r.trend.fixed.map((t) => `${t.ruleId} ${t.subject}`)).not.toContain('SG308 client:denied-app');
      expect(read('waive', 'scenario/2026-11-26/report.md')).toMatch(/Against the report of 2026-11-25: \d+ new, \d+ fixed, 1 newly waived, \d+ still open\.[\s\S]*Newly waived \(by an exception; still there\):\n\n- .*SG308/);
    } finally {
      rmSync(exception);
    }
  });

  it('leaves files beside the tenant folders alone (.gitkeep, a README) and still writes the index', () => {
    cpSync(join(ws.dir, 'reports'), join(ws.dir, 'kept'), { recursive: true });
    writeFileSync(join(ws.dir, 'kept', '.gitkeep'), '');
    writeFileSync(join(ws.dir, 'kept', 'README.md'), '# Compliance reports\n');
    const run = report('kept', '2026-11-26', ['--format', 'md']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(read('kept', 'index.md')).toContain('2026-11-26');
    expect(read('kept', 'README.md')).toBe('# Compliance reports\n');
  });
});

