// Text output goes to a terminal and annotations to a job log: YAML text must carry no escape sequence, no bidirectional
// control and no line break of its own there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/scopeguard.js');

describe('check --format text', () => {
  it('shows control characters from YAML as U+FFFD instead of sending them to the terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-terminal-'));
    mkdirSync(join(dir, 'scopes'));
    writeFileSync(
      join(dir, 'scopes', 'registry.yaml'),
      [
        'kind: ScopeSet',
        'tenant: acme',
        'scopes:',
        '  read.x: {description: Read x}',
        '---',
        'kind: ActionMap',
        'tenant: acme',
        'actions:',
        '  read.x: [GET /v1/x]',
        '---',
        'kind: ExceptionSet',
        'tenant: acme',
        'exceptions:',
        '  - {rule: SG101, subject: "scope:read.x", reason: "\\e[2Jscreen wiped", expires: 2099-01-01}',
        '',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [BIN, 'check', '--now', '2026-11-25'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('waived until 2099-01-01: \uFFFD[2Jscreen wiped');
    expect(run.stdout).not.toContain('\x1b');
  });
});

// What YAML's own escapes can put in a name: a colour, bidirectional overrides, isolates and marks (the "Trojan Source"
// trick: U+202E makes "read.redro" read as "read.order"), and a newline that starts a line of its own.
const ACTING = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function project(registry: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-terminal-'));
  mkdirSync(join(dir, 'scopes'));
  writeFileSync(join(dir, 'scopes', 'registry.yaml'), registry);
  return dir;
}

const checkIn = (dir: string, ...args: string[]) => spawnSync(process.execPath, [BIN, 'check', '--now', '2026-11-25', ...args], { cwd: dir, encoding: 'utf8' });

describe('check: names from YAML with bidirectional controls and escapes', () => {
  const registry = [
    'kind: ScopeSet',
    'tenant: acme',
    'scopes:',
    '  "read.\\u202eredro\\u202c": {description: Read orders}',
    '  "read.\\u2066x\\u2069.\\u200fy\\u200e.\\u061cz": {description: Read x}',
    '  "read.caf\\u00e9.\\u65e5\\u672c\\u001b[31m": {description: Read coffee}',
    '',
  ].join('\n');

  it('text: each shows U+FFFD where one was, é and 日本 stay', () => {
    const result = checkIn(project(registry));
    expect(result.stderr).toBe('');
    for (const line of result.stdout.split('\n')) expect(line, JSON.stringify(line)).not.toMatch(ACTING);
    expect(result.stdout).toContain('  SG104  acme  scope:read.\uFFFDredro\uFFFD  scopes/registry.yaml:4:3\n');
    expect(result.stdout).toContain('  SG104  acme  scope:read.\uFFFDx\uFFFD.\uFFFDy\uFFFD.\uFFFDz  scopes/registry.yaml:5:3\n');
    expect(result.stdout).toContain('  SG104  acme  scope:read.café.日本\uFFFD[31m  scopes/registry.yaml:6:3\n');
  });

  it('github: annotations carry U+FFFD too, one line each, with only GitHub\'s own escapes', () => {
    const result = checkIn(project(registry), '--format', 'github');
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    const annotations = lines.filter((line) => line.startsWith('::'));
    // every line but the summary is an annotation: no name started a line of its own
    expect(annotations).toHaveLength(lines.length - 1);
    for (const line of lines) expect(line, JSON.stringify(line)).not.toMatch(ACTING);
    expect(annotations).toContain(
      '::warning file=scopes/registry.yaml,line=4,col=3,title=SG104 Scope with no actions in the action map::scope read.\uFFFDredro\uFFFD has no actions in the action map [acme scope:read.\uFFFDredro\uFFFD]%0AAdd the scope to the tenant\'s ActionMap with the requests it allows (e.g. `GET /v1/orders/**`).',
    );
    expect(result.stdout).toContain('[acme scope:read.\uFFFDx\uFFFD.\uFFFDy\uFFFD.\uFFFDz]');
    expect(result.stdout).toContain('[acme scope:read.café.日本\uFFFD[31m]');
  });
});

describe('check: a registry that does not load', () => {
  const registry = [
    'kind: ClientSet',
    'tenant: acme',
    'clients:',
    '  shop: {clientId: 0oa1, type: public, scopes: ["read.\\u001b[31mred\\u202eevil", "read.x\\nscopes/evil.yaml:1:1  forged problem"]}',
    '',
  ].join('\n');

  it('text: the problems on stderr show U+FFFD, and a newline in a name forges no file:line:col line', () => {
    const result = checkIn(project(registry));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'scopes/registry.yaml:4:49  client "shop" is granted the unknown scope "read.\uFFFD[31mred\uFFFDevil"  (define it in a ScopeSet of tenant "acme")',
      'scopes/registry.yaml:4:81  client "shop" is granted the unknown scope "read.x\uFFFDscopes/evil.yaml:1:1  forged problem"  (define it in a ScopeSet of tenant "acme")',
      'scopeguard: 2 problems in the registry',
    ]);
  });

  it('github: one error annotation per problem, no escape sequence or override in the log', () => {
    const result = checkIn(project(registry), '--format', 'github');
    expect(result.status).toBe(2);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      '::error file=scopes/registry.yaml,line=4,col=49,title=scopeguard%3A reference::client "shop" is granted the unknown scope "read.\uFFFD[31mred\uFFFDevil"%0Adefine it in a ScopeSet of tenant "acme"',
      '::error file=scopes/registry.yaml,line=4,col=81,title=scopeguard%3A reference::client "shop" is granted the unknown scope "read.x\uFFFDscopes/evil.yaml:1:1  forged problem"%0Adefine it in a ScopeSet of tenant "acme"',
      '::error title=scopeguard::2 problems in the registry',
    ]);
  });
});

describe('check --format text on a real terminal', () => {
  // script(1) runs the command with a pseudo-terminal as its stdout, as a developer's shell does
  const script = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
  const onTerminal = (env: NodeJS.ProcessEnv): string => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} check --now 2026-11-25`;
    const run = spawnSync(script!, ['-qec', command, '/dev/null'], { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', env });
    return run.stdout;
  };

  it.skipIf(!script)('is coloured on a terminal, and plain with NO_COLOR or when piped', () => {
    const { NO_COLOR: _unset, ...env } = process.env;
    const coloured = onTerminal(env);
    expect(coloured).toContain('SG103');
    expect(coloured).toMatch(/\x1b\[[0-9;]*m/);
    const plain = onTerminal({ ...env, NO_COLOR: '1' });
    expect(plain).toContain('SG103');
    expect(plain).not.toMatch(/\x1b\[[0-9;]*m/);
    const piped = spawnSync(process.execPath, [BIN, 'check', '--now', '2026-11-25'], { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', env });
    expect(piped.stdout).toContain('SG103');
    expect(piped.stdout).not.toContain('\x1b');
  });
});
