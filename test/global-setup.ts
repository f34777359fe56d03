// The e2e tests spawn the real bin, which runs the bundled CLI; rebuild it once so they never test a stale build.
import { execFileSync } from 'node:child_process';
import { installOpa } from '../scripts/install-opa.mjs';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  // Policy tests and custom-policy e2e tests need the pinned opa CLI: install it once here (a no-op when present),
  // never in parallel from two test files. A failure is reported by those tests, not here.
  try {
    installOpa();
  } catch (error) {
    process.stderr.write(`global setup: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
