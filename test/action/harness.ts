/**
 * Runs the bundled Action (dist/index.js) as GitHub would: a child process with the runner's environment, an
 * event payload from @octokit/webhooks-examples patched to point at a real temp git repository, and INPUT_*
 * variables named the way the runner names them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const DIST_ENTRY = join(ROOT, 'dist', 'index.js');

export const HOSTILE = '| <img src=x onerror=alert(1)> @everyone [x](javascript:alert(1))';

export class TempRepo {
  readonly dir: string;

  constructor(cloneOf?: { repo: TempRepo; branch: string; depth: number }) {
    this.dir = mkdtempSync(join(tmpdir(), 'scopeguard-action-'));
    if (cloneOf) {
      this.git('clone', '-q', '--depth', String(cloneOf.depth), '--branch', cloneOf.branch, `file://${cloneOf.repo.dir}`, '.');
    } else {
      this.git('init', '-q', '-b', 'main');
    }
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ana',
        GIT_AUTHOR_EMAIL: 'ana@example.com',
        GIT_COMMITTER_NAME: 'Ana',
        GIT_COMMITTER_EMAIL: 'ana@example.com',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: this.dir,
      },
    }).trim();
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      const full = join(this.dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }

  /** Writes the files, commits them and returns the new commit's sha. */
  commit(files: Record<string, string>, message: string): string {
    this.write(files);
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}

export const CONFIG = `kind: Config
failOn: high
`;

export const SCOPES = `kind: ScopeSet
tenant: acme
scopes:
  read.data:
    description: Read customer data records
    sensitivity: high
    owner: team-data
  read.profile:
    description: Read the signed-in user's profile
    sensitivity: low
    owner: team-identity
  legacy.export:
    description: Old bulk export
    sensitivity: low
`;

export const ACTIONS = `kind: ActionMap
tenant: acme
actions:
  read.data: [GET /v1/data/**]
  read.profile: [GET /v1/profile]
  legacy.export: [GET /v1/export]
`;

export function clients(extra = ''): string {
  return `kind: ClientSet
tenant: acme
clients:
  billing-service:
    clientId: 0oa8f3k2billing
    owner: team-billing
    type: confidential
    scopes: [read.data]
    justification:
      read.data: reconciles invoices against customer records
${extra}`;
}

/** The registry every test repository starts from; `legacy.export` has no owner (a pre-existing finding). */
export function baseRegistry(): Record<string, string> {
  return {
    'scopes/scopeguard.yaml': CONFIG,
    'scopes/acme/scopes.yaml': SCOPES,
    'scopes/acme/actions.yaml': ACTIONS,
    'scopes/acme/clients.yaml': clients(),
    'README.md': '# test repository\n',
  };
}

type WebhookExample = { name: string; examples: Array<Record<string, unknown> & { action?: string }> };

/** A pull_request event from the webhook examples, pointed at our repository and commits. */
export function pullRequestEvent(
  action: 'opened' | 'synchronize',
  options: { baseSha: string; headSha: string; number?: number; fork?: boolean },
): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const index = require('@octokit/webhooks-examples') as WebhookExample[];
  const example = index.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === action);
  if (!example) throw new Error(`no pull_request.${action} example`);
  const event = structuredClone(example) as {
    number: number;
    pull_request: { number: number; base: { sha: string; repo: { full_name: string } }; head: { sha: string; repo: { full_name: string; fork: boolean } } };
    repository: { full_name: string; name: string; owner: { login: string } };
  };
  const number = options.number ?? 7;
  event.number = number;
  event.pull_request.number = number;
  event.pull_request.base.sha = options.baseSha;
  event.pull_request.head.sha = options.headSha;
  event.pull_request.base.repo.full_name = 'acme/scopes';
  event.pull_request.head.repo.full_name = options.fork ? 'someone/scopes' : 'acme/scopes';
  event.pull_request.head.repo.fork = Boolean(options.fork);
  event.repository.full_name = 'acme/scopes';
  event.repository.name = 'scopes';
  event.repository.owner.login = 'acme';
  return event as unknown as Record<string, unknown>;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  /** What the run left in its temporary folder (TMPDIR): nothing, when it cleans up after itself. */
  leftInTemp: string[];
}

/** Runs an Action bundle with the runner's environment; resolves when it exits. */
export async function runAction(options: {
  repo: TempRepo;
  apiUrl: string;
  event?: Record<string, unknown>;
  inputs?: Record<string, string>;
  entry?: string;
  /** GITHUB_WORKSPACE when the repository is checked out into a folder of it (actions/checkout's `path:`). */
  workspace?: string;
}): Promise<ActionRun> {
  const runnerDir = mkdtempSync(join(tmpdir(), 'scopeguard-runner-'));
  const eventPath = join(runnerDir, 'event.json');
  const summaryPath = join(runnerDir, 'summary.md');
  const outputPath = join(runnerDir, 'output.txt');
  writeFileSync(eventPath, JSON.stringify(options.event ?? {}));
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  const tempDir = join(runnerDir, 'tmp');
  mkdirSync(tempDir);

  // action.yml defaults, as the runner fills them in, then the test's inputs
  const inputs: Record<string, string> = {
    registry: 'scopes',
    mode: 'pull-request',
    'fail-on': '',
    comment: 'true',
    'github-token': 'ghs_testtoken',
    'sarif-file': '',
    'report-dir': 'reports',
    policy: '',
    ...options.inputs,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runnerDir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event && 'pull_request' in options.event ? 'pull_request' : 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/scopes',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_WORKSPACE: options.workspace ?? options.repo.dir,
    GITHUB_SHA: options.repo.git('rev-parse', 'HEAD'),
    RUNNER_TEMP: runnerDir,
    TMPDIR: tempDir,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const child = spawn(process.execPath, [options.entry ?? DIST_ENTRY], { cwd: options.workspace ?? options.repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((done) => child.on('close', done));

  return {
    code,
    stdout,
    stderr,
    summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '',
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    leftInTemp: readdirSync(tempDir),
  };
}

/** GITHUB_OUTPUT uses `name<<delimiter` heredocs. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = lines[i]?.match(/^([^<]+)<<(.+)$/);
    if (!match) continue;
    const [, name = '', delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}
