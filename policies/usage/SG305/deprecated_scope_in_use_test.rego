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
