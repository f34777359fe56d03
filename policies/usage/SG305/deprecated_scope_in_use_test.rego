package scopeguard.usage.rules.SG305_test

import data.scopeguard.usage.rules.SG305

fact(status, issued) := {"client": "app", "scope": "read.legacy", "status": status, "issued": issued, "requested": 0, "lastIssued": "2026-11-01T00:00:00Z", "issueSamples": ["e1"]}

usage_input(f) := {"usage": {"tenants": {"acme": {"clientScopes": [f]}}}}

test_deprecated_scope_issued_is_reported if {
	some finding in SG305.findings with input as usage_input(fact("deprecated", 4))
	finding.subject == "client:app/scope:read.legacy"
	finding.evidence.issued == 4
}

test_active_or_unused_is_not_reported if {
	count(SG305.findings) == 0 with input as usage_input(fact("active", 4))
	count(SG305.findings) == 0 with input as usage_input(fact("removed", 0))
}

test_a_scope_only_requested_has_the_requests_as_samples if {
	requested := object.union(fact("deprecated", 0), {"requested": 3, "issueSamples": [], "requestSamples": ["r1", "r2", "r3"]})
	some finding in SG305.findings with input as usage_input(requested)
	finding.evidence.sampleEventIds == ["r1", "r2", "r3"]
}

test_samples_are_issues_then_requests_each_event_once if {
	both := object.union(fact("deprecated", 2), {"requested": 4, "issueSamples": ["e1", "e2"], "requestSamples": ["e1", "r1", "e2", "r2", "r3"]})
	some finding in SG305.findings with input as usage_input(both)
	finding.evidence.sampleEventIds == ["e1", "e2", "r1", "r2", "r3"]
}
