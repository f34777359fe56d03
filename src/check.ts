/**
 * The library entry of `scopeguard check`: load the registry, evaluate the registry rules through the compiled
 * policy, finalize the findings and summarize them against fail-on. The CLI and the GitHub Action both call this.
 * Other modes extend the options (e.g. a `base` revision for change findings) and the result, never the flow.
 */
import { resolve } from 'node:path';
import { loadRegistry } from './registry/load.ts';
import type { Registry } from './registry/model.ts';
import type { FailOn, Finding } from './findings/finding.ts';
import { finalizeFindings, type RuleIdChecks } from './findings/finalize.ts';
import { summarize, type FindingsSummary } from './findings/summary.ts';
import { loadPolicyEngine, type PolicyEngine, type RawFinding } from './policy/engine.ts';
import type { RuleMeta } from './policy/bundle.ts';
import { buildRegistryInput, type RegistryInput } from './policy/input-registry.ts';
import { buildUsageInputs } from './policy/input-usage.ts';
import { assertRegistryTenants, collectUsageFacts, type UsageOptions } from './usage/analyze.ts';
import type { UsageFacts } from './usage/facts.ts';

export interface CheckOptions {
  /** Folder of registry YAML (default `scopes`). */
  registryRoot: string;
  /** Extra custom policy folders on top of the config's `policies:`. */
  policyDirs?: string[];
  /** The evaluation instant (default: now); dates in the input are computed against it. */
  now?: Date;
  /** Overrides the config's `failOn`. */
  failOn?: FailOn;
  /** An already loaded registry (skips reading registryRoot). */
  registry?: Registry;
  /** Also run the usage rules (SG3xx) over the audit store's facts. */
  usage?: UsageOptions;
  /** Which rule ids in the registry must name known rules (default `all`); see RuleIdChecks. */
  ruleIdChecks?: RuleIdChecks;
  /** Only these tenants' findings (`--tenant`); every tenant is still evaluated, as custom rules may compare them. */
  tenants?: readonly string[];
}

export interface CheckResult {
  findings: Finding[];
  summary: FindingsSummary;
  registry: Registry;
  /** Metadata of every rule that ran (built-in and custom), for formatters (SARIF rules, docs links). */
  rules: RuleMeta[];
  now: Date;
  /** The usage facts judged, when the usage rules ran. */
  usage?: UsageFacts[];
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const now = options.now ?? new Date();
  // started first so that V8 compiles the built-in Wasm on a background thread while the registry is parsed; when
  // the registry's config names custom policies, that engine is built below instead
  if (!options.policyDirs?.length) void loadPolicyEngine().catch(() => undefined);
  const registry = options.registry ?? (await loadRegistry(options.registryRoot));
  if (options.tenants?.length) assertRegistryTenants(registry, options.tenants);
  const customDirs = policyFolders(registry, options.policyDirs);
  const engine = await loadPolicyEngine(customDirs);
  const raw = evaluateRegistry(engine, buildRegistryInput(registry, now), registry, customDirs.length > 0);
  const usage = options.usage ? await collectUsageFacts(registry, options.usage, now) : undefined;
  for (const input of usage ? buildUsageInputs(usage, now) : []) raw.push(...engine.evaluate('usage', input, registry.config));
  const selected = options.tenants?.length ? raw.filter((finding) => options.tenants!.includes(finding.tenant)) : raw;
  const findings = finalizeFindings(selected, { registry, rulesMeta: engine.rules, now, ruleIdChecks: options.ruleIdChecks });
  const failOn = options.failOn ?? registry.config.failOn;
  return { findings, summary: summarize(findings, failOn), registry, rules: engine.rules, now, ...(usage ? { usage } : {}) };
}

/**
 * The registry rules' findings. The built-in rules judge each tenant on its own, so without custom rules the document
 * is evaluated one tenant at a time: opa-wasm starts every evaluation on the same heap, so the memory one tenant's
 * values took is reused for the next instead of the whole registry's values being written to fresh pages (first
 * evaluation of the 1,000-scope benchmark registry: ~175 -> ~145 ms). Custom rules may compare tenants: they get the
 * whole document, as `Writing policies` in the README promises.
 */
export function evaluateRegistry(engine: PolicyEngine, input: RegistryInput, registry: Registry, customRules: boolean): RawFinding[] {
  if (customRules) return engine.evaluate('registry', input, registry.config);
  return Object.entries(input.tenants).flatMap(([name, tenant]) => engine.evaluate('registry', { ...input, tenants: { [name]: tenant } }, registry.config));
}

/** Custom policy folders: the config's `policies:` (relative to the working directory) plus --policy folders. */
export function policyFolders(registry: Registry, extra: readonly string[] = []): string[] {
  return [...new Set([...registry.config.policies, ...extra].map((dir) => resolve(dir)))];
}
