// The bin's V8 code cache (bin/scopeguard.js): the real bin spawned on the real bundle, cache files on disk.
// SCOPEGUARD_DEBUG_CACHE=1 makes the loader say on stderr what it did with the cache (none/used/rejected/written).
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin/scopeguard.js');
const CHECK = ['check', '--registry', join(ROOT, 'scopes'), '--format', 'json', '--now', '2026-11-25'];
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  cache: string[];
}

interface RunOptions {
  bin?: string;
  nodeFlags?: string[];
  cwd?: string;
}

function run(args: string[], env: Record<string, string>, { bin = BIN, nodeFlags = [], cwd = ROOT }: RunOptions = {}): Run {
  const result = spawnSync(process.execPath, [...nodeFlags, bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SCOPEGUARD_DEBUG_CACHE: '1', ...env },
  });
  const cache = result.stderr.split('\n').filter((line) => line.startsWith('compile cache: '));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, cache };
}

function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/**
 * A copy of the installed package (bin, build, package.json; node_modules entries linked) in a temp folder, so the
 * default cache location, node_modules/.cache/scopeguard inside the package, can be observed and broken.
 */
function packageCopy(): string {
  const dir = tempDir('sg-cc-package-');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'build'));
  mkdirSync(join(dir, 'node_modules'));
  copyFileSync(BIN, join(dir, 'bin/scopeguard.js'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const file of ['cli.cjs', 'cli.cjs.map']) copyFileSync(join(ROOT, 'build', file), join(dir, 'build', file));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  return dir;
}

describe('compile cache', () => {
  it('is written after the first run and used by the second, one file per command', () => {
    const dir = join(tempDir('sg-cc-'), 'cache');
    const first = run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir });
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(first.cache[0]).toMatch(/^compile cache: none at .*cli-[0-9a-f]{20}-other\.cache$/);
    expect(first.cache[1]).toMatch(/^compile cache: written .*-other\.cache$/);
    expect(cacheFiles(dir)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{20}-other\.cache$/)]);

    const second = run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir });
    expect(second.stdout).toBe(first.stdout);
    expect(second.cache).toEqual([expect.stringMatching(/^compile cache: used .*-other\.cache$/)]);

    // another command gets its own file: the functions it compiles are not the ones --version did
    const help = run(['validate', '--help'], { SCOPEGUARD_COMPILE_CACHE: dir });
    expect(help.status).toBe(0);
    expect(help.cache[1]).toMatch(/written .*-validate\.cache$/);
    expect(cacheFiles(dir)).toHaveLength(2);
  });

  it('runs check (the bundled Wasm SDK, the compiled policy) from the cache with the same report as without one', () => {
    const dir = join(tempDir('sg-cc-'), 'cache');
    const uncached = run(CHECK, { SCOPEGUARD_COMPILE_CACHE: 'off' });
    expect(uncached.cache).toEqual(['compile cache: off']);
    expect(JSON.parse(uncached.stdout).findings.length).toBeGreaterThan(0);

    const first = run(CHECK, { SCOPEGUARD_COMPILE_CACHE: dir });
    const cached = run(CHECK, { SCOPEGUARD_COMPILE_CACHE: dir });
    expect(first.cache.at(-1)).toMatch(/written .*-check\.cache$/);
    expect(cached.cache).toEqual([expect.stringMatching(/^compile cache: used .*-check\.cache$/)]);
    for (const result of [first, cached]) {
      expect(result.status).toBe(uncached.status);
      expect(result.stdout).toBe(uncached.stdout);
    }
  });

  it('is written and used for a large registry too, whose load changes a V8 flag and restores it (src/heap.ts)', () => {
    const dir = join(tempDir('sg-cc-'), 'cache');
    const registry = join(tempDir('sg-cc-large-'), 'scopes');
    mkdirSync(registry);
    writeFileSync(join(registry, 'scopes.yaml'), 'kind: ScopeSet\ntenant: acme\nscopes:\n  read.data: {description: Read data, owner: team-data}\n');
    writeFileSync(join(registry, 'actions.yaml'), 'kind: ActionMap\ntenant: acme\nactions:\n  read.data: [GET /v1/data/**]\n');
    const clients = Array.from({ length: 3_000 }, (_, i) => `  client-${i}:\n    clientId: 0oa${i}abcdefghij\n    owner: team-${i % 7}\n    type: confidential\n    scopes: [read.data]`);
    writeFileSync(join(registry, 'clients.yaml'), `kind: ClientSet\ntenant: acme\nclients:\n${clients.join('\n')}\n`);
    // above the size at which the loader grows the young generation early
    expect(statSync(join(registry, 'clients.yaml')).size).toBeGreaterThan(256 * 1024);
    const args = ['--no-cache', 'check', '--registry', registry, '--format', 'json', '--now', '2026-11-25'];
    const first = run(args, { SCOPEGUARD_COMPILE_CACHE: dir });
    const second = run(args, { SCOPEGUARD_COMPILE_CACHE: dir });
    expect(first.status).toBe(0);
    expect(first.cache.at(-1)).toMatch(/written .*-check\.cache$/);
    expect(second.cache).toEqual([expect.stringMatching(/^compile cache: used .*-check\.cache$/)]);
    expect(second.stdout).toBe(first.stdout);
  });

  it('runs logs import and logs stats (DuckDB, imported dynamically) from the cache; import changes V8 flags and writes none', () => {
    const work = tempDir('sg-cc-logs-');
    const dir = join(work, 'cache');
    const db = join(work, 'audit.duckdb');
    const logs = (args: string[]): Run => run(['logs', ...args, '--db', db], { SCOPEGUARD_COMPILE_CACHE: dir }, { cwd: work });
    const imported = logs(['import', join(ROOT, 'test/logs/fixtures/gateway.ndjson'), '--tenant', 'acme']);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/imported 2 events/);
    // logs import turns on --expose-gc: V8 would reject a cache made under that flag at the next run
    expect(imported.cache.at(-1)).toBe('compile cache: not written: V8 flags changed during the run');
    expect(cacheFiles(dir)).toEqual([]);

    const first = logs(['stats']);
    expect(first.cache.at(-1)).toMatch(/written .*-logs\.cache$/);
    const cached = logs(['stats']);
    expect(cached.cache).toEqual([expect.stringMatching(/used .*-logs\.cache$/)]);
    expect(cached.status).toBe(0);
    expect(cached.stdout).toBe(first.stdout);
    expect(cached.stdout).toMatch(/tenant\s+acme\s+2/);
  });

  it('ignores a corrupt or truncated cache file and replaces it', () => {
    const dir = join(tempDir('sg-cc-'), 'cache');
    run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir });
    const [name] = cacheFiles(dir);
    const file = join(dir, name!);
    const good = readFileSync(file);

    for (const broken of [Buffer.from('not a V8 code cache at all\n'), good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      writeFileSync(file, broken);
      const result = run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir });
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(result.cache[0]).toBe(`compile cache: rejected ${file}`);
      expect(result.cache[1]).toBe(`compile cache: written ${file}`);
      expect(readFileSync(file).length).toBeGreaterThan(1000);
      expect(run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir }).cache).toEqual([`compile cache: used ${file}`]);
    }
  });

  it('runs the command when the cache folder cannot be created or written', () => {
    const work = tempDir('sg-cc-');
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    const result = run(CHECK, { SCOPEGUARD_COMPILE_CACHE: join(blocker, 'cache') });
    expect(result.cache).toEqual([expect.stringMatching(/^compile cache: cannot use .*a-file\/cache: ENOTDIR$/), 'compile cache: not used']);
    expect(result.status).toBe(run(CHECK, { SCOPEGUARD_COMPILE_CACHE: 'off' }).status);
    expect(JSON.parse(result.stdout).findings.length).toBeGreaterThan(0);
  });

  it('ignores a relative SCOPEGUARD_COMPILE_CACHE and writes nothing with off', () => {
    const work = tempDir('sg-cc-');
    const relative = run(['--version'], { SCOPEGUARD_COMPILE_CACHE: 'cache' }, { cwd: work });
    expect(relative.status).toBe(0);
    expect(relative.cache).toEqual(['compile cache: SCOPEGUARD_COMPILE_CACHE must be off or an absolute folder, not cache: no cache', 'compile cache: not used']);
    expect(readdirSync(work)).toEqual([]);

    const pkg = packageCopy();
    const off = run(['--version'], { SCOPEGUARD_COMPILE_CACHE: 'off', TMPDIR: work }, { bin: join(pkg, 'bin/scopeguard.js') });
    expect(off.status).toBe(0);
    expect(off.cache).toEqual(['compile cache: off']);
    expect(existsSync(join(pkg, 'node_modules/.cache'))).toBe(false);
    expect(readdirSync(work)).toEqual([]);
  });

  it('lives in node_modules/.cache/scopeguard of the package, else in a temp folder of the user own', () => {
    const pkg = packageCopy();
    const bin = join(pkg, 'bin/scopeguard.js');
    const temp = tempDir('sg-cc-tmp-');
    const env = { SCOPEGUARD_COMPILE_CACHE: '', TMPDIR: temp };

    expect(run(['--version'], env, { bin }).status).toBe(0);
    expect(cacheFiles(join(pkg, 'node_modules/.cache/scopeguard'))).toEqual([expect.stringMatching(/-other\.cache$/)]);
    expect(readdirSync(temp)).toEqual([]);

    // a package folder nobody may write (here: .cache is a file) sends the cache to the temp folder, mode 0700
    rmSync(join(pkg, 'node_modules/.cache'), { recursive: true });
    writeFileSync(join(pkg, 'node_modules/.cache'), '');
    const fallback = run(['--version'], env, { bin });
    expect(fallback.status).toBe(0);
    const own = join(temp, `scopeguard-compile-cache-${process.getuid!()}`);
    expect(fallback.cache.at(-1)).toMatch(new RegExp(`written ${own}/cli-[0-9a-f]{20}-other\\.cache$`));
    expect(statSync(own).mode & 0o777).toBe(0o700);

    // a temp folder others can write to is never trusted: a code cache is code
    rmSync(own, { recursive: true });
    mkdirSync(own);
    chmodSync(own, 0o777);
    const shared = run(['--version'], env, { bin });
    expect(shared.status).toBe(0);
    expect(shared.cache.slice(1)).toEqual([`compile cache: ${own} is not a folder only this user can write: no cache`, 'compile cache: not used']);
    expect(readdirSync(own)).toEqual([]);
  });

  it('never uses the cache of another build of the bundle, and keeps only a few builds', () => {
    const pkg = packageCopy();
    const bin = join(pkg, 'bin/scopeguard.js');
    const dir = join(tempDir('sg-cc-'), 'cache');
    const files: string[] = [];
    for (let rebuild = 0; rebuild < 5; rebuild++) {
      if (rebuild > 0) appendFileSync(join(pkg, 'build/cli.cjs'), `// rebuild ${rebuild}\n`);
      const result = run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir }, { bin });
      expect(result.status).toBe(0);
      expect(result.cache[0]).toMatch(/^compile cache: none at /);
      files.push(result.cache[0]!.replace(/^.* /, ''));
    }
    expect(new Set(files).size).toBe(5);
    // this build and the two most recent others
    expect(cacheFiles(dir).map((name) => join(dir, name)).sort()).toEqual(files.slice(2).sort());
  });

  it('survives concurrent first runs: one complete cache file, no temp files left', async () => {
    const dir = join(tempDir('sg-cc-'), 'cache');
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<number | null>((done) => {
          const child = spawn(process.execPath, [BIN, '--version'], { env: { ...process.env, SCOPEGUARD_COMPILE_CACHE: dir }, stdio: 'ignore' });
          child.on('close', done);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
    expect(cacheFiles(dir)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{20}-other\.cache$/)]);
    expect(run(['--version'], { SCOPEGUARD_COMPILE_CACHE: dir }).cache).toEqual([expect.stringMatching(/^compile cache: used /)]);
  });

  it('maps stack traces to the TypeScript sources with --verbose and runs with --enable-source-maps', () => {
    // a folder name longer than the file system allows (ENAMETOOLONG) is an error no check anticipates: the
    // unexpected-error path (a file in the way or a denied write are worded for the user instead)
    const work = tempDir('sg-cc-');
    const crashed = run([...CHECK, '--output', join(work, 'x'.repeat(300), 'report.json'), '--verbose'], {});
    expect(crashed.status).toBe(2);
    expect(crashed.stderr).toMatch(/scopeguard: unexpected error/);
    expect(crashed.stderr).toMatch(/at .*src\/cli\/\w+\.ts:\d+:\d+/);
    expect(crashed.stderr).not.toMatch(/build\/cli\.cjs/);

    const mapped = run(CHECK, { SCOPEGUARD_COMPILE_CACHE: 'off' }, { nodeFlags: ['--enable-source-maps'] });
    expect(mapped.cache).toEqual([]);
    expect(mapped.stdout).toBe(run(CHECK, { SCOPEGUARD_COMPILE_CACHE: 'off' }).stdout);
  });
});

describe('the CLI bundle', () => {
  const bundle = readFileSync(join(ROOT, 'build/cli.cjs'), 'latin1');

  it('is ASCII and leaves no dynamic import() for V8 to resolve', () => {
    expect(bundle).not.toMatch(/[^\x00-\x7f]/);
    expect(bundle).not.toMatch(/(?<![\w$.])import\s*\(/);
    expect(bundle.match(/_sgImp\("[^"]+"\)/g)?.length).toBeGreaterThanOrEqual(3);
    expect(bundle.trimEnd().endsWith('//# sourceMappingURL=cli.cjs.map')).toBe(true);
  });

  it('ships with the package: npm pack includes the loader, the bundle and its source map', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(packed.status).toBe(0);
    const [manifest] = JSON.parse(packed.stdout) as { files: { path: string }[] }[];
    const paths = manifest!.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/scopeguard.js', 'build/cli.cjs', 'build/cli.cjs.map', 'package.json']));
  });
});
