package scopeguard.usage.rules.SG303_test

import data.scopeguard.usage.rules.SG303

usage_input(tokens, grants) := {"usage": {"tenants": {"acme": {"tokens": tokens, "grants": grants}}}}

idle_token := {"tokenId": "t1", "client": "app", "clientId": "c1", "refreshes": 2, "events": 5, "firstSeen": "a", "lastSeen": "b", "daysSinceLastUse": 45, "sampleEventIds": []}

test_idle_refreshed_token_is_reported if {
	some finding in SG303.findings with input as usage_input([idle_token], [])
	finding.subject == "token:t1"
	finding.evidence.idleDays == 45
}

test_revoked_or_recent_token_is_not_reported if {
	count(SG303.findings) == 0 with input as usage_input([object.union(idle_token, {"revokedAt": "x"})], [])
	count(SG303.findings) == 0 with input as usage_input([object.union(idle_token, {"daysSinceLastUse": 3})], [])
	count(SG303.findings) == 0 with input as usage_input([idle_token], []) with data.config.thresholds.idleTokenDays as 60
}

test_idle_consent_is_reported if {
	grant := {"grantId": "g1", "clientId": "c1", "grantedAt": "a", "lastSeen": "b", "revoked": false, "daysSinceLastSeen": 40, "sampleEventIds": []}
	some finding in SG303.findings with input as usage_input([], [grant])
	finding.subject == "grant:g1"
	count(SG303.findings) == 0 with input as usage_input([], [object.union(grant, {"revoked": true})])
}
