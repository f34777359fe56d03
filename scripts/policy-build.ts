// npm run policy:build — compiles policies/ (without tests) to policies/dist/policy.wasm and writes
// policies/dist/manifest.json with the rule metadata. Both are committed so users need no OPA.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installOpa } from './install-opa.mjs';
import { updateReadme } from './rules-doc.ts';
import { opaVersion } from '../src/policy/opa-cli.ts';
import {
  ENTRYPOINTS,
  builtinPoliciesDir,
  builtinWasm,
  bundleRoots,
  distDir,
  inspectRules,
  sourceHash,
  type PolicyManifest,
} from '../src/policy/bundle.ts';

const opa = installOpa();
const policies = builtinPoliciesDir();
const roots = bundleRoots(policies);
const wasm = builtinWasm(opa);
const manifest: PolicyManifest = {
  opaVersion: opaVersion(opa),
  sourceHash: sourceHash(policies),
  entrypoints: Object.values(ENTRYPOINTS),
  rules: inspectRules(opa, roots, 'builtin'),
};
mkdirSync(distDir(policies), { recursive: true });
writeFileSync(join(distDir(policies), 'policy.wasm'), wasm);
writeFileSync(join(distDir(policies), 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`policies/dist/policy.wasm: ${wasm.length} bytes, ${manifest.rules.length} rules, opa ${manifest.opaVersion}\n`);
updateReadme();
process.stdout.write('README.md rule table updated\n');
