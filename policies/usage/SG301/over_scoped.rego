# METADATA
# title: Over-scoped client
# description: >-
#   A scope granted to a client and not exercised within the usage window (thresholds.unusedScopeDays, default 90
#   days): no request matched to it through the action map (or, for a scope without mapped actions or in a tenant
#   whose imported logs hold no API request in the window, no token carrying it was issued). Unused access is risk
#   without benefit.
# custom:
#   id: SG301
#   severity: medium
#   remediation: "Remove the scope from the client (`scopeguard rightsize --write`), or record why it is kept in an ExceptionSet."
package scopeguard.usage.rules.SG301

import data.scopeguard.lib.config
import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some fact in usage.clientScopes
	fact.granted
	not used_recently(fact)
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(fact.client, fact.scope),
		"message": sprintf("client %s holds %s but has not used it in %d days (last used: %s)", [fact.client, fact.scope, config.threshold("unusedScopeDays"), last_used(fact)]),
		"evidence": {
			"count": used_count(fact),
			"issued": fact.issued,
			"exercised": fact.exercised,
			"usedBy": fact.usedBy,
			"lastUsed": last_used(fact),
			"lastIssued": object.get(fact, "lastIssued", "never"),
			"lastExercised": object.get(fact, "lastExercised", "never"),
			"windowDays": usage.window.days,
			"sensitivity": fact.sensitivity,
			"sampleEventIds": array.slice(array.concat(fact.exerciseSamples, fact.issueSamples), 0, 5),
		},
	}
}

used_recently(fact) if {
	fact.usedBy == "requests"
	fact.exercised > 0
	fact.daysSinceExercised <= config.threshold("unusedScopeDays")
}

used_recently(fact) if {
	fact.usedBy == "tokens"
	fact.issued > 0
	fact.daysSinceIssued <= config.threshold("unusedScopeDays")
}

used_count(fact) := fact.exercised if fact.usedBy == "requests"

used_count(fact) := fact.issued if fact.usedBy == "tokens"

last_used(fact) := fact.lastExercised if {
	fact.usedBy == "requests"
	fact.exercised > 0
}

last_used(fact) := fact.lastIssued if {
	fact.usedBy == "tokens"
	fact.issued > 0
}

last_used(fact) := "never" if used_count(fact) == 0
