package scopeguard.usage.rules.SG303_test

import data.scopeguard.usage.rules.SG303

usage_input(tokens, grants) := {"usage": {"tenants": {"acme": {"tokens": tokens, "grants": grants}}}}

idle_token := {"tokenId": "t1", "client": "app", "clientId": "c1", "refreshes": 2, "events": 5, "firstSeen": "a", "lastSeen": "2026-10-01T00:00:00Z", "daysSinceLastUse": 45, "sampleEventIds": ["e1"]}

# token returns an idle token of client app with this id, last use and idle days.
token(id, last, days) := object.union(idle_token, {"tokenId": id, "lastSeen": last, "daysSinceLastUse": days, "sampleEventIds": [concat("", [id, "-a"]), concat("", [id, "-b"])]})

test_idle_refreshed_token_is_reported_on_its_client if {
	some finding in SG303.findings with input as usage_input([idle_token], [])
	finding.subject == "client:app"
	finding.key == "idle-token"
	finding.message == "client app has 1 refresh token unused for more than 30 days (oldest idle 45 days) and not revoked"
	finding.evidence.count == 1
	finding.evidence.oldestIdleDays == 45
	finding.evidence.oldestLastUse == "2026-10-01T00:00:00Z"
	finding.evidence.sampleTokenIds == ["t1"]
	finding.evidence.sampleEventIds == ["e1"]
}

test_many_idle_tokens_of_one_client_are_one_finding if {
	tokens := [
		token("t5", "2026-10-05T00:00:00Z", 41), token("t2", "2026-09-01T00:00:00Z", 75), token("t7", "2026-10-07T00:00:00Z", 39),
		token("t3", "2026-09-01T00:00:00Z", 75), token("t1", "2026-10-20T00:00:00Z", 36), token("t6", "2026-10-06T00:00:00Z", 40),
		object.union(token("t4", "2026-08-01T00:00:00Z", 106), {"lastUsed": "2026-08-02T00:00:00Z", "daysSinceLastUse": 105}),
	]
	findings := SG303.findings with input as usage_input(tokens, [])
	count(findings) == 1
	some finding in findings
	finding.message == "client app has 7 refresh tokens unused for more than 30 days (oldest idle 105 days) and not revoked"
	finding.evidence.count == 7
	finding.evidence.oldestIdleDays == 105
	finding.evidence.oldestLastUse == "2026-08-02T00:00:00Z"

	# oldest first, the id breaking the tie between t2 and t3; five at most
	finding.evidence.sampleTokenIds == ["t4", "t2", "t3", "t5", "t6"]

	# one event of each sample token before a second of any
	finding.evidence.sampleEventIds == ["t4-a", "t2-a", "t3-a", "t5-a", "t6-a"]
}

test_fingerprint_key_does_not_depend_on_the_tokens if {
	some one in SG303.findings with input as usage_input([token("t1", "2026-10-01T00:00:00Z", 45)], [])
	some other in SG303.findings with input as usage_input([token("t9", "2026-09-01T00:00:00Z", 75), token("t8", "2026-10-01T00:00:00Z", 45)], [])
	[one.tenant, one.subject, one.key] == [other.tenant, other.subject, other.key]
}

test_each_client_gets_its_own_finding if {
	other := object.union(idle_token, {"tokenId": "t2", "client": "billing", "clientId": "c2"})
	unnamed := object.union(idle_token, {"tokenId": "t3", "clientId": "c3"})
	subjects := {f.subject | some f in SG303.findings} with input as usage_input([idle_token, other, object.remove(unnamed, ["client"])], [])
	subjects == {"client:app", "client:billing", "client:c3"}
}

test_revoked_recent_or_unrefreshed_token_is_not_reported if {
	count(SG303.findings) == 0 with input as usage_input([object.union(idle_token, {"revokedAt": "x"})], [])
	count(SG303.findings) == 0 with input as usage_input([object.union(idle_token, {"daysSinceLastUse": 3})], [])
	count(SG303.findings) == 0 with input as usage_input([object.union(idle_token, {"refreshes": 0})], [])
	count(SG303.findings) == 0 with input as usage_input([idle_token], []) with data.config.thresholds.idleTokenDays as 60
}

test_only_the_idle_tokens_are_counted if {
	some finding in SG303.findings with input as usage_input([idle_token, object.union(idle_token, {"tokenId": "t2", "daysSinceLastUse": 3})], [])
	finding.evidence.count == 1
	finding.evidence.sampleTokenIds == ["t1"]
}

grant := {"grantId": "g1", "client": "app", "clientId": "c1", "grantedAt": "a", "lastSeen": "2026-10-10T00:00:00Z", "revoked": false, "daysSinceLastSeen": 40, "sampleEventIds": ["e7"]}

test_idle_consents_are_reported_per_client_apart_from_tokens if {
	second := object.union(grant, {"grantId": "g0", "lastSeen": "2026-09-10T00:00:00Z", "daysSinceLastSeen": 70})
	findings := SG303.findings with input as usage_input([idle_token], [grant, second])
	count(findings) == 2
	some finding in findings
	finding.key == "idle-consent"
	finding.subject == "client:app"
	finding.message == "client app has 2 consents unused for more than 30 days (oldest idle 70 days) and not revoked"
	finding.evidence.kind == "consent"
	finding.evidence.count == 2
	finding.evidence.sampleGrantIds == ["g0", "g1"]
	finding.evidence.sampleEventIds == ["e7"]
}

test_revoked_consent_is_not_reported if {
	count(SG303.findings) == 0 with input as usage_input([], [object.union(grant, {"revoked": true})])
	count(SG303.findings) == 0 with input as usage_input([], [object.union(grant, {"daysSinceLastSeen": 20})])
}
