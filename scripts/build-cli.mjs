// Bundles the CLI's TypeScript into one ES module under build/ so the installed bin starts fast
// and needs no TypeScript tooling at run time. Dependencies stay external (resolved from node_modules).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'build/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
