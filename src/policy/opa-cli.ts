/**
 * Finds the `opa` CLI. Only building or running custom policies needs it; the built-in rules ship as Wasm.
 * Order: $SCOPEGUARD_OPA, then the project's own `.tools/bin/opa` (npm run opa:install), then PATH.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, InputError } from '../errors.ts';

export const OPA_INSTALL_HINT =
  'put OPA v1 on PATH or name it in SCOPEGUARD_OPA (GitHub Actions: open-policy-agent/setup-opa; in a scopeguard checkout: npm run opa:install)';

/** The scopeguard package root (holds package.json and policies/), found from this module in source or bundled form. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'scopeguard') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the scopeguard package root from ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The opa binary to use, or undefined when there is none. */
export function findOpa(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.SCOPEGUARD_OPA;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  const local = join(packageRoot(), '.tools', 'bin', 'opa');
  if (isExecutable(local)) return local;
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && isExecutable(join(dir, 'opa'))) return join(dir, 'opa');
  }
  return undefined;
}

/**
 * Like findOpa, but a missing binary is an EnvironmentError that says what to do, and so is an OPA before v1: it
 * reads Rego v1 (`if`, `contains`) as syntax errors, which would send the user hunting for a mistake in valid Rego.
 */
export function requireOpa(purpose: string): string {
  const opa = findOpa();
  if (!opa) {
    const where = process.env.SCOPEGUARD_OPA ? ` (SCOPEGUARD_OPA=${process.env.SCOPEGUARD_OPA} is not an executable)` : '';
    throw new EnvironmentError(`${purpose} need the opa CLI${where}: ${OPA_INSTALL_HINT}`);
  }
  const tooOld = opaTooOld(opaVersion(opa));
  if (tooOld) throw new EnvironmentError(`${purpose} are Rego v1 and need OPA v1 or newer; ${opa} is ${tooOld}`, OPA_INSTALL_HINT);
  return opa;
}

/** `v0.70.0` when `opa version` names a version before 1.0; undefined for v1 and later, or a version it cannot read. */
export function opaTooOld(version: string): string | undefined {
  const major = /^v?(\d+)\./.exec(version)?.[1];
  return major !== undefined && Number(major) < 1 ? `v${version.replace(/^v/, '')}` : undefined;
}

export interface OpaRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runOpa(opa: string, args: string[], cwd?: string): OpaRun {
  const result = spawnSync(opa, args, { encoding: 'utf8', cwd, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new EnvironmentError(`cannot run ${opa}: ${result.error.message}`, OPA_INSTALL_HINT);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export function opaVersion(opa: string): string {
  const run = runOpa(opa, ['version']);
  return /^Version:\s*(\S+)/m.exec(run.stdout)?.[1] ?? 'unknown';
}

/**
 * opa's compile errors as one line each, `file:line: rego_xxx_error: message`, with paths relative to the working
 * directory. opa prints them after prefixes such as `error: load error: N errors occurred during loading:`.
 */
export function opaErrorLines(stderr: string, opaCwd = process.cwd()): string[] {
  const found: string[] = [];
  for (const match of stderr.matchAll(/(\S+\.rego):(\d+): (rego_\w+: [^\n]*)/g)) {
    const absolute = resolve(opaCwd, match[1]!);
    const file = relative(process.cwd(), absolute);
    found.push(`${file.startsWith('..') ? absolute : file}:${match[2]}: ${match[3]}`);
  }
  return found.length > 0 ? found : stderr.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 5);
}

/** A failed opa compile as an InputError quoting opa's file:line message. */
export function regoCompileError(stderr: string, opaCwd?: string): InputError {
  const lines = opaErrorLines(stderr, opaCwd);
  return new InputError(`policy does not compile: ${lines.join('; ')}`, 'fix the Rego at the file:line opa names, then run again');
}
