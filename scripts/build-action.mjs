// Bundles the GitHub Action (src/action/main.ts) with every dependency into dist/index.js, so a workflow that
// uses the action needs no `npm ci`, and copies the compiled policy bundle beside it. dist/ is committed; a test
// rebuilds into a temp folder and fails when the committed files differ.
//
//   node scripts/build-action.mjs [--outdir DIR]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = resolve(outdirFlag >= 0 ? process.argv[outdirFlag + 1] : join(root, 'dist'));

// The bundle must stay pure JavaScript + Wasm. The pull-request path never runs usage analysis; report mode does
// when the workflow has run `npm ci` (as compliance-report.yml does): DuckDB is then loaded from the workspace's
// node_modules at run time. Without it, a stand-in marks itself unavailable and fails clearly if ever touched.
// Any other native module in the bundle is a build error.
const noNativeModules = {
  name: 'no-native-modules',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@duckdb\// }, () => ({ path: 'duckdb', namespace: 'from-workspace' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'from-workspace' }, () => ({
      loader: 'js',
      contents: `
        const { createRequire } = require('node:module');
        const { join } = require('node:path');
        const MESSAGE = 'usage analysis needs DuckDB, which the GitHub Action does not bundle: run \`npm ci\` in the workflow first (or use the scopeguard CLI)';
        let duckdb;
        try {
          duckdb = createRequire(join(process.env.GITHUB_WORKSPACE || process.cwd(), 'package.json'))('@duckdb/node-api');
        } catch {
          duckdb = new Proxy({ scopeguardUnavailable: MESSAGE }, {
            get(target, name) {
              if (typeof name === 'symbol' || name === '__esModule' || name === 'then' || name in target) return target[name];
              throw new Error(MESSAGE);
            },
          });
        }
        module.exports = duckdb;
      `,
    }));
    pluginBuild.onResolve({ filter: /\.node$/ }, (args) => ({
      errors: [{ text: `the Action bundle must not include native modules: ${args.path} (imported from ${args.importer})` }],
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/action/main.ts'],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies call require() on Node built-ins; give the ES module bundle a real require.
  banner: {
    js: "import { createRequire as __scopeguardCreateRequire } from 'node:module'; const require = __scopeguardCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  // node_modules may be a symlink (a temp copy of the project); keep paths in the bundle as the project sees them
  preserveSymlinks: true,
  charset: 'utf8',
  plugins: [noNativeModules],
  logLevel: 'warning',
});

// dist/ is self-contained: the bundle is an ES module whatever package.json sits (or not) above it.
writeFileSync(join(outdir, 'package.json'), '{\n  "type": "module",\n  "private": true\n}\n');

// The Wasm policy bundle and its manifest sit next to index.js; the engine looks there first when bundled.
const policyDist = join(root, 'policies', 'dist');
if (existsSync(policyDist)) {
  for (const file of readdirSync(policyDist)) copyFileSync(join(policyDist, file), join(outdir, file));
} else {
  process.stderr.write('build-action: policies/dist/ not found; run `npm run policy:build` first\n');
  process.exitCode = 1;
}
