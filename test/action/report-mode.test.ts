// The bundled Action in report mode (the scheduled compliance workflow): one folder per tenant and day.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './fake-github.ts';
import { TempRepo, baseRegistry, runAction } from './harness.ts';

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
