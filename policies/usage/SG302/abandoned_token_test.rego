package scopeguard.usage.rules.SG302_test

import data.scopeguard.usage.rules.SG302

token(extra) := object.union({"tokenId": "t1", "client": "billing", "clientId": "c1", "scopesNotGranted": [], "revokedAt": "2026-10-01T00:00:00Z"}, extra)

usage_input(t) := {"usage": {"tenants": {"acme": {"tokens": [t]}}}}

test_ungranted_scope_use_is_reported if {
	some finding in SG302.findings with input as usage_input(token({"scopesNotGranted": ["admin"], "ungrantedUse": {"count": 4, "sampleEventIds": ["e1"]}}))
	finding.subject == "token:t1"
	finding.evidence.kind == "scope-not-granted"
	finding.evidence.count == 4
}

test_use_after_revoke_is_reported if {
	some finding in SG302.findings with input as usage_input(token({"useAfterRevoke": {"count": 2, "sampleEventIds": ["e9"]}}))
	finding.evidence.kind == "used-after-revoke"
}

test_use_after_client_deleted_is_reported if {
	some finding in SG302.findings with input as usage_input(token({"useAfterClientDeleted": {"count": 2, "deletedAt": "2026-10-02T00:00:00Z", "sampleEventIds": []}}))
	finding.evidence.kind == "used-after-client-deleted"
}

test_clean_token_is_not_reported if {
	count(SG302.findings) == 0 with input as usage_input(token({}))
}
