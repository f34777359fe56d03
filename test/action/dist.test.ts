// dist/ is committed so a workflow needs no `npm ci`; it must be exactly what the sources build to today.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness.ts';

function build(sourceRoot: string, outdir: string): void {
  execFileSync(process.execPath, [join(sourceRoot, 'scripts', 'build-action.mjs'), '--outdir', outdir], { cwd: sourceRoot, stdio: 'pipe' });
}

/** Differences between two folders: files missing on either side or with different bytes. */
function differences(committed: string, fresh: string): string[] {
  const names = new Set([...readdirSync(committed), ...readdirSync(fresh)]);
  const diffs: string[] = [];
  for (const name of [...names].sort()) {
    let a: Buffer | undefined;
    let b: Buffer | undefined;
    try {
      a = readFileSync(join(committed, name));
    } catch {
      /* missing */
    }
    try {
      b = readFileSync(join(fresh, name));
    } catch {
      /* missing */
    }
    if (!a || !b || !a.equals(b)) diffs.push(name);
  }
  return diffs;
}

describe('dist/', () => {
  it('matches a fresh build of the sources (run `npm run build:action` and commit dist/ when this fails)', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'scopeguard-dist-'));
    build(ROOT, fresh);
    expect(differences(join(ROOT, 'dist'), fresh)).toEqual([]);
  });

  it('is caught when stale: a source change that the committed bundle lacks', () => {
    // a copy of the project, built, then a source change after dist/ was built
    const copy = mkdtempSync(join(tmpdir(), 'scopeguard-stale-'));
    for (const entry of ['src', 'scripts', 'policies', 'dist', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    execFileSync('ln', ['-s', join(ROOT, 'node_modules'), join(copy, 'node_modules')]);
    build(copy, join(copy, 'dist'));
    const unchanged = mkdtempSync(join(tmpdir(), 'scopeguard-dist-'));
    build(copy, unchanged);
    expect(differences(join(copy, 'dist'), unchanged)).toEqual([]);

    const comment = join(copy, 'src', 'action', 'comment.ts');
    writeFileSync(comment, readFileSync(comment, 'utf8').replace('scopeguard: pass', 'scopeguard: looks fine'));
    const fresh = mkdtempSync(join(tmpdir(), 'scopeguard-dist-'));
    build(copy, fresh);
    expect(differences(join(copy, 'dist'), fresh)).toEqual(['index.js']);
  });

  it('bundles everything: no DuckDB, no native modules, no bare imports left but Node built-ins', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8');
    expect(bundle).not.toMatch(/\.node['"]/);
    // DuckDB's code is not in the bundle: its one mention is the run-time require from the workspace's node_modules
    expect([...bundle.matchAll(/^.*@duckdb.*$/gm)].map((m) => m[0].trim())).toEqual([
      expect.stringMatching(/createRequire\d*\(.*\)\(["']@duckdb\/node-api["']\)/),
    ]);
    const bare = [...bundle.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1]);
    expect(bare.every((specifier) => specifier?.startsWith('node:') || /^[a-z_]+$/.test(specifier ?? ''))).toBe(true);
    expect(readdirSync(join(ROOT, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'policy.wasm', 'manifest.json']));
  });
});
