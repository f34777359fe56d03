# METADATA
# title: Scope sensitivity lowered
# description: >-
#   Lowering a scope's sensitivity switches off the checks that protect it (public clients, justifications,
#   widening reviews) for every holder at once. It may be right, but it deserves a deliberate review.
# custom:
#   id: SG206
#   severity: medium
#   remediation: "Confirm with the scope's owner and security that the scope really allows less than its old sensitivity says."
package scopeguard.change.rules.SG206

findings contains finding if {
	some change in input.diff.changes
	change.kind == "scope.sensitivity-lowered"
	finding := {
		"tenant": change.tenant,
		"subject": change.subject,
		"key": sprintf("%s>%s", [change.before, change.after]),
		"message": sprintf("sensitivity of scope %s lowered from %s to %s", [change.scope, change.before, change.after]),
		"evidence": {"before": change.before, "after": change.after},
	}
}
