# METADATA
# title: Scope removed without a deprecation period
# description: >-
#   A scope should be deprecated (status `deprecated`, `deprecatedSince`) for at least `minDeprecationDays` before it
#   is removed, so clients and token holders have time to move. Removal straight from active, or after a shorter
#   deprecation, is reported.
# custom:
#   id: SG204
#   severity: medium
#   remediation: "Mark the scope deprecated with deprecatedSince (and replacedBy) and remove it after the deprecation period."
package scopeguard.change.rules.SG204

import data.scopeguard.lib.config

findings contains finding if {
	some change in input.diff.changes
	change.kind == "scope.removed"
	before := input.base.tenants[change.tenant].scopes[change.scope]
	before.status != "removed"
	minimum := config.threshold("minDeprecationDays")
	days := deprecated_days(before)
	days < minimum
	finding := {
		"tenant": change.tenant,
		"subject": change.subject,
		"message": message(change.scope, before, days, minimum),
		"evidence": {"statusAtBase": before.status, "daysDeprecated": days, "minDeprecationDays": minimum},
	}
}

deprecated_days(scope) := object.get(scope, "daysDeprecated", 0) if scope.status == "deprecated"

deprecated_days(scope) := 0 if scope.status != "deprecated"

message(name, before, _, minimum) := sprintf("scope %s is removed without being deprecated first (minimum %d days)", [name, minimum]) if {
	before.status != "deprecated"
}

message(name, before, days, minimum) := sprintf("scope %s is removed after %d days of deprecation (minimum %d)", [name, days, minimum]) if {
	before.status == "deprecated"
}
