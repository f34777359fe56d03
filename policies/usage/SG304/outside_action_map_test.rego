package scopeguard.usage.rules.SG304_test

import data.scopeguard.usage.rules.SG304

usage_input(unmatched) := {"usage": {"tenants": {"acme": {"clients": [{"client": "billing", "unmatched": unmatched}]}}}}

test_unmatched_requests_are_reported if {
	some finding in SG304.findings with input as usage_input({"count": 3, "endpoints": ["DELETE /v1/users/1"], "sampleEventIds": ["e1"]})
	finding.subject == "client:billing"
	contains(finding.message, "DELETE /v1/users/1")
}

test_all_matched_is_not_reported if {
	count(SG304.findings) == 0 with input as usage_input({"count": 0, "endpoints": [], "sampleEventIds": []})
}
