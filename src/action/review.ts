/**
 * The one seam between the Action and the library the CLI uses: everything the Action needs from the check
 * (findings new vs existing, the semantic diff, the policy bundle version) comes through here.
 */
import type { Finding, FailOn } from '../findings/finding.ts';
import type { RegistryChange } from '../diff/types.ts';

export type ScopeChange = RegistryChange;

export interface ReviewResult {
  findings: Finding[];
  changes: ScopeChange[];
  failOn: FailOn;
  /** The library's verdict: a new finding (not waived) at or above failOn. */
  failed: boolean;
  /** The compiled policy bundle's version, shown in the footer (OPA version and source hash). */
  policyVersion: string;
  /** Files of the rules themselves (scopeguard.yaml, policy folders) this pull request changes; applied from base. */
  ruleChanges: string[];
  /** Anything the reviewer should know about how the check ran (one line each). */
  notices: string[];
}
