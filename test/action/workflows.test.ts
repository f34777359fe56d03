// The workflows and action.yml parse, carry the keys GitHub needs, and pin every third-party action to a full
// commit SHA; actionlint checks them too when it is installed (.tools/bin/actionlint or on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './harness.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name?: string;
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs?: Record<string, { 'runs-on'?: string; steps?: Step[] }>;
}

const WORKFLOW_DIR = join(ROOT, '.github', 'workflows');

function workflow(name: string): { text: string; parsed: Workflow } {
  const text = readFileSync(join(WORKFLOW_DIR, name), 'utf8');
  return { text, parsed: parse(text) as Workflow };
}

function steps(w: Workflow): Step[] {
  return Object.values(w.jobs ?? {}).flatMap((job) => job.steps ?? []);
}

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    runs: { using: string; main: string };
    inputs: Record<string, { default?: string }>;
    outputs: Record<string, unknown>;
  };

  it('runs the committed bundle on node24 with the documented inputs and outputs', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(Object.keys(action.inputs).sort()).toEqual(['comment', 'fail-on', 'github-token', 'mode', 'policy', 'registry', 'report-dir', 'sarif-file']);
    expect(action.inputs.registry?.default).toBe('scopes');
    expect(action.inputs['github-token']?.default).toBe('${{ github.token }}');
    expect(Object.keys(action.outputs).sort()).toEqual(['comment-url', 'findings', 'new-findings', 'report-path', 'verdict']);
  });
});

describe('workflows', () => {
  const files = readdirSync(WORKFLOW_DIR).filter((f) => f.endsWith('.yml'));

  it('exist: ci, scope-review, compliance-report', () => {
    expect(files.sort()).toEqual(['ci.yml', 'compliance-report.yml', 'scope-review.yml']);
  });

  it.each(files)('%s pins every third-party action to a full commit SHA with a version comment', (file) => {
    const { text, parsed } = workflow(file);
    expect(parsed.name).toBeTruthy();
    expect(parsed.on).toBeTruthy();
    const uses = steps(parsed).flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      if (use.startsWith('./')) continue;
      expect(use, `${file}: ${use}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(text, `${file}: ${use} needs a "# vX.Y.Z" comment`).toMatch(new RegExp(`${use.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} # v\\d+\\.\\d+\\.\\d+`));
    }
  });

  it('ci runs the README test command on Node 20', () => {
    const { parsed } = workflow('ci.yml');
    const all = steps(parsed);
    expect(all.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(true);
    expect(all.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(20);
    expect(all.some((s) => s.run?.trim() === 'bash .ci/run')).toBe(true);
  });

  it('scope-review runs the local action on registry and policy changes, with full history, and uploads SARIF', () => {
    const { parsed } = workflow('scope-review.yml');
    expect((parsed.on?.pull_request as { paths: string[] }).paths).toEqual(['scopes/**', 'policies/**']);
    expect(parsed.permissions).toMatchObject({ 'pull-requests': 'write', 'security-events': 'write' });
    const all = steps(parsed);
    expect(all.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
    const local = all.find((s) => s.uses === './');
    expect(local?.with?.['sarif-file']).toBeTruthy();
    expect(all.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))?.with?.sarif_file).toBe(local?.with?.['sarif-file']);
  });

  it('compliance-report runs report mode on a schedule and by hand, and proposes the report as a pull request', () => {
    const { parsed } = workflow('compliance-report.yml');
    expect(Object.keys(parsed.on ?? {}).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const all = steps(parsed);
    expect(all.find((s) => s.uses === './')?.with?.mode).toBe('report');
    expect(all.some((s) => s.run?.includes('gh pr create') && s.run.includes('git add reports'))).toBe(true);
    expect(parsed.permissions).toMatchObject({ contents: 'write', 'pull-requests': 'write' });
  });

  const actionlint = [join(ROOT, '.tools', 'bin', 'actionlint'), 'actionlint'].find((candidate) =>
    candidate.includes('/') ? existsSync(candidate) : spawnSync(candidate, ['-version']).status === 0,
  );
  if (!actionlint) {
    process.stderr.write(
      'workflows.test: actionlint not installed; skipping it (GOBIN=$PWD/.tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)\n',
    );
  }
  it.skipIf(!actionlint)('actionlint finds nothing', () => {
    const output = execFileSync(actionlint!, files.map((f) => join('.github', 'workflows', f)), { cwd: ROOT, encoding: 'utf8' });
    expect(output).toBe('');
  });
});
