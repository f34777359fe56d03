// The import's progress bar is for a person at a terminal: shown on a TTY, never in pipes, CI logs or with --quiet.
// `script` (util-linux) gives the child a real pseudo-terminal.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
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

/**
 * The lines a terminal shows after `output`: text overwrites at the cursor; CR, LF, cursor save/restore (ESC 7/8),
 * column moves (CSI G), cursor moves (CSI A/B/C/D) and line erases (CSI K) are followed; other controls are ignored.
 */
function screen(output: string): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  let saved = { row: 0, col: 0 };
  const line = (): string[] => (rows[row] ??= []);
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === '\x1b') {
      const next = output[i + 1];
      if (next === '7') saved = { row, col };
      else if (next === '8') ({ row, col } = saved);
      if (next !== '[') {
        i += 1;
        continue;
      }
      const csi = /^\[([?\d;]*)([A-Za-z])/.exec(output.slice(i + 1))!;
      i += csi[0].length;
      const n = Number(csi[1]!.split(';')[0] || (csi[2] === 'K' ? 0 : 1));
      if (csi[1]!.startsWith('?')) continue;
      if (csi[2] === 'G') col = n - 1;
      else if (csi[2] === 'A') row = Math.max(0, row - n);
      else if (csi[2] === 'B') row += n;
      else if (csi[2] === 'C') col += n;
      else if (csi[2] === 'D') col = Math.max(0, col - n);
      else if (csi[2] === 'K') rows[row] = n === 0 ? line().slice(0, col) : n === 1 ? line().map((c, j) => (j <= col ? ' ' : c)) : [];
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') row += 1;
    else {
      const cells = line();
      while (cells.length < col) cells.push(' ');
      cells[col++] = ch;
    }
  }
  return Array.from({ length: rows.length }, (_, r) => (rows[r] ?? []).join('').trimEnd()).filter((text, r, all) => text !== '' || r < all.length - 1);
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

  it('writes a notice on a line of its own, not onto the bar, and leaves no bar behind', () => {
    const dir = tempDir();
    // outside every source: the provider is detected, and said while the bar is up
    const file = join(dir, 'okta.ndjson');
    copyFileSync(join(ROOT, 'scopes/logs/acme/okta.ndjson'), file);
    const command = `env -u CI ${process.execPath} ${BIN} logs import ${file} --tenant acme --db ${join(dir, 'audit.duckdb')}`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('events/s');
    const lines = screen(run.stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${file}: detected provider okta`);
    expect(lines[1]).toMatch(/^imported \d+ events from 1 file, /);
  });
});
