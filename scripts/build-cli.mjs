// Bundles the CLI's TypeScript into one ES module under build/ so the installed bin starts fast and needs no
// TypeScript tooling at run time. The pure-JS packages every command loads at start are bundled in too: one file
// to compile instead of ~100 module resolutions and reads (~20 ms of every run). Every other dependency stays
// external and is loaded from node_modules when a command needs it (DuckDB, git, octokit, the Wasm SDK...).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const BUNDLED = new Set(['commander', 'js-yaml', 'yaml', 'ajv-formats']);
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name));

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'build/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // bundled CommonJS packages call require() for Node's built-in modules
  banner: { js: "import { createRequire as __scopeguardRequire } from 'node:module'; const require = __scopeguardRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
