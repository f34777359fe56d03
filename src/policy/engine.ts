/**
 * Evaluates one mode's input document through the compiled policy and returns the raw findings, validated.
 * The Wasm is instantiated once per process (per set of custom policy folders) and reused for every evaluation;
 * settings from scopeguard.yaml reach the policies as `data.config`.
 * Built-in rules come from the committed policies/dist/policy.wasm; custom policy folders are compiled at run time
 * together with the built-in sources, which needs the opa CLI.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { InputError } from '../errors.ts';
import type { ResolvedConfig } from '../registry/model.ts';
import {
  ENTRYPOINTS,
  builtinPoliciesDir,
  bundleRoots,
  compileWasm,
  inspectRules,
  readBuiltinWasm,
  readManifest,
  type PolicyMode,
  type RuleMeta,
} from './bundle.ts';
import { requireOpa } from './opa-cli.ts';

/** What a rule emits into its `findings` set, after validation. The engine adds `ruleId` from the package name. */
export interface RawFinding {
  ruleId: string;
  tenant: string;
  subject: string;
  message: string;
  /** Discriminates several findings of one rule on one subject; part of the fingerprint. */
  key?: string;
  evidence?: Record<string, unknown>;
  /** Index into the tenant's exceptions when the finding is about an exception entry (locates it there). */
  exception?: number;
}

export interface PolicyEngine {
  /** Every rule the engine knows: the built-in manifest plus custom rules. */
  rules: RuleMeta[];
  evaluate(mode: PolicyMode, input: unknown, config: ResolvedConfig): RawFinding[];
}

const engines = new Map<string, Promise<PolicyEngine>>();

// OPA's allocator grows Wasm memory one 64 KiB page at a time as its heap fills; a 1,000-scope registry needs ~20 MB,
// i.e. hundreds of grow calls. Starting at 24 MB (address space only: pages cost memory when first written) skips
// them. No more: V8 counts a Wasm memory as external memory, and from 32 MB on (measured with --trace-gc on Node 20)
// it starts garbage collections of its own, two scavenges and a full collection at start-up.
const INITIAL_MEMORY_PAGES = 384;

/** Node's WebAssembly global: TypeScript's ES library declares only the types, not the value. */
const wasmRuntime = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

/** The engine for these custom policy folders (none: the built-in bundle), created once per process. */
export function loadPolicyEngine(customDirs: readonly string[] = []): Promise<PolicyEngine> {
  const dirs = [...new Set(customDirs.map((dir) => resolve(dir)))].sort();
  const cacheKey = dirs.join('\0');
  let engine = engines.get(cacheKey);
  if (!engine) {
    engine = createEngine(dirs);
    engines.set(cacheKey, engine);
    // a failed load (missing opa, broken Rego) must not stay cached for a later fixed attempt
    engine.catch(() => engines.delete(cacheKey));
  }
  return engine;
}

async function createEngine(customDirs: string[]): Promise<PolicyEngine> {
  const manifest = readManifest();
  let wasm: Buffer = readBuiltinWasm();
  let rules = manifest.rules;
  if (customDirs.length > 0) {
    for (const dir of customDirs) {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new InputError(`policy folder "${dir}" does not exist`, 'pass --policy DIR (or config policies:) with a folder of .rego files');
      }
    }
    const opa = requireOpa('custom policies');
    const builtinRoots = bundleRoots(builtinPoliciesDir());
    const customRules = inspectRules(opa, customDirs);
    const builtinIds = new Set(manifest.rules.map((rule) => rule.id));
    const clash = customRules.find((rule) => builtinIds.has(rule.id));
    if (clash) throw new InputError(`custom rule ${clash.id} has the id of a built-in rule`, 'give custom rules their own ids (e.g. ACME001)');
    wasm = compileWasm(opa, [...builtinRoots, ...customDirs]);
    rules = [...manifest.rules, ...customRules];
  }
  // loaded here, not at the top: commands without policy evaluation (validate, diff) start faster
  const opaWasm = await import('@open-policy-agent/opa-wasm');
  // the package's ES entry has loadPolicySync on its default export only (its typings declare a named export)
  const opa = (opaWasm as unknown as { default: typeof opaWasm }).default;
  // Compiled off the main thread, then instantiated synchronously: opa-wasm's async loadPolicy tests its argument
  // with `instanceof Response`, and touching that global loads Node's whole fetch implementation (~15 ms) for nothing.
  const module = await wasmRuntime.compile(wasm);
  const policy = opa.loadPolicySync(module, { initial: INITIAL_MEMORY_PAGES });
  let dataKey = '';
  return {
    rules,
    evaluate(mode, input, config) {
      const data = JSON.stringify({ config });
      const key = createHash('sha1').update(data).digest('hex');
      if (key !== dataKey) {
        policy.setData({ config });
        dataKey = key;
      }
      let result: unknown;
      try {
        result = evaluateEntrypoint(policy, ENTRYPOINTS[mode], input);
      } catch (error) {
        // the built-in rules are tested on every input shape; a failure with custom rules loaded is theirs
        if (customDirs.length === 0) throw error;
        throw evaluationError(error, customDirs);
      }
      return validateResult(result);
    },
  };
}

/**
 * What opa-wasm threw while a custom rule ran: a plain `{message}` object for a built-in the Wasm target lacks
 * (`not implemented: built-in function 3: time.now_ns`), a string or an Error for a conflict such as two values
 * for one rule. `opa test` runs the Go runtime and passes such rules, so the message says what differs.
 */
function evaluationError(error: unknown, customDirs: readonly string[]): InputError {
  const thrown = (error as { message?: unknown } | null)?.message;
  const raw = typeof error === 'string' ? error : typeof thrown === 'string' ? thrown : JSON.stringify(error);
  const message = raw.replaceAll(`${process.cwd()}${sep}`, '');
  const builtin = /not implemented: built-in function \d+: (\S+)/.exec(message)?.[1];
  if (builtin) {
    const callers = regoFiles(customDirs).filter((file) => readFileSync(file, 'utf8').includes(`${builtin}(`));
    const where = callers.length > 0 ? ` (${callers.map((file) => relative(process.cwd(), file)).join(', ')})` : '';
    return new InputError(
      `a custom policy calls ${builtin}${where}, which policies compiled to Wasm do not have`,
      "use built-ins the Wasm target supports (OPA's policy reference marks them); dates arrive precomputed in the input (now, ages in days)",
    );
  }
  return new InputError(`a custom policy failed while it ran: ${message}`, 'fix the Rego at the place the message names');
}

function evaluateEntrypoint(policy: LoadedPolicy, entrypoint: string, input: unknown): unknown {
  // Serialise once ourselves: opa-wasm takes an ArrayBuffer as already-serialised JSON.
  const bytes = new TextEncoder().encode(JSON.stringify(input));
  const results = policy.evaluate(bytes.buffer, entrypoint) as { result?: unknown }[] | undefined;
  return results?.[0]?.result ?? [];
}

const FINDING_HINT = 'a rule must add objects {tenant, subject, message} (optional key, evidence) to its findings set';

/** As conftest does: a malformed result is an error naming the rule, never a silently dropped finding. */
export function validateResult(result: unknown): RawFinding[] {
  if (!Array.isArray(result)) throw new InputError(`policy returned ${describe(result)} instead of a set of findings`, FINDING_HINT);
  return result.map((wrapped) => {
    const { rule, finding } = (wrapped ?? {}) as { rule?: unknown; finding?: unknown };
    const packageId = typeof rule === 'string' ? rule : '(unknown rule)';
    const fail = (problem: string): never => {
      throw new InputError(`policy rule ${packageId} returned a malformed finding (${problem}): ${JSON.stringify(finding).slice(0, 200)}`, FINDING_HINT);
    };
    if (typeof finding !== 'object' || finding === null || Array.isArray(finding)) return fail(`${describe(finding)} is not an object`);
    const f = finding as Record<string, unknown>;
    for (const field of ['tenant', 'subject', 'message'] as const) {
      if (typeof f[field] !== 'string' || f[field] === '') fail(`\`${field}\` must be a non-empty string`);
    }
    // a rule reports as itself: a finding naming another rule would take that rule's severity, waivers and switch
    if (f.ruleId !== undefined && f.ruleId !== packageId) fail(`\`ruleId\` may only repeat the rule's own id, ${packageId}`);
    if (f.key !== undefined && typeof f.key !== 'string') fail('`key` must be a string');
    if (f.evidence !== undefined && (typeof f.evidence !== 'object' || f.evidence === null || Array.isArray(f.evidence))) {
      fail('`evidence` must be an object');
    }
    if (f.exception !== undefined && !Number.isInteger(f.exception)) fail('`exception` must be an exception index');
    const raw: RawFinding = {
      ruleId: packageId,
      tenant: f.tenant as string,
      subject: f.subject as string,
      message: f.message as string,
    };
    if (f.key !== undefined) raw.key = f.key as string;
    if (f.evidence !== undefined) raw.evidence = f.evidence as Record<string, unknown>;
    if (f.exception !== undefined) raw.exception = f.exception as number;
    return raw;
  });
}

function regoFiles(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.rego') && !name.endsWith('_test.rego'))
      .map((name) => join(dir, name)),
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
