# METADATA
# title: Over-scoped client
# description: >-
#   A scope granted to a client and not exercised within the usage window (thresholds.unusedScopeDays, default 90
#   days, unless --window or --since sets it): no request matched to it through the action map (or, for a scope without mapped actions or in a tenant
#   whose imported logs hold no API request in the window, no token carrying it was issued). A request refused (401,
#   403) or failed exercises nothing. Unused access is risk without benefit.
# custom:
#   id: SG301
#   severity: medium
#   remediation: "Remove the scope from the client (`scopeguard rightsize --write`), or record why it is kept in an ExceptionSet."
package scopeguard.usage.rules.SG301

import data.scopeguard.lib.registry as reg

# Use is judged over the usage window alone, the one definition `usage`, `rightsize` and the report share: its length
# is thresholds.unusedScopeDays unless the command was given another window.
findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some fact in usage.clientScopes
	fact.granted
	used_count(fact) == 0
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(fact.client, fact.scope),
		"message": sprintf("client %s holds %s but did not use it in the %d-day usage window (since %s)", [fact.client, fact.scope, usage.window.days, substring(usage.window.since, 0, 10)]),
		"evidence": {
			"count": 0,
			"issued": fact.issued,
			"exercised": fact.exercised,
			"usedBy": fact.usedBy,
			"lastUsed": "never",
			"lastIssued": object.get(fact, "lastIssued", "never"),
			"lastExercised": object.get(fact, "lastExercised", "never"),
			"windowDays": usage.window.days,
			"sensitivity": fact.sensitivity,
			"sampleEventIds": array.slice(array.concat(fact.exerciseSamples, fact.issueSamples), 0, 5),
		},
	}
}

used_count(fact) := fact.exercised if fact.usedBy == "requests"

used_count(fact) := fact.issued if fact.usedBy == "tokens"
