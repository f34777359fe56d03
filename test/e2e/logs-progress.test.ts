// The import's progress bar is for a person at a terminal: shown on a TTY, never in pipes, CI logs or with --quiet.
// `script` (util-linux) gives the child a real pseudo-terminal.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../logs/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/scopeguard.js');

function importOnTerminal(extra: string): string {
  const db = join(tempDir(), 'audit.duckdb');
  // CI=true would turn the bar off (CI logs are not terminals); the point here is the terminal itself
  const command = `env -u CI ${process.execPath} ${BIN} ${extra} logs import scopes/logs/acme --db ${db}`;
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('logs import progress', () => {
  it('shows a bar with events/s on a terminal, then the summary line', () => {
    const screen = importOnTerminal('');
    expect(screen).toMatch(/scopes\/logs\/acme\/okta\.ndjson .* \d+ events \| \d+ events\/s/);
    expect(screen).toMatch(/imported \d+ events from 2 files/);
  });

  it('stays quiet on a terminal with --quiet', () => {
    const screen = importOnTerminal('--quiet');
    expect(screen).not.toContain('events/s');
    expect(screen).toMatch(/imported \d+ events from 2 files/);
  });

  it('stays quiet when stderr is a pipe', () => {
    const run = spawnSync(process.execPath, [BIN, 'logs', 'import', 'scopes/logs/acme', '--db', join(tempDir(), 'audit.duckdb')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CI: '' },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^imported \d+ events from 2 files/);
  });
});
