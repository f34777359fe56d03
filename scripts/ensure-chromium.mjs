// The HTML-report tests open reports in a real headless Chromium: Debian's package, driven by playwright-core.
// Never a browser download. Installs it with apt when missing and we are root (CI, fresh machines), else says how.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.SCOPEGUARD_CHROMIUM ?? '/usr/bin/chromium';

if (existsSync(CHROMIUM)) {
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error(`Chromium not found at ${CHROMIUM}. Install Debian's package: sudo apt-get install -y chromium`);
  process.exit(1);
}
console.error('Installing Debian chromium for the HTML report tests...');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
