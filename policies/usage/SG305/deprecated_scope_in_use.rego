# METADATA
# title: Deprecated or removed scope still requested or issued
# description: >-
#   Tokens carrying a deprecated or removed scope were issued, or clients still ask for it, within the usage window.
#   The deprecation has not reached the clients. The sample events are the issues first, then the requests (a scope
#   that is only asked for and refused has those).
# custom:
#   id: SG305
#   severity: medium
#   remediation: "Move the client to the replacement scope, then remove the old scope at the provider."
package scopeguard.usage.rules.SG305

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some fact in usage.clientScopes
	fact.status in reg.retired_statuses
	fact.issued + fact.requested > 0
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(fact.client, fact.scope),
		"message": sprintf("%s scope %s was issued %d times and requested %d times by client %s", [fact.status, fact.scope, fact.issued, fact.requested, fact.client]),
		"evidence": {
			"count": fact.issued + fact.requested,
			"issued": fact.issued,
			"requested": fact.requested,
			"status": fact.status,
			"last": max({object.get(fact, "lastIssued", ""), object.get(fact, "lastRequested", "")}),
			"sampleEventIds": array.slice(distinct_in_order(array.concat(fact.issueSamples, object.get(fact, "requestSamples", []))), 0, 5),
		},
	}
}

# distinct_in_order keeps the first occurrence of each id (an issue event also asked for the scope it carries).
distinct_in_order(ids) := [id | some k, id in ids; not id in array.slice(ids, 0, k)]
