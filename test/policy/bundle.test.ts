// The committed Wasm bundle must match the Rego sources: users run it without OPA, so a stale one ships old rules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { describe, expect, it } from 'vitest';
import { OPA_VERSION } from '../../scripts/install-opa.mjs';
import { ENTRYPOINTS, builtinPoliciesDir, builtinWasm, bundleRoots, inspectRules, readManifest, sourceHash } from '../../src/policy/bundle.ts';
import { findOpa } from '../../src/policy/opa-cli.ts';

interface WasmApi {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}

describe('policies/dist (run npm run policy:build when this fails)', () => {
  const manifest = readManifest();

  it('was built from the current Rego sources', () => {
    expect(manifest.sourceHash, 'policies/dist is stale: run npm run policy:build and commit policies/dist').toBe(sourceHash(builtinPoliciesDir()));
  });

  it('holds exactly the Wasm that the Rego sources compile to now', () => {
    // the manifest's source hash alone would not notice a policy.wasm swapped for an older or hand-built one
    const opa = findOpa();
    expect(opa, 'opa not found: run npm run opa:install').toBeDefined();
    const committed = readFileSync(join(builtinPoliciesDir(), 'dist', 'policy.wasm'));
    expect(builtinWasm(opa!).equals(committed), 'policies/dist/policy.wasm is stale: run npm run policy:build and commit policies/dist').toBe(true);
  });

  it('was built with the pinned opa and names every entrypoint', () => {
    expect(manifest.opaVersion).toBe(OPA_VERSION);
    expect(manifest.entrypoints).toEqual(Object.values(ENTRYPOINTS));
  });

  it('carries the same rule metadata opa reads from the sources now', () => {
    const opa = findOpa();
    expect(opa, 'opa not found: run npm run opa:install').toBeDefined();
    expect(manifest.rules).toEqual(inspectRules(opa!, bundleRoots(builtinPoliciesDir()), 'builtin'));
  });

  it('every built-in rule has a title, a description, a severity and a remediation', () => {
    expect(manifest.rules.filter((rule) => rule.mode === 'registry').map((rule) => rule.id)).toEqual(
      ['SG101', 'SG102', 'SG103', 'SG104', 'SG105', 'SG106', 'SG107', 'SG108', 'SG109', 'SG110'],
    );
    for (const rule of manifest.rules) {
      expect(rule.title && rule.description && rule.remediation, rule.id).toBeTruthy();
      expect(rule.docs).toBe(`https://github.com/scopeguard/scopeguard#${rule.id.toLowerCase()}`);
    }
  });

  it('needs no built-in the opa-wasm SDK does not supply (Wasm has no Go runtime)', async () => {
    // the WebAssembly global is not in this project's TypeScript lib; type the two calls used here
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const memory = new wasm.Memory({ initial: 5 });
    const stub = (): number => 0;
    const env = { memory, opa_abort: stub, opa_println: stub, opa_builtin0: stub, opa_builtin1: stub, opa_builtin2: stub, opa_builtin3: stub, opa_builtin4: stub };
    const { instance } = await wasm.instantiate(readFileSync(`${builtinPoliciesDir()}/dist/policy.wasm`), { env });
    const exports = instance.exports as Record<string, (address?: number) => number>;
    const dumped = new Uint8Array(memory.buffer, exports.opa_json_dump!(exports.builtins!()));
    const hostBuiltins = Object.keys(JSON.parse(new TextDecoder().decode(dumped.subarray(0, dumped.indexOf(0)))) as object);
    const require = createRequire(import.meta.url);
    const sdkBuiltins = join(dirname(require.resolve('@open-policy-agent/opa-wasm')), 'builtins', 'index.js');
    const supplied = Object.keys(require(sdkBuiltins) as object);
    expect(supplied).toContain('sprintf');
    expect(hostBuiltins.filter((name) => !supplied.includes(name))).toEqual([]);
  });

  it('the Wasm exposes one entrypoint per mode', async () => {
    const policy = await loadPolicy(readFileSync(`${builtinPoliciesDir()}/dist/policy.wasm`));
    expect(Object.keys(policy.entrypoints).sort()).toEqual(Object.values(ENTRYPOINTS).sort());
  });
});
