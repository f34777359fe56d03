# METADATA
# title: Change findings
# description: >-
#   Entry point scopeguard/change/findings. Collects the findings of every rule package
#   scopeguard.change.rules.<ID>, so adding a rule is adding a folder; this file never changes.
package scopeguard.change

import data.scopeguard.lib.findings as lib

findings contains lib.tagged(rule_id, finding) if {
	some rule_id
	some finding in data.scopeguard.change.rules[rule_id].findings
}
