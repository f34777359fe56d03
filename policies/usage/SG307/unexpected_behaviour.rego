# METADATA
# title: Unexpected behaviour
# description: >-
#   A client used a high or critical scope for the first time after a baseline period in which it never did, or
#   its daily requests under a scope exceeded thresholds.spikeFactor (default 5) times the median of the
#   preceding days (the trailing baseline). Use is a request served under the scope or a token issued with it: a
#   refused (401, 403) or failed request or token request is none.
# custom:
#   id: SG307
#   severity: high
#   remediation: "Confirm with the client's owner that the new behaviour is expected; if not, revoke its tokens and investigate."
package scopeguard.usage.rules.SG307

import data.scopeguard.lib.config
import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some fact in usage.clientScopes
	fact.sensitivity in reg.high_risk_sensitivities
	fact.firstUseInWindow
	fact.historyDaysBeforeFirstUse >= usage.baselineDays
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(fact.client, fact.scope),
		"key": "first-use",
		"message": sprintf("client %s used %s scope %s for the first time on %s after %d days without it", [fact.client, fact.sensitivity, fact.scope, fact.firstUse, fact.historyDaysBeforeFirstUse]),
		"evidence": {
			"kind": "first-use",
			"count": fact.exercised + fact.issued,
			"first": fact.firstUse,
			"last": max({object.get(fact, "lastExercised", ""), object.get(fact, "lastIssued", "")}),
			"sampleEventIds": array.slice(array.concat(fact.exerciseSamples, fact.issueSamples), 0, 5),
		},
	}
}

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some fact in usage.clientScopes
	fact.peak.count > config.threshold("spikeFactor") * max({fact.peak.baseline, 1})
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(fact.client, fact.scope),
		"key": "spike",
		"message": sprintf("client %s made %d requests under %s on %s, %v times its daily median of %v", [fact.client, fact.peak.count, fact.scope, fact.peak.day, round((fact.peak.count / max({fact.peak.baseline, 1})) * 10) / 10, fact.peak.baseline]),
		"evidence": {
			"kind": "spike",
			"count": fact.peak.count,
			"day": fact.peak.day,
			"baseline": fact.peak.baseline,
			"first": fact.peak.day,
			"last": fact.peak.day,
			"sampleEventIds": object.get(fact.peak, "sampleEventIds", fact.exerciseSamples),
		},
	}
}
