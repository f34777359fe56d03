# METADATA
# title: Registry findings
# description: >-
#   Entry point scopeguard/registry/findings. Collects the findings of every rule package
#   scopeguard.registry.rules.<ID>, so adding a rule is adding a folder; this file never changes.
package scopeguard.registry

import data.scopeguard.lib.findings as lib

findings contains lib.tagged(rule_id, finding) if {
	some rule_id
	some finding in data.scopeguard.registry.rules[rule_id].findings
}
