/** Where command output goes: stdout or --output FILE, in one place (as Spectral and conftest do). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ScopeguardError, ValidationError } from '../errors.ts';
import { UsageError } from '../errors.ts';

export function writeOutput(text: string, outputFile?: string): void {
  if (outputFile) {
    mkdirSync(dirname(outputFile), { recursive: true });
    writeFileSync(outputFile, text.endsWith('\n') ? text : `${text}\n`);
  } else {
    process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
}

/** Progress and logs go to stderr, and only to a terminal, so piped output stays parseable. */
export function progressEnabled(quiet: boolean | undefined): boolean {
  return !quiet && Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
}

/**
 * With `--format json`, a user error (bad ref, invalid registry) is written as JSON on stdout and exits 2, so a
 * pipe into `jq` still parses; other formats let it reach main's one-line message.
 */
export async function withJsonErrors(json: boolean, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!json || !(error instanceof ScopeguardError)) throw error;
    const problems = error instanceof ValidationError ? error.problems : [];
    writeOutput(JSON.stringify({ error: error.message, hint: error.hint ?? null, problems }, null, 2));
    process.exitCode = error.exitCode;
  }
}

/** Narrows a --format value to one of `choices`, or a UsageError naming them (exit 2). */
export function assertFormat<K extends string>(value: string, choices: readonly K[]): asserts value is K {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`unknown --format "${value}"`, `use one of: ${choices.join(', ')}`);
  }
}
