// Bundles the CLI's TypeScript into one CommonJS file, build/cli.cjs, so the installed bin starts fast and needs no
// TypeScript tooling at run time. The pure-JS packages every command loads at start are bundled in too: one file
// to compile instead of ~100 module resolutions and reads (~20 ms of every run), and so is the Wasm SDK that check
// loads (with its own yaml 1.x and sprintf-js: ~40 ms of module loading from node_modules, compiled from the code
// cache once bundled). Every other dependency stays external and is loaded from node_modules when a command needs
// it (DuckDB, git, octokit, ajv...).
//
// CommonJS, not an ES module, because bin/scopeguard.js compiles the bundle itself with vm.Script and a V8 code
// cache (Node 20 has no module.enableCompileCache). That loader wraps the text in a function with the CommonJS
// parameters plus one more, the dynamic-import function: code compiled from a V8 code cache in Node 20 has no
// dynamic-import callback ("A dynamic import callback was not specified"), so every `import("pkg")` of an external
// package is rewritten to a call of that parameter, which bin/ (an ES module of the same package) implements as
// `(specifier) => import(specifier)`. The build fails on any `import(` it cannot account for.
//
//   node scripts/build-cli.mjs [--outdir DIR]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The wrapper parameter bin/scopeguard.js passes; as long as `import`, so every source-map column stays exact. */
const DYNAMIC_IMPORT = '_sgImp';
/** Replaces `import.meta.url` in the bundle (CommonJS has no import.meta); defined by the banner from __filename. */
const MODULE_URL = '__scopeguardModuleUrl';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = resolve(outdirFlag >= 0 ? process.argv[outdirFlag + 1] : join(root, 'build'));
const outfile = join(outdir, 'cli.cjs');

const BUNDLED = new Set(['commander', 'js-yaml', 'yaml', 'ajv-formats', '@open-policy-agent/opa-wasm']);
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name));

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  define: { 'import.meta.url': MODULE_URL },
  banner: { js: `var ${MODULE_URL} = require("node:url").pathToFileURL(__filename).href;` },
  sourcemap: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

// a warning here is a bundle that misbehaves at run time (e.g. an import.meta property other than url, empty in CommonJS)
if (result.warnings.length > 0) throw new Error(`build-cli: ${result.warnings.length} esbuild warning(s), see above`);
const code = result.outputFiles.find((file) => file.path === outfile);
const map = result.outputFiles.find((file) => file.path === `${outfile}.map`);
if (!code || !map) throw new Error(`build-cli: esbuild wrote no ${outfile}`);
const text = asciiOnly(rewriteDynamicImports(code.text, dynamicImportsOf(result.metafile)));
mkdirSync(outdir, { recursive: true });
// the ES module bundle of earlier builds: npm pack would ship it beside the one the bin loads
for (const stale of ['cli.mjs', 'cli.mjs.map']) rmSync(join(outdir, stale), { force: true });
writeFileSync(`${outfile}.map`, map.contents);
writeFileSync(outfile, text);

/** The external packages the bundle imports dynamically, as esbuild's metafile records them. */
function dynamicImportsOf(metafile) {
  const output = metafile.outputs[relative(root, outfile).split('\\').join('/')];
  if (!output) throw new Error(`build-cli: ${outfile} missing from esbuild's metafile`);
  return new Set(output.imports.filter((entry) => entry.kind === 'dynamic-import' && entry.external).map((entry) => entry.path));
}

/**
 * `import("pkg")` → `_sgImp("pkg")` for each external package esbuild reports; anything else spelled `import(` (a
 * computed specifier, an unknown package, a string or comment that looks like one) stops the build, because the
 * loader could not run it from the code cache.
 */
function rewriteDynamicImports(source, specifiers) {
  if (source.includes(DYNAMIC_IMPORT)) throw new Error(`build-cli: the bundle already uses the name ${DYNAMIC_IMPORT}`);
  const unexplained = [];
  const rewritten = source.replace(/(?<![\w$.])import\s*\(\s*(?:"([^"\\]*)"\s*\))?/g, (match, specifier, offset) => {
    if (specifier !== undefined && specifiers.has(specifier) && match === `import("${specifier}")`) return `${DYNAMIC_IMPORT}("${specifier}")`;
    unexplained.push(`${basename(outfile)}:${lineOf(source, offset)}: ${source.slice(offset, offset + 60).split('\n')[0]}`);
    return match;
  });
  if (unexplained.length > 0) {
    throw new Error(
      `build-cli: dynamic import(s) the CLI loader cannot run from its code cache (use a string literal naming an external package):\n  ${unexplained.join('\n  ')}`,
    );
  }
  return rewritten;
}

/**
 * esbuild escapes non-ASCII characters in strings and identifiers but keeps them in comments; one such character
 * makes V8 hold the whole 1 MB source as a two-byte string, decoded from UTF-8 at every start. Escaped in comments
 * they mean the same; the loader then reads the file as Latin-1 (a copy, not a decode).
 */
function asciiOnly(source) {
  return source.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function lineOf(source, offset) {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}
