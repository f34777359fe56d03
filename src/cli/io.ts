/** Where command output goes: stdout or --output FILE, in one place (as Spectral and conftest do). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ScopeguardError } from '../errors.ts';
import { UsageError } from '../errors.ts';
import { PROBLEM_FORMATTERS, problemsReportOf } from '../report/formatter.ts';
import { VERSION } from '../version.ts';

export function writeOutput(text: string, outputFile?: string): void {
  if (outputFile) {
    mkdirSync(dirname(outputFile), { recursive: true });
    try {
      writeFileSync(outputFile, text.endsWith('\n') ? text : `${text}\n`);
    } catch (error) {
      // a full disk fails the write after the open, and Node's error then names no path: name the file here
      if (error instanceof Error) (error as NodeJS.ErrnoException).path ??= outputFile;
      throw error;
    }
  } else {
    process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
}

/** Progress and logs go to stderr, and only to a terminal, so piped output stays parseable. */
export function progressEnabled(quiet: boolean | undefined): boolean {
  return !quiet && Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
}

/**
 * A user error (invalid registry, bad revision) in a machine format is written in that format too, to stdout or
 * --output (PROBLEM_FORMATTERS), so a pipe into `jq` still parses, a SARIF upload shows the broken lines and a
 * workflow gets annotations; main then prints the usual message on stderr and exits 2.
 */
export async function withFormattedErrors<T>(format: string, outputFile: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // text on a terminal is stderr's message already; into a file it replaces what an earlier run left there
    const formatter = format === 'text' && outputFile === undefined ? undefined : PROBLEM_FORMATTERS[format];
    if (formatter && error instanceof ScopeguardError) writeOutput(formatter(problemsReportOf(error), { color: false, version: VERSION }), outputFile);
    throw error;
  }
}

/** Narrows a --format value to one of `choices`, or a UsageError naming them (exit 2). */
export function assertFormat<K extends string>(value: string, choices: readonly K[]): asserts value is K {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`unknown --format "${value}"`, `use one of: ${choices.join(', ')}`);
  }
}
