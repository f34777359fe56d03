// The bundled Action in report mode (the scheduled compliance workflow): one folder per tenant and day.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './fake-github.ts';
import { ROOT, TempRepo, baseRegistry, runAction } from './harness.ts';

let github: FakeGitHub;
let repo: TempRepo;

beforeEach(async () => {
  github = await startFakeGitHub();
  repo = new TempRepo();
  repo.commit(baseRegistry(), 'Initial registry');
});

afterEach(async () => {
  await github.close();
});

describe('report mode', () => {
  it('writes what `scopeguard report` writes under reports/<tenant>/<date>/, and sets report-path', async () => {
    const run = await runAction({ repo, apiUrl: github.url, event: { ref: 'refs/heads/main' }, inputs: { mode: 'report' } });
    const day = new Date().toISOString().slice(0, 10);
    const folder = join(repo.dir, 'reports', 'acme', day);

    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(run.code).toBe(0);
    expect(run.outputs['report-path']).toBe(folder);
    for (const file of ['report.md', 'report.json', 'report.html', 'report.sarif']) expect(existsSync(join(folder, file)), file).toBe(true);
    expect(existsSync(join(repo.dir, 'reports', 'index.md'))).toBe(true);
    const json = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as { findings: Array<{ ruleId: string; subject: string }> };
    expect(json.findings).toContainEqual(expect.objectContaining({ ruleId: 'SG101', subject: 'scope:legacy.export' }));
    expect(run.outputs.findings).toBe(String(json.findings.length));
    expect(run.summary).toContain('SG101');
    expect(github.requests).toHaveLength(0); // a report talks to nobody
  });

  it('includes usage when the workflow ran npm ci and imported logs; says why not otherwise', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const event = { eventId: 'shadow-1', tenant: 'acme', provider: 'scopeguard', time: new Date(Date.now() - 86_400_000).toISOString(),
      type: 'token.issued', rawType: 'token', outcome: 'success', clientId: '0oaSHADOWCLIENT', scopes: ['read.data'] };
    writeFileSync(join(repo.dir, 'events.ndjson'), `${JSON.stringify(event)}\n`);
    const imported = spawnSync(process.execPath, [join(ROOT, 'bin', 'scopeguard.js'), 'logs', 'import', 'events.ndjson', '--tenant', 'acme', '--provider', 'scopeguard'], { cwd: repo.dir, encoding: 'utf8' });
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    const report = (): { usage: { available: boolean; reason?: string }; findings: Array<{ ruleId: string }> } =>
      JSON.parse(readFileSync(join(repo.dir, 'reports', 'acme', day, 'report.json'), 'utf8'));

    const without = await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'report' } });
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('::notice::scopeguard: the report leaves usage out');
    expect(report().usage).toMatchObject({ available: false, reason: expect.stringContaining('npm ci') });

    symlinkSync(join(ROOT, 'node_modules'), join(repo.dir, 'node_modules'), 'dir'); // what `npm ci` leaves in the workspace
    const withUsage = await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'report' } });
    expect(withUsage.stdout + withUsage.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(withUsage.code).toBe(0);
    expect(report().usage.available).toBe(true);
    expect(report().findings).toContainEqual(expect.objectContaining({ ruleId: 'SG306' }));
  });

  it('a rerun on the same day writes the same files, so the workflow has nothing to commit', async () => {
    await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'report' } });
    const folder = join(repo.dir, 'reports', 'acme', new Date().toISOString().slice(0, 10));
    const files = ['report.md', 'report.json', 'report.html', 'report.sarif'].map((file) => join(folder, file));
    const first = files.map((file) => readFileSync(file, 'utf8'));
    const again = await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'report' } });
    expect(again.code).toBe(0);
    expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(first);
    // the day's report describes the day's start: whole days of usage, no time of day that changes between runs
    expect((JSON.parse(first[1]!) as { generatedAt: string }).generatedAt).toMatch(/T00:00:00\.000Z$/);
  });

  it('cuts a job summary over GitHub’s limit at a line and says where the whole report is', async () => {
    const many = Array.from({ length: 4000 }, (_, i) => `  app-${i}:\n    clientId: 0oa8m${i}\n    type: public\n    scopes: [read.data]\n`).join('');
    repo.commit({ 'scopes/acme/clients.yaml': `kind: ClientSet\ntenant: acme\nclients:\n${many}` }, 'Many public apps');
    const run = await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'report' } });
    expect(run.code).toBe(0);
    expect(Buffer.byteLength(run.summary, 'utf8')).toBeLessThanOrEqual(1_000_000);
    expect(run.summary).toMatch(/… cut to fit GitHub's job summary limit; the whole report is in `[^`]+reports\/acme\/\d{4}-\d{2}-\d{2}`\.\n$/);
  }, 120_000);

  it('fails with one clear line when the registry is broken', async () => {
    repo.commit({ 'scopes/acme/clients.yaml': 'kind: ClientSet\ntenant: acme\nclients:\n  x: {type: nope}\n' }, 'Broken');
    const run = await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'report' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::scopeguard: /m);
    expect(run.stdout).toMatch(/^::error file=scopes\/acme\/clients\.yaml,line=4/m);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('rejects an unknown input value in one line', async () => {
    const run = await runAction({ repo, apiUrl: github.url, event: {}, inputs: { mode: 'nightly' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::scopeguard: input `mode` is "nightly"; expected one of: pull-request, report');
  });
});
