# METADATA
# title: Action map widened for a high or critical scope
# description: >-
#   A new action pattern that covers requests the scope did not allow before gives every holder of a high or
#   critical scope more power without a new grant being reviewed. Rewrites with the same coverage are not reported.
# custom:
#   id: SG202
#   severity: high
#   remediation: "Confirm every holder of the scope should gain these requests; otherwise map them to a new, separately granted scope."
package scopeguard.change.rules.SG202

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some change in input.diff.changes
	change.kind == "action.added"
	change.classification == "widening"
	scope := input.head.tenants[change.tenant].scopes[change.scope]
	reg.high_risk(scope)
	finding := {
		"tenant": change.tenant,
		"subject": reg.scope_subject(change.scope),
		"key": change.after,
		"message": sprintf("action map of %s scope %s widened: + %s", [scope.sensitivity, change.scope, change.after]),
		"evidence": {"pattern": change.after, "sensitivity": scope.sensitivity},
	}
}
