package scopeguard.usage.rules.SG309_test

import data.scopeguard.usage.rules.SG309

client(extra) := object.union({"client": "app", "granted": ["read.data"], "grantedWithImplied": ["read.data"], "issuedNotGranted": []}, extra)

usage_input(c) := {"usage": {"tenants": {"acme": {"clients": [c]}}}}

# observed(scopes, implied) is a provider change reporting scopes, which imply those and implied.
observed(scopes, implied) := {"scopes": scopes, "withImplied": sort(array.concat(scopes, implied)), "at": "2026-11-01T00:00:00Z", "eventId": "e7"}

test_provider_grant_change_is_reported if {
	c := client({"observedGrants": observed(["admin", "read.data"], [])})
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
	count(SG309.findings) == 0 with input as usage_input(client({"observedGrants": observed(["read.data"], [])}))
	count(SG309.findings) == 0 with input as usage_input(client({}))
}

test_scopes_a_registry_grant_implies_are_not_added_at_the_provider if {
	# the registry grants write.top, which implies write.mid and through it write.low
	c := client({"granted": ["write.top"], "grantedWithImplied": ["write.low", "write.mid", "write.top"]})
	count(SG309.findings) == 0 with input as usage_input(object.union(c, {"observedGrants": observed(["write.low", "write.mid", "write.top"], [])}))

	# a scope no registry grant covers is still added
	some finding in SG309.findings with input as usage_input(object.union(c, {"observedGrants": observed(["admin", "write.mid", "write.top"], ["write.low"])}))
	finding.evidence.added == ["admin"]
	finding.evidence.removed == []
}

test_a_registry_grant_implied_by_a_reported_scope_is_not_missing if {
	# the registry grants write.low; the provider reports write.top, which implies it: write.top is added, nothing missing
	c := client({"granted": ["write.low"], "grantedWithImplied": ["write.low"], "observedGrants": observed(["write.top"], ["write.low", "write.mid"])})
	some finding in SG309.findings with input as usage_input(c)
	finding.evidence.added == ["write.top"]
	finding.evidence.removed == []

	# the registry grants write.top; the provider reports only what it implies: write.top is missing
	d := client({"granted": ["write.top"], "grantedWithImplied": ["write.low", "write.mid", "write.top"], "observedGrants": observed(["write.mid"], ["write.low"])})
	some missing in SG309.findings with input as usage_input(d)
	missing.evidence.added == []
	missing.evidence.removed == ["write.top"]
	missing.message == "the provider's scopes for client app differ from the registry: missing at the provider: write.top"
}
