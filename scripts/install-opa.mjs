// Installs the pinned OPA CLI into <repo>/.tools/bin (go install), unless that binary or an `opa` on PATH already
// reports the pinned version. Only writing or changing policies needs OPA; users run the committed Wasm bundle.
import { installGoTool, reportedVersion, runAsScript, toolsBin } from './go-tool.mjs';

/** The one place the OPA version is pinned (src/policy/opa-cli.ts and scripts read it from here). */
export const OPA_VERSION = '1.22.3';
export const OPA_MODULE = 'github.com/open-policy-agent/opa';
export { toolsBin };

/** The version an opa binary reports, or undefined when it does not run. */
export function opaVersionOf(binary) {
  return reportedVersion(binary, ['version'], /^Version:\s*(\S+)/m);
}

export function installOpa() {
  return installGoTool({ name: 'opa', module: OPA_MODULE, version: OPA_VERSION, versionOf: opaVersionOf });
}

runAsScript(import.meta.url, `opa v${OPA_VERSION}`, installOpa);
