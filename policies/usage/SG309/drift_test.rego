package scopeguard.usage.rules.SG309_test

import data.scopeguard.usage.rules.SG309

client(extra) := object.union({"client": "app", "granted": ["read.data"], "issuedNotGranted": []}, extra)

usage_input(c) := {"usage": {"tenants": {"acme": {"clients": [c]}}}}

test_provider_grant_change_is_reported if {
	c := client({"observedGrants": {"scopes": ["admin", "read.data"], "at": "2026-11-01T00:00:00Z", "eventId": "e7"}})
	some finding in SG309.findings with input as usage_input(c)
	finding.evidence.added == ["admin"]
	finding.evidence.sampleEventIds == ["e7"]
}

test_issued_scope_not_granted_is_reported if {
	c := client({"issuedNotGranted": [{"scope": "admin", "count": 2, "sampleEventIds": ["e1"]}]})
	some finding in SG309.findings with input as usage_input(c)
	finding.subject == "client:app/scope:admin"
}

test_matching_provider_state_is_not_reported if {
	count(SG309.findings) == 0 with input as usage_input(client({"observedGrants": {"scopes": ["read.data"], "at": "x", "eventId": "e"}}))
	count(SG309.findings) == 0 with input as usage_input(client({}))
}
