// Installs the pinned actionlint into <repo>/.tools/bin (go install) for the workflow tests in test/action/.
import { installGoTool, reportedVersion, runAsScript } from './go-tool.mjs';

export const ACTIONLINT_VERSION = '1.7.12';

export function installActionlint() {
  return installGoTool({
    name: 'actionlint',
    module: 'github.com/rhysd/actionlint/cmd/actionlint',
    version: ACTIONLINT_VERSION,
    versionOf: (binary) => reportedVersion(binary, ['-version'], /^v?(\d+\.\d+\.\d+)/m),
  });
}

runAsScript(import.meta.url, `actionlint v${ACTIONLINT_VERSION}`, installActionlint);
