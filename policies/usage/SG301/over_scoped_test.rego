package scopeguard.usage.rules.SG301_test

import data.scopeguard.usage.rules.SG301

fact(extra) := object.union({
	"client": "billing", "clientId": "c1", "scope": "read.data", "granted": true, "hasActions": true, "usedBy": "requests",
	"issued": 3, "exercised": 0, "sensitivity": "high", "exerciseSamples": [], "issueSamples": ["e1"],
}, extra)

usage_input(f) := {"usage": {"tenants": {"acme": {"window": {"days": 90, "since": "2026-08-22T00:00:00.000Z"}, "clientScopes": [f]}}}}

test_never_exercised_is_reported if {
	some finding in SG301.findings with input as usage_input(fact({}))
	finding.subject == "client:billing/scope:read.data"
	finding.evidence.lastUsed == "never"
}

test_recently_exercised_is_not_reported if {
	count(SG301.findings) == 0 with input as usage_input(fact({"exercised": 12, "lastExercised": "2026-11-01T00:00:00Z"}))
}

# the facts count use within the window only: any use there is use, however long ago in the window it was
test_any_use_in_the_window_counts if {
	count(SG301.findings) == 0 with input as usage_input(fact({"exercised": 1, "lastExercised": "2026-08-23T00:00:00Z"}))
}

test_the_message_names_the_window_it_judged if {
	some finding in SG301.findings with input as usage_input(fact({}))
	finding.message == "client billing holds read.data but did not use it in the 90-day usage window (since 2026-08-22)"
	finding.evidence.windowDays == 90
}

test_scope_without_actions_counts_issuance if {
	count(SG301.findings) == 0 with input as usage_input(fact({"hasActions": false, "usedBy": "tokens", "lastIssued": "2026-11-01T00:00:00Z"}))
}

# a tenant with only identity-provider logs: no request is seen, so tokens issued are the use
test_without_request_logs_issuance_counts if {
	f := fact({"usedBy": "tokens", "lastIssued": "2026-11-20T00:00:00Z"})
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
