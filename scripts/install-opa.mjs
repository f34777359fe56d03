// Installs the pinned OPA CLI into <repo>/.tools/bin (go install), unless that binary or an `opa` on PATH already
// reports the pinned version. Only writing or changing policies needs OPA; users run the committed Wasm bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one place the OPA version is pinned (src/policy/opa-cli.ts and scripts read it from here). */
export const OPA_VERSION = '1.22.3';
export const OPA_MODULE = 'github.com/open-policy-agent/opa';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const toolsBin = join(repoRoot, '.tools', 'bin');

/** The version an opa binary reports, or undefined when it does not run. */
export function opaVersionOf(binary) {
  const result = spawnSync(binary, ['version'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return /^Version:\s*(\S+)/m.exec(result.stdout)?.[1];
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function installOpa() {
  const local = join(toolsBin, 'opa');
  for (const candidate of [local, findOnPath('opa')]) {
    if (candidate && existsSync(candidate) && opaVersionOf(candidate) === OPA_VERSION) return candidate;
  }
  mkdirSync(toolsBin, { recursive: true });
  process.stderr.write(`installing opa v${OPA_VERSION} into ${toolsBin} (go install ${OPA_MODULE}@v${OPA_VERSION}) ...\n`);
  try {
    execFileSync('go', ['install', `${OPA_MODULE}@v${OPA_VERSION}`], {
      stdio: 'inherit',
      env: { ...process.env, GOBIN: toolsBin },
    });
  } catch (error) {
    throw new Error(
      `could not install opa v${OPA_VERSION} with go (${error instanceof Error ? error.message : String(error)}); ` +
        'install Go 1.24+ or put an opa binary of that version on PATH',
    );
  }
  const version = opaVersionOf(local);
  if (version !== OPA_VERSION) throw new Error(`installed ${local} reports version ${version ?? 'none'}, expected ${OPA_VERSION}`);
  return local;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const binary = installOpa();
    process.stdout.write(`opa v${OPA_VERSION}: ${binary}\n`);
  } catch (error) {
    process.stderr.write(`opa:install: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
