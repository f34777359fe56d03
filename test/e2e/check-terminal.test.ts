// Text output goes to a terminal: YAML text (an exception's reason here) must not carry escape sequences there.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
