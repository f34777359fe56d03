/**
 * The compiled policy bundle: which Rego sources go into it, how `opa build -t wasm` is run, where the committed
 * Wasm and its manifest live, and the rule metadata read from each rule's `# METADATA`. Used by
 * scripts/policy-build.ts (the committed bundle) and by the engine (custom policies compiled at run time).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Severity } from '../findings/finding.ts';
import { SEVERITIES } from '../findings/finding.ts';
import { zlib } from '../builtins.ts';
import { InputError } from '../errors.ts';
import { packageRoot, regoCompileError, runOpa } from './opa-cli.ts';

export const MODES = ['registry', 'change', 'usage'] as const;
export type PolicyMode = (typeof MODES)[number];

/** One Wasm entrypoint per mode: the aggregator rule `scopeguard/<mode>/findings`. */
export const ENTRYPOINTS: Record<PolicyMode, string> = {
  registry: 'scopeguard/registry/findings',
  change: 'scopeguard/change/findings',
  usage: 'scopeguard/usage/findings',
};

export const DOCS_URL = 'https://github.com/scopeguard/scopeguard';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_URL}#${ruleId.toLowerCase()}`;
}

/** What a rule's `# METADATA` says about it (plus where it lives). */
export interface RuleMeta {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  remediation: string;
  mode: PolicyMode;
  /** Where the rule is documented: the README's rule table for built-in rules, a custom rule's own link if any. */
  docs?: string;
  /**
   * The settings `rules.<id>` may hold besides `severity` (METADATA `custom.options`). Every built-in rule declares
   * its own (none for most), so a typo is caught; a custom rule that declares none takes any.
   */
  options?: string[];
}

export interface PolicyManifest {
  opaVersion: string;
  /** sha256 over the sorted non-test .rego sources of policies/ (path and content); detects a stale bundle. */
  sourceHash: string;
  entrypoints: string[];
  rules: RuleMeta[];
}

export function builtinPoliciesDir(): string {
  return join(packageRoot(), 'policies');
}

export function distDir(policiesDir = builtinPoliciesDir()): string {
  return join(policiesDir, 'dist');
}

const isTest = (file: string): boolean => file.endsWith('_test.rego');

/** Non-test .rego files under dir, sorted, skipping the built bundle folder. */
export function regoSources(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'dist' && !entry.name.startsWith('.')) walk(path);
      } else if (entry.name.endsWith('.rego') && !isTest(entry.name)) {
        found.push(path);
      }
    }
  };
  walk(dir);
  return found.sort();
}

export function sourceHash(policiesDir: string): string {
  const hash = createHash('sha256');
  for (const file of regoSources(policiesDir)) {
    hash.update(relative(policiesDir, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The folders of policies/ that go into the bundle (everything but dist/). */
export function bundleRoots(policiesDir: string): string[] {
  return readdirSync(policiesDir)
    .filter((name) => name !== 'dist' && !name.startsWith('.') && statSync(join(policiesDir, name)).isDirectory())
    .sort()
    .map((name) => join(policiesDir, name));
}

/** The built-in rules compiled as policies/dist/policy.wasm holds them (a test compares the two byte for byte). */
export function builtinWasm(opa: string): Buffer {
  const policies = builtinPoliciesDir();
  return compileWasm(opa, bundleRoots(policies).map((root) => relative(policies, root)), policies);
}

/** Reads one file out of a .tar.gz (ustar), enough for the policy.wasm of an opa bundle. */
export function extractFromTarGz(archive: Buffer, wanted: string): Buffer {
  const tar = zlib().gunzipSync(archive);
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (name === '') break;
    const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const size = Number.parseInt(header.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const fullName = (prefix ? `${prefix}/${name}` : name).replace(/^\/+/, '');
    if (fullName === wanted) return Buffer.from(tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} not found in the opa bundle`);
}

/**
 * Compiles the given Rego folders into one Wasm module with every mode's entrypoint; broken Rego → InputError.
 * opa writes the roots' paths into the module as given: the built-in bundle passes them relative to `cwd`, so the
 * same sources build the same bytes in any checkout.
 */
export function compileWasm(opa: string, roots: string[], cwd?: string): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'scopeguard-opa-'));
  try {
    const out = join(work, 'bundle.tar.gz');
    const args = ['build', '-t', 'wasm', '--ignore', '*_test.rego'];
    for (const entrypoint of Object.values(ENTRYPOINTS)) args.push('-e', entrypoint);
    args.push('-o', out, ...roots);
    const run = runOpa(opa, args, cwd);
    if (run.status !== 0 || !existsSync(out)) throw regoCompileError(run.stderr || run.stdout, cwd);
    return extractFromTarGz(readFileSync(out), 'policy.wasm');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface InspectAnnotation {
  annotations?: {
    scope?: string;
    title?: string;
    description?: string;
    related_resources?: { ref?: unknown }[];
    custom?: { id?: unknown; severity?: unknown; remediation?: unknown; options?: unknown };
  };
  location?: { file?: string; row?: number };
  path?: { value?: unknown }[];
}

/**
 * The metadata of every rule package `scopeguard.<mode>.rules.<ID>` under the given folders, from
 * `opa inspect -a`. A custom rule without `custom.severity` gets medium; its id defaults to the package name.
 * Its documentation is the first http(s) link in `related_resources`; a built-in rule without one links to its row
 * of the README's rule table, which custom rules do not have.
 */
export function inspectRules(opa: string, roots: string[], origin: 'builtin' | 'custom' = 'custom'): RuleMeta[] {
  const rules = new Map<string, RuleMeta>();
  for (const root of roots) {
    const run = runOpa(opa, ['inspect', '-a', '--format', 'json', root]);
    if (run.status !== 0) throw regoCompileError(run.stderr || run.stdout);
    const parsed = JSON.parse(run.stdout || '{}') as { annotations?: InspectAnnotation[]; namespaces?: Record<string, unknown> };
    for (const entry of parsed.annotations ?? []) {
      const meta = ruleMetaOf(entry, origin);
      if (meta) rules.set(meta.id, meta);
    }
    // A rule package without METADATA still runs (its findings are collected by package): it is a rule all the same,
    // with the id of its package and the default severity, so rules: and exceptions can name it and a clash with a
    // built-in id is caught.
    for (const namespace of Object.keys(parsed.namespaces ?? {})) {
      const rule = rulePackage(namespace.split('.'));
      if (!rule || rule.id.endsWith('_test') || rules.has(rule.id)) continue;
      const docs = origin === 'builtin' ? ruleDocsUrl(rule.id) : undefined;
      rules.set(rule.id, {
        id: rule.id,
        title: rule.id,
        description: '',
        severity: 'medium',
        remediation: '',
        mode: rule.mode,
        ...(docs ? { docs } : {}),
        ...(origin === 'builtin' ? { options: [] } : {}),
      });
    }
  }
  return [...rules.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function docsOf(resources: { ref?: unknown }[] | undefined, fallback: string | undefined): { docs?: string } {
  const link = (resources ?? []).map((resource) => resource.ref).find((ref): ref is string => typeof ref === 'string' && /^https?:\/\/\S+$/i.test(ref));
  const docs = link ?? fallback;
  return docs ? { docs } : {};
}

/** A rule's package path, `data.scopeguard.<mode>.rules.<id>`: its mode and id; undefined for any other package. */
function rulePackage(path: readonly string[]): { mode: PolicyMode; id: string } | undefined {
  const [, root, mode, rulesKey, id, ...rest] = path;
  if (root !== 'scopeguard' || rulesKey !== 'rules' || !id || rest.length > 0 || !MODES.includes(mode as PolicyMode)) return undefined;
  return { mode: mode as PolicyMode, id };
}

function ruleMetaOf(entry: InspectAnnotation, origin: 'builtin' | 'custom'): RuleMeta | undefined {
  const rule = rulePackage((entry.path ?? []).map((part) => String(part.value)));
  if (!rule || entry.annotations?.scope !== 'package') return undefined;
  const { mode, id: packageId } = rule;
  const annotations = entry.annotations;
  const where = `${entry.location?.file ?? '?'}:${entry.location?.row ?? 0}`;
  const custom = annotations.custom ?? {};
  const id = typeof custom.id === 'string' ? custom.id : packageId;
  if (id !== packageId) {
    throw new InputError(`${where}: METADATA custom.id ${id} differs from the package name ${packageId}`, 'name the package after the rule id');
  }
  const severity = custom.severity ?? 'medium';
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity as Severity)) {
    throw new InputError(`${where}: METADATA custom.severity of ${id} must be one of ${SEVERITIES.join(', ')}`);
  }
  const options = custom.options ?? (origin === 'builtin' ? [] : undefined);
  if (options !== undefined && (!Array.isArray(options) || !options.every((option) => typeof option === 'string' && option !== 'severity'))) {
    throw new InputError(`${where}: METADATA custom.options of ${id} must be a list of setting names (severity is always one)`);
  }
  return {
    id,
    title: annotations.title ?? id,
    description: (annotations.description ?? '').trim(),
    severity: severity as Severity,
    remediation: typeof custom.remediation === 'string' ? custom.remediation : '',
    mode,
    ...docsOf(annotations.related_resources, origin === 'builtin' ? ruleDocsUrl(id) : undefined),
    ...(options !== undefined ? { options: options as string[] } : {}),
  };
}

/**
 * Where the compiled bundle is read from. The GitHub Action's single-file bundle (dist/index.js) carries a copy of
 * policy.wasm and manifest.json beside it (scripts/build-action.mjs), so it runs without the package layout.
 */
function builtinDistDir(policiesDir?: string): string {
  if (policiesDir) return distDir(policiesDir);
  const here = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(here, 'policy.wasm')) && existsSync(join(here, 'manifest.json'))) return here;
  return distDir();
}

export function readManifest(policiesDir?: string): PolicyManifest {
  return JSON.parse(readFileSync(join(builtinDistDir(policiesDir), 'manifest.json'), 'utf8')) as PolicyManifest;
}

export function readBuiltinWasm(policiesDir?: string): Buffer {
  return readFileSync(join(builtinDistDir(policiesDir), 'policy.wasm'));
}
