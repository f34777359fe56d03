// Pinned Go tools in <repo>/.tools/bin: reuse the binary there or on PATH when it reports the pinned version,
// else `go install module@version` with GOBIN pointing there. The project's own files install what it needs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const toolsBin = join(repoRoot, '.tools', 'bin');

/** The version a binary reports through `args`, matched by `pattern` (first group), or undefined. */
export function reportedVersion(binary, args, pattern) {
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return pattern.exec(`${result.stdout}${result.stderr}`)?.[1];
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * @param {{name: string, module: string, version: string, versionOf: (binary: string) => string | undefined}} tool
 * @returns {string} the path of a binary that reports tool.version
 */
export function installGoTool(tool) {
  const local = join(toolsBin, tool.name);
  for (const candidate of [local, findOnPath(tool.name)]) {
    if (candidate && existsSync(candidate) && tool.versionOf(candidate) === tool.version) return candidate;
  }
  mkdirSync(toolsBin, { recursive: true });
  process.stderr.write(`installing ${tool.name} v${tool.version} into ${toolsBin} (go install ${tool.module}@v${tool.version}) ...\n`);
  try {
    execFileSync('go', ['install', `${tool.module}@v${tool.version}`], { stdio: 'inherit', env: { ...process.env, GOBIN: toolsBin } });
  } catch (error) {
    throw new Error(
      `could not install ${tool.name} v${tool.version} with go (${error instanceof Error ? error.message : String(error)}); ` +
        `install Go 1.24+ or put a ${tool.name} binary of that version on PATH`,
    );
  }
  const version = tool.versionOf(local);
  if (version !== tool.version) throw new Error(`installed ${local} reports version ${version ?? 'none'}, expected ${tool.version}`);
  return local;
}

/** Runs `install()` when the calling script is the entry point, printing the binary or one error line (exit 2). */
export function runAsScript(importMetaUrl, label, install) {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(importMetaUrl)) return;
  try {
    process.stdout.write(`${label}: ${install()}\n`);
  } catch (error) {
    process.stderr.write(`${label}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
