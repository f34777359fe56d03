package scopeguard.usage.rules.SG301_test

import data.scopeguard.usage.rules.SG301

fact(extra) := object.union({
	"client": "billing", "clientId": "c1", "scope": "read.data", "granted": true, "hasActions": true, "usedBy": "requests",
	"issued": 3, "exercised": 0, "sensitivity": "high", "exerciseSamples": [], "issueSamples": ["e1"],
}, extra)

usage_input(f) := {"usage": {"tenants": {"acme": {"window": {"days": 90}, "clientScopes": [f]}}}}

test_never_exercised_is_reported if {
	some finding in SG301.findings with input as usage_input(fact({}))
	finding.subject == "client:billing/scope:read.data"
	finding.evidence.lastUsed == "never"
}

test_recently_exercised_is_not_reported if {
	count(SG301.findings) == 0 with input as usage_input(fact({"exercised": 12, "lastExercised": "2026-11-01T00:00:00Z", "daysSinceExercised": 20}))
}

test_threshold_comes_from_config if {
	f := fact({"exercised": 12, "lastExercised": "2026-09-01T00:00:00Z", "daysSinceExercised": 80})
	count(SG301.findings) == 0 with input as usage_input(f)
	count(SG301.findings) == 1 with input as usage_input(f) with data.config.thresholds.unusedScopeDays as 30
}

test_scope_without_actions_counts_issuance if {
	count(SG301.findings) == 0 with input as usage_input(fact({"hasActions": false, "usedBy": "tokens", "lastIssued": "2026-11-01T00:00:00Z", "daysSinceIssued": 3}))
}

# a tenant with only identity-provider logs: no request is seen, so tokens issued are the use
test_without_request_logs_issuance_counts if {
	f := fact({"usedBy": "tokens", "lastIssued": "2026-11-20T00:00:00Z", "daysSinceIssued": 5})
	count(SG301.findings) == 0 with input as usage_input(f)
}

test_without_request_logs_a_grant_never_issued_is_reported if {
	some finding in SG301.findings with input as usage_input(fact({"usedBy": "tokens", "issued": 0}))
	finding.evidence.usedBy == "tokens"
	finding.evidence.lastUsed == "never"
}

test_not_granted_is_ignored if {
	count(SG301.findings) == 0 with input as usage_input(fact({"granted": false}))
}
