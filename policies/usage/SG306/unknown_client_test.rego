package scopeguard.usage.rules.SG306_test

import data.scopeguard.usage.rules.SG306

test_unknown_client_is_reported if {
	unknown := {"clientId": "0oaShadow", "types": ["api.request"], "evidence": {"count": 7, "sampleEventIds": ["e1"]}}
	some finding in SG306.findings with input as {"usage": {"tenants": {"acme": {"unknownClients": [unknown]}}}}
	finding.subject == "client:0oaShadow"
	finding.evidence.count == 7
}

test_no_unknown_client_is_not_reported if {
	count(SG306.findings) == 0 with input as {"usage": {"tenants": {"acme": {"unknownClients": []}}}}
}

test_unknown_client_deleted_at_the_provider_is_not_reported if {
	deleted := {"clientId": "0oaShadow", "types": ["api.request", "client.deleted"], "evidence": {"count": 8, "sampleEventIds": ["e1"]}, "deletedAt": "2026-11-02T00:00:00Z"}
	count(SG306.findings) == 0 with input as {"usage": {"tenants": {"acme": {"unknownClients": [deleted]}}}}
}
