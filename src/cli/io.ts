/** Where command output goes: stdout or --output FILE, in one place (as Spectral and conftest do). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
