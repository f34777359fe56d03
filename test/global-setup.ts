// The e2e tests spawn the real bin, which runs the bundled CLI; rebuild it once so they never test a stale build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installOpa } from '../scripts/install-opa.mjs';

export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  // Policy tests and custom-policy e2e tests need the pinned opa CLI: install it once here (a no-op when present),
  // never in parallel from two test files. A failure is reported by those tests, not here.
  try {
    installOpa();
  } catch (error) {
    process.stderr.write(`global setup: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  // Every temp folder of the run (repositories, stores, workspaces, the CLIs' and browsers' own) goes under one
  // folder, removed at the end: the test workers and what they spawn inherit TMPDIR. SCOPEGUARD_KEEP_TEST_TMP=1
  // keeps it for a look after a failure.
  const runTmp = mkdtempSync(join(tmpdir(), 'scopeguard-tests-'));
  process.env.TMPDIR = runTmp;
  return () => {
    if (process.env.SCOPEGUARD_KEEP_TEST_TMP === '1') process.stderr.write(`test temp folders kept in ${runTmp}\n`);
    else rmSync(runTmp, { recursive: true, force: true });
  };
}
