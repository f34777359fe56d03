# METADATA
# title: Usage findings
# description: >-
#   Entry point scopeguard/usage/findings. Collects the findings of every rule package
#   scopeguard.usage.rules.<ID>, so adding a rule is adding a folder; this file never changes.
package scopeguard.usage

import data.scopeguard.lib.findings as lib

findings contains lib.tagged(rule_id, finding) if {
	some rule_id
	some finding in data.scopeguard.usage.rules[rule_id].findings
}
