/**
 * The GitHub Action's entry (bundled to dist/index.js). Thin: read the inputs and the event, call the same
 * library the CLI uses, hand the result to the outputs. A mistake in the inputs or the registry is one line
 * and a failed step; never a stack trace (unless the run is in debug mode).
 */
import * as core from '@actions/core';
import { posix } from 'node:path';
import { ScopeguardError, ValidationError } from '../errors.ts';
import { fileSystemProblem } from '../file-system.ts';
import type { FailOn } from '../findings/finding.ts';
import { SEVERITIES } from '../findings/finding.ts';
import { runPullRequestMode, type CommentMode } from './pull-request.ts';
import { runReportMode } from './report-mode.ts';

export interface ActionInputs {
  registry: string;
  mode: 'pull-request' | 'report';
  /** Undefined: take it from scopeguard.yaml (at the base revision), else `high`. */
  failOn?: FailOn;
  comment: CommentMode;
  token: string;
  sarifFile?: string;
  reportDir?: string;
  policy?: string;
}

class ActionInputError extends ScopeguardError {}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ActionInputError(`input \`${name}\` is "${value}"; expected one of: ${allowed.join(', ')}`);
}

export function readInputs(): ActionInputs {
  const failOn = core.getInput('fail-on');
  const sarifFile = core.getInput('sarif-file');
  const reportDir = core.getInput('report-dir');
  const policy = core.getInput('policy');
  const token = core.getInput('github-token');
  // the runner masks github.token itself; a personal token passed in is masked here too
  if (token) core.setSecret(token);
  return {
    registry: registryInput(core.getInput('registry') || 'scopes'),
    mode: oneOf('mode', core.getInput('mode') || 'pull-request', ['pull-request', 'report'] as const),
    ...(failOn ? { failOn: oneOf('fail-on', failOn, [...SEVERITIES, 'never'] as const) } : {}),
    comment: oneOf('comment', core.getInput('comment') || 'true', ['true', 'false', 'on-findings'] as const),
    token,
    ...(sarifFile ? { sarifFile } : {}),
    ...(reportDir ? { reportDir } : {}),
    ...(policy ? { policy } : {}),
  };
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    if (inputs.mode === 'report') await runReportMode(inputs);
    else await runPullRequestMode(inputs);
  } catch (error) {
    reportFailure(error);
  }
}

function reportFailure(error: unknown): void {
  if (error instanceof ValidationError) {
    for (const p of error.problems) {
      core.error(`${p.message}${p.hint ? ` (${p.hint})` : ''}`, { file: p.file, startLine: p.line, startColumn: p.column });
    }
  }
  if (error instanceof ScopeguardError) {
    core.setFailed(`scopeguard: ${error.message}${error.hint ? ` — hint: ${error.hint}` : ''}`);
    return;
  }
  const fileProblem = fileSystemProblem(error);
  if (fileProblem) {
    core.setFailed(`scopeguard: ${fileProblem} — hint: check the \`sarif-file\` and \`report-dir\` inputs and the folders on their way`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (core.isDebug() && error instanceof Error && error.stack) core.debug(error.stack);
  core.setFailed(`scopeguard: unexpected error: ${message} (this is a bug in scopeguard; re-run with debug logging for details)`);
}

await run();

/**
 * The registry folder as one spelling: `scopes`, `./scopes` and `scopes/` are one folder, and the sticky comment's
 * marker is made from it, so writing it another way must not start a second comment and leave the first one stale.
 */
function registryInput(text: string): string {
  const normal = posix.normalize(text.trim().replace(/\\/g, '/')).replace(/\/+$/, '');
  return normal === '' || normal === '.' ? '.' : normal;
}
