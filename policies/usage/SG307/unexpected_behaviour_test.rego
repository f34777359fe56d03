package scopeguard.usage.rules.SG307_test

import data.scopeguard.usage.rules.SG307

fact(extra) := object.union({
	"client": "app", "scope": "admin.users", "sensitivity": "critical", "firstUseInWindow": false,
	"historyDaysBeforeFirstUse": 0, "exercised": 3, "issued": 0, "exerciseSamples": ["e1"], "issueSamples": [],
}, extra)

usage_input(f) := {"usage": {"tenants": {"acme": {"baselineDays": 28, "clientScopes": [f]}}}}

test_first_use_of_critical_scope_is_reported if {
	some finding in SG307.findings with input as usage_input(fact({"firstUseInWindow": true, "historyDaysBeforeFirstUse": 40, "firstUse": "2026-11-20T00:00:00Z"}))
	finding.evidence.kind == "first-use"
}

test_first_use_of_new_client_or_low_scope_is_not_reported if {
	count(SG307.findings) == 0 with input as usage_input(fact({"firstUseInWindow": true, "historyDaysBeforeFirstUse": 2, "firstUse": "x"}))
	count(SG307.findings) == 0 with input as usage_input(fact({"sensitivity": "low", "firstUseInWindow": true, "historyDaysBeforeFirstUse": 40, "firstUse": "x"}))
}

test_spike_is_reported if {
	some finding in SG307.findings with input as usage_input(fact({"sensitivity": "low", "peak": {"day": "2026-11-20", "count": 60, "baseline": 10}}))
	finding.evidence.kind == "spike"
}

test_spike_evidence_is_the_spike_days_requests if {
	peak := {"day": "2026-11-20", "count": 60, "baseline": 10, "sampleEventIds": ["s1", "s2"]}
	some finding in SG307.findings with input as usage_input(fact({"sensitivity": "low", "peak": peak, "exerciseSamples": ["old1"]}))
	finding.evidence.sampleEventIds == ["s1", "s2"]
}

test_normal_day_is_not_reported if {
	count(SG307.findings) == 0 with input as usage_input(fact({"peak": {"day": "2026-11-20", "count": 40, "baseline": 10}}))
}
