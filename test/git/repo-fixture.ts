/** Real git repositories in temp folders, with commits by chosen authors at chosen dates. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface Author {
  name: string;
  email: string;
}

export const ANA: Author = { name: 'Ana Owner', email: 'ana@example.com' };
export const BOB: Author = { name: 'Bob Orders', email: 'bob@example.com' };
export const MALLORY: Author = { name: 'Mallory', email: 'mallory@example.com' };

export class TestRepo {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'sg-git-'));
    if (!dir) this.git(['init', '-q', '-b', 'main'], ANA, '2026-01-01T00:00:00Z');
  }

  git(args: string[], author: Author = ANA, date = '2026-01-01T00:00:00Z'): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: this.dir,
      },
    });
  }

  write(path: string, content: string): void {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  writeBytes(path: string, content: Buffer): void {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  move(from: string, to: string): void {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    renameSync(join(this.dir, from), join(this.dir, to));
  }

  commit(message: string, author: Author, date: string): string {
    this.git(['add', '-A'], author, date);
    this.git(['commit', '-q', '--allow-empty', '-m', message], author, date);
    return this.git(['rev-parse', 'HEAD']).trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const BIN = resolve(import.meta.dirname, '../../bin/scopeguard.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function scopeguard(args: string[], cwd: string): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A `--depth 1` clone of `dir` in a new temp folder: what actions/checkout gives without fetch-depth: 0. */
export function shallowCloneOf(dir: string): string {
  const shallow = mkdtempSync(join(tmpdir(), 'sg-shallow-'));
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${dir}`, shallow]);
  return shallow;
}
