#!/usr/bin/env node
// Loads the bundled CLI (build/cli.cjs) with a V8 code cache, as v8-compile-cache does (Node 20 has no
// module.enableCompileCache): the bundle is compiled by vm.Script from the cached bytecode of the previous run, which
// saves most of its parse and compile time, including the functions compiled lazily while a command ran.
//
// - The cache is written after the command ran (beforeExit), so the functions the command needed are in it, and
//   only when there was none or V8 rejected it (another Node, other V8 flags). Written to a temp file and renamed:
//   concurrent runs never read a half-written cache. Any cache problem (read-only install, full disk, a corrupt file)
//   is ignored: the command runs as without a cache, and a rejected file is replaced.
// - The file name is a hash of the bundle's bytes, the Node version, platform, arch and start-up flags, so a rebuilt
//   bundle or another Node never meets an old cache (V8 itself checks little more than the source length).
// - Where: SCOPEGUARD_COMPILE_CACHE=<absolute dir> if set (off: no cache at all); else node_modules/.cache/scopeguard
//   in the package when writable, which only whoever can already change scopeguard's code can write and which goes
//   away with the install; else a folder of the user's own in the temp dir (mode 0700, owner checked), because a
//   code cache is code and must never be one another user could plant.
// - Node 20 gives code compiled from a cache no dynamic-import callback, so the bundle's `import("pkg")` calls were
//   rewritten at build time (scripts/build-cli.mjs) to a wrapper parameter implemented here, in an ES module of the
//   same package: bare specifiers resolve as they would from the bundle.
// - With source maps on (--enable-source-maps, or --verbose, whose stack traces then name src/*.ts), the bundle is
//   loaded by require() instead: Node 20 applies source maps to required files, not to vm.Script.
import { createRequire } from 'node:module';

// Node's built-ins through require(), not import: an ES import builds a namespace of every export, which runs lazy
// getters (node:crypto's webcrypto, node:fs's promises) and loads modules nothing here uses (~3 ms measured).
const requireFromHere = createRequire(import.meta.url);
const { isAscii } = requireFromHere('node:buffer');
const { createHash, randomBytes } = requireFromHere('node:crypto');
const { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } =
  requireFromHere('node:fs');
const { tmpdir } = requireFromHere('node:os');
const { basename, dirname, isAbsolute, join } = requireFromHere('node:path');
const { fileURLToPath } = requireFromHere('node:url');
const { Script } = requireFromHere('node:vm');

const bundlePath = fileURLToPath(new URL('../build/cli.cjs', import.meta.url));
const packageRoot = dirname(dirname(bundlePath));
const requireFromBundle = createRequire(bundlePath);
const dynamicImport = (specifier) => import(specifier);
const setting = process.env.SCOPEGUARD_COMPILE_CACHE ?? '';
const debug = process.env.SCOPEGUARD_DEBUG_CACHE === '1' ? (message) => process.stderr.write(`compile cache: ${message}\n`) : () => {};
/** Builds (bundle × Node version) whose caches are kept besides the current one. */
const KEEP_OTHER_BUILDS = 2;

if (process.argv.includes('--verbose') && !process.sourceMapsEnabled) process.setSourceMapsEnabled(true);

if (process.sourceMapsEnabled) {
  globalThis._sgImp = dynamicImport;
  requireFromBundle(bundlePath);
} else {
  runFromCodeCache();
}

// When the event loop has emptied, the command and its output are done (the code cache, registered before, is
// written first). Leaving through process.exit skips what a natural end does next, disposing V8's heap page by page:
// ~13 ms for a large registry (strace: 200 munmap calls of heap pages), which the kernel does anyway at exit.
process.once('beforeExit', () => process.exit());

function runFromCodeCache() {
  const bytes = readFileSync(bundlePath);
  // the build escapes every non-ASCII character, so Latin-1 is an exact and much cheaper decoding than UTF-8
  const source = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.utf8Slice(0, bytes.length);
  // one line, so line numbers in stack traces are the bundle's (and its source map's)
  const wrapper = `(function (exports, require, module, __filename, __dirname, _sgImp) {${source}\n})`;
  const cacheFile = setting === 'off' ? undefined : cacheFileFor(bytes);
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const script = new Script(wrapper, { filename: bundlePath, cachedData });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  if (cacheFile === undefined) debug(setting === 'off' ? 'off' : 'not used');
  else debug(accepted ? `used ${cacheFile}` : cachedData ? `rejected ${cacheFile}` : `none at ${cacheFile}`);
  if (cacheFile && !accepted) writeCacheBeforeExit(script, cacheFile);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, requireFromBundle, module, bundlePath, dirname(bundlePath), dynamicImport);
}

function cacheFileFor(bytes) {
  const dir = cacheDir();
  if (!dir) return undefined;
  const build = createHash('sha1')
    .update(bytes)
    .update(`\0${process.version}\0${process.platform}\0${process.arch}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 20);
  return join(dir, `cli-${build}-${commandName()}.cache`);
}

/**
 * One cache per command: each holds the functions its command compiled lazily (~30% of the cache for `check`),
 * which the first command run would otherwise decide for all. Global options come before the command and take no
 * value, so the first word is the command; anything else (--help, --version) shares one file.
 */
function commandName() {
  const word = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  return word !== undefined && /^[a-z][a-z-]{0,19}$/.test(word) ? word : 'other';
}

/** The first usable cache folder, created if missing; undefined when there is none. */
function cacheDir() {
  if (setting !== '') {
    if (!isAbsolute(setting)) {
      debug(`SCOPEGUARD_COMPILE_CACHE must be off or an absolute folder, not ${setting}: no cache`);
      return undefined;
    }
    return ensureDir(setting) ? setting : undefined;
  }
  const beside = join(packageRoot, 'node_modules', '.cache', 'scopeguard');
  if (ensureDir(beside)) return beside;
  const own = join(tmpdir(), `scopeguard-compile-cache-${process.getuid?.() ?? 'user'}`);
  if (!ensureDir(own, 0o700)) return undefined;
  if (process.getuid) {
    const stat = lstatSync(own);
    if (!stat.isDirectory() || stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0) {
      debug(`${own} is not a folder only this user can write: no cache`);
      return undefined;
    }
  }
  return own;
}

function ensureDir(dir, mode) {
  try {
    mkdirSync(dir, { recursive: true, mode });
    // a folder we cannot write to would leave every run compiling from source: try the next one
    accessSync(dir, constants.W_OK);
    return true;
  } catch (error) {
    debug(`cannot use ${dir}: ${error.code ?? error.message}`);
    return false;
  }
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch (error) {
    if (error.code !== 'ENOENT') debug(`cannot read ${file}: ${error.code ?? error.message}`);
    return undefined;
  }
}

function writeCacheBeforeExit(script, file) {
  // V8 rejects a cache made under other flags; a command that changes V8 flags while it runs (logs import turns on
  // --expose-gc) would otherwise write a cache that the next run rejects, every time
  const flagsAtStart = v8FlagsFingerprint();
  process.once('beforeExit', () => {
    // a mistyped command or bad input (exit 2) ran little of the code, and a typo must not leave a file behind
    if (process.exitCode === 2) {
      debug('not written: the command failed with exit 2');
      return;
    }
    if (v8FlagsFingerprint() !== flagsAtStart) {
      debug('not written: V8 flags changed during the run');
      return;
    }
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, file);
      debug(`written ${file}`);
      pruneOldCaches(dirname(file), file);
    } catch (error) {
      debug(`not written: ${error.code ?? error.message}`);
      try {
        unlinkSync(temp);
      } catch {
        // nothing was written
      }
    }
  });
}

/** The header V8 puts in any code cache: magic number, V8 version, source hash and flag hash (bytes 0-15). */
function v8FlagsFingerprint() {
  return new Script('0').createCachedData().subarray(0, 16).toString('hex');
}

/**
 * Keeps the caches of this build and of the few most recent other builds (another Node version sharing the install,
 * a rebuild in development); removes the rest, and temp files a killed run left (older than a minute: a younger one
 * may be a concurrent run's, about to be renamed).
 */
function pruneOldCaches(dir, current) {
  const buildOf = (name) => /^cli-([0-9a-f]+)-/.exec(name)?.[1];
  const currentBuild = buildOf(basename(current));
  const files = readdirSync(dir)
    .filter((name) => buildOf(name) !== undefined)
    .map((name) => ({ name, mtime: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  const newestOfBuild = new Map();
  for (const { name, mtime } of files) {
    if (name.endsWith('.cache')) newestOfBuild.set(buildOf(name), Math.max(mtime, newestOfBuild.get(buildOf(name)) ?? 0));
  }
  newestOfBuild.delete(currentBuild);
  const keptBuilds = new Set([currentBuild, ...[...newestOfBuild].sort((a, b) => b[1] - a[1]).slice(0, KEEP_OTHER_BUILDS).map(([build]) => build)]);
  for (const { name, mtime } of files) {
    const stale = name.endsWith('.tmp') ? mtime < Date.now() - 60_000 : !keptBuilds.has(buildOf(name));
    if (!stale) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // a concurrent run removed it first
    }
  }
}
