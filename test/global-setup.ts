// The e2e tests spawn the real bin, which runs the bundled CLI; rebuild it once so they never test a stale build.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
}
