/**
 * `scopeguard history --scope` on a generated repository: 2,000 commits touching a 1,000-scope registry (50 scope
 * files of 20 scopes, their action maps, 10 client files), written with `git fast-import` in one go. Prints the
 * command's wall time (goal: under 2 s) and how many commits it reported. Run alone: `npx tsx bench/history.bench.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const SCOPES = 1000;
const COMMITS = 2000;
const GROUP = 20;
const GROUPS = SCOPES / GROUP;
const CLIENT_FILES = 10;
const CLIENTS_PER_FILE = 10;
const SENSITIVITIES = ['low', 'medium', 'high', 'critical'];
const AUTHORS = ['ana@example.com', 'bob@example.com', 'chloe@example.com', 'dev@example.com'];

const scopeName = (i: number): string => `s${String(i).padStart(4, '0')}.access`;

/** Deterministic pseudo-random numbers, so every run builds the same repository. */
let seed = 42;
const random = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const scopeState = Array.from({ length: SCOPES }, (_, i) => ({ sensitivity: SENSITIVITIES[i % 4]!, revision: 0, actions: [`GET /v1/r${i}/{id}`] }));
/** Commits that touched each scope's entries, to follow the busiest one. */
const touches = new Array<number>(SCOPES).fill(1);
const clientState = Array.from({ length: CLIENT_FILES * CLIENTS_PER_FILE }, (_, i) => ({ scopes: [scopeName((i * 7) % SCOPES), scopeName((i * 13) % SCOPES)] }));

function scopesFile(group: number): string {
  const lines = ['kind: ScopeSet', 'tenant: acme', 'scopes:'];
  for (let i = group * GROUP; i < (group + 1) * GROUP; i++) {
    const s = scopeState[i]!;
    lines.push(`  ${scopeName(i)}:`, `    description: Access to resource ${i} (revision ${s.revision})`, `    sensitivity: ${s.sensitivity}`, `    owner: team-${group % 5}`);
  }
  return `${lines.join('\n')}\n`;
}

function actionsFile(group: number): string {
  const lines = ['kind: ActionMap', 'tenant: acme', 'actions:'];
  for (let i = group * GROUP; i < (group + 1) * GROUP; i++) lines.push(`  ${scopeName(i)}: [${scopeState[i]!.actions.map((a) => JSON.stringify(a)).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

function clientsFile(file: number): string {
  const lines = ['kind: ClientSet', 'tenant: acme', 'clients:'];
  for (let c = file * CLIENTS_PER_FILE; c < (file + 1) * CLIENTS_PER_FILE; c++) {
    lines.push(`  client-${c}:`, `    clientId: id${c}`, '    type: confidential', `    owner: team-${c % 5}`, `    scopes: [${[...new Set(clientState[c]!.scopes)].join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

function buildRepository(dir: string): void {
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const chunks: string[] = [];
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let mark = 0;
  const blob = (text: string): number => {
    mark += 1;
    chunks.push(`blob\nmark :${mark}\n${data(text)}`);
    return mark;
  };
  let previous = 0;
  const commit = (files: Record<string, string>, message: string, author: string, time: number): void => {
    const blobs = Object.entries(files).map(([path, text]) => [path, blob(text)] as const);
    mark += 1;
    chunks.push(
      `commit refs/heads/main\nmark :${mark}\nauthor Dev <${author}> ${time} +0000\ncommitter Dev <${author}> ${time} +0000\n${data(message)}` +
        (previous ? `from :${previous}\n` : '') +
        blobs.map(([path, m]) => `M 100644 :${m} ${path}\n`).join('') +
        '\n',
    );
    previous = mark;
  };
  const initial: Record<string, string> = { 'scopes/scopeguard.yaml': 'kind: Config\n' };
  for (let g = 0; g < GROUPS; g++) {
    initial[`scopes/acme/scopes-${g}.yaml`] = scopesFile(g);
    initial[`scopes/acme/actions-${g}.yaml`] = actionsFile(g);
  }
  for (let f = 0; f < CLIENT_FILES; f++) initial[`scopes/acme/clients-${f}.yaml`] = clientsFile(f);
  const start = 1_767_225_600; // 2026-01-01
  commit(initial, 'Initial registry', AUTHORS[0]!, start);
  for (let n = 1; n < COMMITS; n++) {
    const author = AUTHORS[random(AUTHORS.length)]!;
    const time = start + n * 3600;
    const kind = random(3);
    if (kind === 0) {
      const i = random(SCOPES);
      const s = scopeState[i]!;
      s.revision += 1;
      touches[i]! += 1;
      if (random(4) === 0) s.sensitivity = SENSITIVITIES[random(4)]!;
      const group = Math.floor(i / GROUP);
      commit({ [`scopes/acme/scopes-${group}.yaml`]: scopesFile(group) }, `Edit ${scopeName(i)}`, author, time);
    } else if (kind === 1) {
      const i = random(SCOPES);
      scopeState[i]!.actions.push(`POST /v1/r${i}/op${n}`);
      touches[i]! += 1;
      const group = Math.floor(i / GROUP);
      commit({ [`scopes/acme/actions-${group}.yaml`]: actionsFile(group) }, `Map ${scopeName(i)} (#${n})`, author, time);
    } else {
      const c = random(clientState.length);
      const granted = random(SCOPES);
      clientState[c]!.scopes.push(scopeName(granted));
      touches[granted]! += 1;
      const file = Math.floor(c / CLIENTS_PER_FILE);
      commit({ [`scopes/acme/clients-${file}.yaml`]: clientsFile(file) }, `Grant to client-${c}`, author, time);
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: chunks.join('') });
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir });
}

const root = resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { cwd: root });
const dir = mkdtempSync(join(tmpdir(), 'sg-history-bench-'));
try {
  let t = performance.now();
  buildRepository(dir);
  process.stdout.write(`repository: ${COMMITS} commits, ${SCOPES} scopes, built in ${((performance.now() - t) / 1000).toFixed(2)} s\n`);
  t = performance.now();
  spawnSync(process.execPath, [join(root, 'bin/scopeguard.js'), '--version'], { cwd: dir });
  process.stdout.write(`CLI start-up alone (scopeguard --version): ${((performance.now() - t) / 1000).toFixed(2)} s\n`);
  // the busiest scope (most commits to report) and a typical one
  const busiest = touches.indexOf(Math.max(...touches));
  for (const scope of [scopeName(busiest), scopeName(42)]) {
    t = performance.now();
    const result = spawnSync(process.execPath, [join(root, 'bin/scopeguard.js'), 'history', '--scope', scope, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    const seconds = (performance.now() - t) / 1000;
    if (result.status !== 0) throw new Error(`history failed: ${result.stderr}`);
    const commits = (JSON.parse(result.stdout) as { commits: unknown[] }).commits.length;
    process.stdout.write(`history --scope ${scope}: ${seconds.toFixed(2)} s wall (whole command, node start included), ${commits} commits reported (goal < 2 s)\n`);
  }
} finally {
  if (process.env.KEEP_BENCH_REPO) process.stdout.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
