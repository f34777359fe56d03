// npm run policy:test — opa check --strict and opa test on policies/, then Regal's lint when a regal binary is
// installed (.tools/bin/regal or on PATH); Regal is optional because it cannot always be installed with go.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installOpa, toolsBin } from './install-opa.mjs';
import { builtinPoliciesDir } from '../src/policy/bundle.ts';

function step(binary: string, args: string[]): void {
  process.stdout.write(`$ ${[binary, ...args].join(' ')}\n`);
  const result = spawnSync(binary, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const opa = installOpa();
const policies = builtinPoliciesDir();
step(opa, ['check', '--strict', policies]);
step(opa, ['test', policies, '-v']);
const regal = [join(toolsBin, 'regal'), ...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'regal'))].find((p) => existsSync(p));
if (regal) step(regal, ['lint', policies]);
else process.stdout.write('regal not installed: lint skipped\n');
